/**
 * The speech code as a Lambda bundle carries it (infra/bundle-handler.ts): building the engine and
 * the store loads no AWS client at start — Polly, S3 and the presigner come in lazily loaded
 * chunks — so wiring it into the API keeps the cold start test/integration/lambda-handlers.test.ts guards.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { bundleHandler, startupInputs } from '../../infra/bundle-handler.js';

const dir = mkdtempSync(join(tmpdir(), 'pufa-speech-bundle-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the speech code in a Lambda bundle', () => {
  it('loads neither the Polly nor the S3 client nor the presigner at start, only when first used', async () => {
    const fromConfig = fileURLToPath(new URL('../../functions/speech/from-config.ts', import.meta.url));
    const entry = join(dir, 'entry.ts');
    writeFileSync(entry, `import { speechFromConfig } from ${JSON.stringify(fromConfig)};\nexport const handler = speechFromConfig;\n`);
    const out = join(dir, 'out');
    const metafile = await bundleHandler(entry, out);
    const atStartup = startupInputs(metafile, out);
    expect(atStartup.some((input) => input.endsWith('functions/speech/from-config.ts'))).toBe(true);
    const sdk = /node_modules\/@aws-sdk\/(client-polly|client-s3|s3-request-presigner)\//;
    expect(atStartup.filter((input) => sdk.test(input))).toEqual([]);
    // They are in the bundle all the same, in chunks imported on first use.
    const everywhere = Object.values(metafile.outputs).flatMap((output) => Object.keys(output.inputs));
    for (const pkg of ['client-polly', 'client-s3', 's3-request-presigner']) {
      expect(everywhere.some((input) => input.includes(`node_modules/@aws-sdk/${pkg}/`)), pkg).toBe(true);
    }
  }, 90_000);
});
