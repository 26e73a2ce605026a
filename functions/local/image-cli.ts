/**
 * @module local/image-cli
 * `npm run image -- <file> --api <url> --token <token>`: uploads a JPEG or PNG (under 1 MB) to a
 * running pufa (`npm start`, or the deployed API) for a WeChat article, and prints how the article
 * names it: `<img src="pufa-image:<sha256>">` in its HTML, `cover: <sha256>` for its cover. The
 * file is checked here first, so a wrong file is refused without a round trip.
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { describeImage, ImageRefused } from '../images/image-store.js';
import { CliFailure, runCli, UsageError } from './cli.js';

const USAGE = `Usage:
  npm run image -- <file.jpg|file.png> --token <staff or reviewer token> [--api <url>]
Options:
  --api <url>      the pufa API to upload to (default: http://localhost:8787, a local npm start)
  --token <token>  a staff or reviewer access token (pufa_…)
Prints the image's SHA-256 and how an article names it. JPEG or PNG, under 1 MB (WeChat's limit).`;

/** A server that does not answer within this long is reported, not waited on for ever. */
const TIMEOUT_MS = 30_000;

const keptSchema = z.object({
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  contentType: z.string(),
  bytes: z.number(),
  width: z.number(),
  height: z.number(),
  src: z.string(),
});
const problemSchema = z.looseObject({ detail: z.string().optional(), errors: z.array(z.object({ field: z.string(), message: z.string() })).optional() });

async function main(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { api: { type: 'string' }, token: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const [file, ...more] = positionals;
  if (!file || more.length > 0) throw new UsageError('Name exactly one image file.');
  if (!values.token) throw new UsageError('Give a staff or reviewer access token with --token.');
  const api = z.url({ protocol: /^https?$/ }).safeParse(values.api ?? 'http://localhost:8787');
  if (!api.success) throw new UsageError(`--api must be an http(s) URL; got ${JSON.stringify(values.api)}.`);

  const bytes = await readFile(file).catch((error: NodeJS.ErrnoException) => {
    throw new CliFailure(`Cannot read ${file}: ${error.code ?? error.message}.`);
  });
  const image = (() => {
    try {
      return describeImage(new Uint8Array(bytes));
    } catch (error) {
      if (error instanceof ImageRefused) throw new CliFailure(`${file}: ${error.message}`);
      throw error;
    }
  })();

  const url = new URL('/images', api.data);
  const response = await fetch(url, {
    method: 'POST',
    headers: { Authorization: `Bearer ${values.token}`, 'Content-Type': image.contentType },
    body: bytes,
    signal: AbortSignal.timeout(TIMEOUT_MS),
  }).catch((error: Error & { cause?: { code?: string } }) => {
    throw new CliFailure(`Cannot reach ${url.origin}: ${error.cause?.code ?? error.message}. Is the server running (npm start)?`);
  });
  const text = await response.text();
  if (response.status !== 200 && response.status !== 201) {
    const problem = problemSchema.safeParse(safeJson(text));
    const detail = problem.success ? [problem.data.detail, ...(problem.data.errors ?? []).filter((error) => error.message !== problem.data.detail).map((error) => `${error.field}: ${error.message}`)].filter(Boolean).join(' ') : text.slice(0, 200);
    throw new CliFailure(`The server refused ${file} (${response.status}): ${detail}`);
  }
  const kept = keptSchema.parse(safeJson(text));
  if (kept.sha256 !== image.sha256) throw new CliFailure(`The server kept ${kept.sha256}, but ${file} has SHA-256 ${image.sha256}: upload it again.`);
  console.log(`${response.status === 201 ? 'Kept' : 'Already kept'}: ${file} (${kept.contentType}, ${kept.bytes} bytes, ${kept.width}×${kept.height})`);
  console.log(`SHA-256:                ${kept.sha256}`);
  console.log(`In the article's HTML:  <img src="${kept.src}">`);
  console.log(`As the article's cover: cover: ${kept.sha256}`);
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

runCli(main, USAGE);
