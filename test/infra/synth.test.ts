/**
 * `npx cdk synth` as a user runs it: offline, no credentials, with esbuild bundling the handlers
 * (API, dispatch, and receipts: with no smsRegion, SMS goes out in the stack's own region).
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const outDir = mkdtempSync(join(tmpdir(), 'pufa-synth-'));
afterAll(() => rmSync(outDir, { recursive: true, force: true }));

describe('npx cdk synth', () => {
  it('synthesizes the stack and bundles the three handlers without an AWS account', async () => {
    const env = {
      ...process.env,
      CDK_HOME: join(outDir, '.cdk'),
      CDK_DISABLE_CLI_TELEMETRY: 'true',
      AWS_ACCESS_KEY_ID: '',
      AWS_SECRET_ACCESS_KEY: '',
      AWS_PROFILE: '',
    };
    const synth = await run('npx', ['cdk', 'synth', '--no-notices', '--quiet', '--output', join(outDir, 'cdk.out')], { env, timeout: 240_000 });
    // esbuild's warnings (e.g. rrule's default import being undefined in the bundle) would show here.
    const output = `${synth.stdout}${synth.stderr}`;
    expect(output).not.toMatch(/will always be undefined/);
    // cdk.json sets no alarm e-mail and no SMS spend limit: synth says, loudly, that alarms reach
    // nobody and that there is no spend alarm, and warns of nothing else.
    expect(output).toMatch(/WARNING NO ALARM E-MAIL: .* reach NOBODY\. Deploy with -c alarmEmail=/);
    expect(output).toMatch(/WARNING No SMS spend alarm: smsMonthlySpendLimitUsd is not set/);
    expect(output.match(/WARNING/g)).toHaveLength(2);
    const template = JSON.parse(readFileSync(join(outDir, 'cdk.out', 'Pufa.template.json'), 'utf8')) as {
      Resources: Record<string, { Type: string }>;
    };
    const types = Object.values(template.Resources).map((resource) => resource.Type);
    expect(types).toEqual(expect.arrayContaining(['AWS::DynamoDB::GlobalTable', 'AWS::ApiGatewayV2::Api', 'AWS::Events::Rule', 'AWS::SNS::Topic', 'AWS::SQS::Queue']));
    const bundles = readdirSync(join(outDir, 'cdk.out'))
      .filter((name) => name.startsWith('asset.'))
      .map((name) => join(outDir, 'cdk.out', name, 'index.mjs'))
      .filter((file) => existsSync(file));
    expect(bundles).toHaveLength(3);
    for (const bundle of bundles) {
      // The pinned SDK is inside the bundle (its entry file or a chunk beside it), not taken from the runtime.
      const dir = dirname(bundle);
      const chunks = existsSync(join(dir, 'chunks')) ? readdirSync(join(dir, 'chunks')).filter((name) => name.endsWith('.mjs')).map((name) => join(dir, 'chunks', name)) : [];
      expect([bundle, ...chunks].some((file) => readFileSync(file, 'utf8').includes('DynamoDBClient'))).toBe(true);
      // The source map goes up with the code, for reading a stack trace; the function does not load it.
      expect(existsSync(`${bundle}.map`)).toBe(true);
    }
    // No --enable-source-maps: Node would parse the whole map at every cold start.
    // pufa's three functions; the CDK's provider for the SMS account settings is another.
    const environments = Object.entries(template.Resources)
      .filter(([id, resource]) => resource.Type === 'AWS::Lambda::Function' && /^(Api|Dispatch|Receipts)Function[0-9A-F]{8}$/.test(id))
      .map(([, resource]) => resource)
      .map((resource) => (resource as { Properties?: { Environment?: { Variables?: Record<string, string> } } }).Properties?.Environment?.Variables ?? {});
    expect(environments).toHaveLength(3);
    for (const variables of environments) expect(variables.NODE_OPTIONS ?? '').not.toContain('--enable-source-maps');

    // The bundled API handler loads on its own (no node_modules) and answers a request that
    // needs no table: a broken import (ESM/CJS interop, a missing module) fails here.
    const apiBundle = bundles.find((bundle) => readFileSync(bundle, 'utf8').includes('openapi.json'));
    expect(apiBundle).toBeDefined();
    const probe = [
      `const { handler } = await import(${JSON.stringify(apiBundle)});`,
      `const event = { version: '2.0', routeKey: '$default', rawPath: '/openapi.json', rawQueryString: '', headers: { host: 'x' }, isBase64Encoded: false, body: null,`,
      `  requestContext: { http: { method: 'GET', path: '/openapi.json', protocol: 'HTTP/1.1', sourceIp: '192.0.2.1', userAgent: 't' }, requestId: 'r', routeKey: '$default', stage: '$default', time: '', timeEpoch: 0, accountId: '1', apiId: 'a', domainName: 'x', domainPrefix: 'x' } };`,
      `const result = await handler(event, {});`,
      `console.log(JSON.stringify({ status: result.statusCode, paths: Object.keys(JSON.parse(result.body).paths).length }));`,
    ].join('\n');
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', probe], {
      cwd: outDir,
      env: { PATH: process.env.PATH ?? '', AWS_REGION: 'ap-southeast-1', PUFA_TABLE_NAME: 'probe-table', PUFA_LOG_LEVEL: 'silent', PUFA_PHONE_KEY_SECRET: 'synth-probe-phone-key-secret-0123456789-abcdef', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    });
    const answer = JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as { status: number; paths: number };
    expect(answer.status).toBe(200);
    expect(answer.paths).toBeGreaterThan(10);
  }, 300_000);
});
