/**
 * `npx cdk synth` as a user runs it: offline, no credentials, with esbuild bundling both handlers.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const outDir = mkdtempSync(join(tmpdir(), 'pufa-synth-'));
afterAll(() => rmSync(outDir, { recursive: true, force: true }));

describe('npx cdk synth', () => {
  it('synthesizes the stack and bundles both handlers without an AWS account', async () => {
    const env = {
      ...process.env,
      CDK_HOME: join(outDir, '.cdk'),
      CDK_DISABLE_CLI_TELEMETRY: 'true',
      AWS_ACCESS_KEY_ID: '',
      AWS_SECRET_ACCESS_KEY: '',
      AWS_PROFILE: '',
    };
    await run('npx', ['cdk', 'synth', '--no-notices', '--quiet', '--output', join(outDir, 'cdk.out')], { env, timeout: 120_000 });
    const template = JSON.parse(readFileSync(join(outDir, 'cdk.out', 'Pufa.template.json'), 'utf8')) as {
      Resources: Record<string, { Type: string }>;
    };
    const types = Object.values(template.Resources).map((resource) => resource.Type);
    expect(types).toEqual(expect.arrayContaining(['AWS::DynamoDB::GlobalTable', 'AWS::ApiGatewayV2::Api', 'AWS::Events::Rule', 'AWS::SNS::Topic', 'AWS::SQS::Queue']));
    const bundles = readdirSync(join(outDir, 'cdk.out'))
      .filter((name) => name.startsWith('asset.'))
      .map((name) => join(outDir, 'cdk.out', name, 'index.mjs'))
      .filter((file) => existsSync(file));
    expect(bundles).toHaveLength(2);
    for (const bundle of bundles) {
      // The pinned SDK is inside the bundle, not taken from the runtime.
      expect(readFileSync(bundle, 'utf8')).toContain('DynamoDBClient');
    }
  }, 120_000);
});
