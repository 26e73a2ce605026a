/**
 * The Lambda entry points, imported as Lambda imports them (module scope reads the environment),
 * answering API Gateway HTTP API v2 events against a real table on DynamoDB Local: first the
 * source in this process, then the deployed bundles (built by infra/bundle-handler.ts, as the
 * stack builds them) in a child process on the Lambda's Node major.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import type { APIGatewayProxyResult } from 'hono/aws-lambda';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { bundleHandler, lambdaNodeBinary, startupInputs } from '../../infra/bundle-handler.js';
import { LAMBDA_NODE_MAJOR } from '../../infra/bundling.js';
import { DISPATCH_METRICS, RECEIPT_METRICS } from '../../functions/handlers/metrics.js';
import { aGrant, aToken } from '../support/builders.js';
import { freshTable, TEST_PHONE_KEY_SECRET, type TestDatabase } from '../support/db.js';
import { httpApiEvent, lambdaContext, logsSubscriptionEvent, smsDeliveryLine } from '../support/lambda-events.js';

let db: TestDatabase;
const county = 'lambdacounty';

beforeAll(async () => {
  db = await freshTable({ county });
  vi.stubEnv('PUFA_TABLE_NAME', db.tableName);
  vi.stubEnv('PUFA_COUNTY', county);
  vi.stubEnv('PUFA_DYNAMODB_ENDPOINT', db.endpoint);
  vi.stubEnv('PUFA_LOG_LEVEL', 'silent');
  vi.stubEnv('PUFA_PHONE_KEY_SECRET', TEST_PHONE_KEY_SECRET);
  vi.stubEnv('POWERTOOLS_METRICS_NAMESPACE', METRICS_NAMESPACE);
});
afterAll(async () => {
  vi.unstubAllEnvs();
  await db.drop();
});

const structured = (result: APIGatewayProxyResult) => result;
/** What the stack sets as POWERTOOLS_METRICS_NAMESPACE (infra/stack.ts). */
const METRICS_NAMESPACE = 'Pufa/LambdaTest';

/** One CloudWatch embedded-metric-format line, as Powertools Metrics writes it. */
interface EmfLine {
  _aws: { Timestamp: number; CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string; Unit: string }[] }[] };
  [field: string]: unknown;
}
const isEmf = (line: Record<string, unknown>): line is EmfLine => typeof line._aws === 'object' && line._aws !== null;

describe('the API handler', () => {
  it('answers GET /health from the same app as the local server', async () => {
    const { handler } = await import('../../functions/handlers/api.js');
    const result = structured(await handler(httpApiEvent('GET', '/health'), lambdaContext));
    expect(result.statusCode).toBe(200);
    expect(JSON.parse(result.body ?? '')).toMatchObject({ status: 'ok', county, table: { name: db.tableName, reachable: true } });
  });

  it('answers an authorized call', async () => {
    const { handler } = await import('../../functions/handlers/api.js');
    const admin = await aToken(db.store, county, aGrant({ role: 'admin' }));
    const result = structured(
      await handler(
        httpApiEvent('POST', '/tokens', {
          headers: { authorization: `Bearer ${admin.secret}`, 'content-type': 'application/json' },
          body: JSON.stringify({ role: 'reviewer', name: '法制审核员' }),
        }),
        lambdaContext,
      ),
    );
    expect(result.statusCode).toBe(201);
    expect(JSON.parse(result.body ?? '')).toMatchObject({ token: { role: 'reviewer', county } });
  });

  it('refuses an unauthorized call with 401 problem+json', async () => {
    const { handler } = await import('../../functions/handlers/api.js');
    const result = structured(await handler(httpApiEvent('GET', '/me'), lambdaContext));
    expect(result.statusCode).toBe(401);
    expect(result.headers?.['content-type']).toBe('application/problem+json');
    expect(JSON.parse(result.body ?? '')).toMatchObject({ status: 401, requestId: expect.any(String) });
  });

  it('refuses a wrong role with 403', async () => {
    const { handler } = await import('../../functions/handlers/api.js');
    const station = await aToken(db.store, county, aGrant({ role: 'station' }));
    const result = structured(
      await handler(httpApiEvent('GET', '/tokens', { headers: { authorization: `Bearer ${station.secret}` } }), lambdaContext),
    );
    expect(result.statusCode).toBe(403);
  });
});

describe('the dispatch handler', () => {
  it('reaches the table and reports an empty run', async () => {
    const { handler } = await import('../../functions/handlers/dispatch.js');
    const summary = await handler();
    expect(summary).toMatchObject({ claimed: 0, sent: 0 });
    expect(Date.parse(summary.startedAt)).not.toBeNaN();
  });
});

/** A receipt for an SMS this table never sent (another system's in the same account). */
const foreignReceipt = (messageId: string) =>
  logsSubscriptionEvent('sns/cn-north-1/123456789012/DirectPublishToPhoneNumber', [smsDeliveryLine(messageId, '+8619900000009', 'SUCCESS')]);

describe('the receipts handler', () => {
  it('takes a CloudWatch Logs subscription event and counts a receipt for an SMS it never sent', async () => {
    const { handler } = await import('../../functions/handlers/receipts.js');
    expect(await handler(foreignReceipt('5e0c0a00-0000-4000-8000-000000000001'))).toMatchObject({ received: 1, unmatched: 1, delivered: 0 });
  });
});

describe('a cold start with bad configuration', () => {
  it('fails naming the variable', async () => {
    vi.resetModules();
    vi.stubEnv('PUFA_TABLE_NAME', '');
    await expect(import('../../functions/handlers/api.js')).rejects.toThrow(/PUFA_TABLE_NAME/);
    vi.stubEnv('PUFA_TABLE_NAME', db.tableName);
  });

  it('fails without a phone-key secret rather than keying numbers without one', async () => {
    vi.resetModules();
    vi.stubEnv('PUFA_PHONE_KEY_SECRET', undefined);
    await expect(import('../../functions/handlers/dispatch.js')).rejects.toThrow(/PUFA_PHONE_KEY_SECRET_ARN/);
    vi.resetModules();
    vi.stubEnv('PUFA_PHONE_KEY_SECRET', 'too-short');
    await expect(import('../../functions/handlers/api.js')).rejects.toThrow(/PUFA_PHONE_KEY_SECRET/);
    vi.stubEnv('PUFA_PHONE_KEY_SECRET', TEST_PHONE_KEY_SECRET);
  });
});

describe(`the bundled handlers on the Lambda's Node ${LAMBDA_NODE_MAJOR}`, () => {
  const run = promisify(execFile);
  const outDir = mkdtempSync(join(tmpdir(), 'pufa-lambda-node-'));
  afterAll(() => rmSync(outDir, { recursive: true, force: true }));

  /**
   * Imports the bundle in `dir` with the Lambda's Node, hands `event` to its handler, returns what
   * it answered and the JSON lines it wrote to stdout meanwhile (log lines, embedded metrics).
   */
  async function invokeBundle(dir: string, event: unknown, logLevel = 'silent'): Promise<{ node: string; result: unknown; lines: Record<string, unknown>[] }> {
    const node = lambdaNodeBinary();
    if (!node) {
      throw new Error(
        `No Node ${LAMBDA_NODE_MAJOR} to run the bundles on, as the Lambda does: run \`npm run lambda-node\` once (installs it into .node${LAMBDA_NODE_MAJOR}/, git-ignored), or set PUFA_LAMBDA_NODE.`,
      );
    }
    const script = [
      `const { handler } = await import(${JSON.stringify(pathToFileURL(join(dir, 'index.mjs')).href)});`,
      `const context = { functionName: 'pufa-node-${LAMBDA_NODE_MAJOR}', awsRequestId: 'r1', getRemainingTimeInMillis: () => 20000 };`,
      `const result = await handler(JSON.parse(process.env.EVENT), context);`,
      `process.stdout.write('\\n' + JSON.stringify({ node: process.version, result }));`,
    ].join('\n');
    const { stdout } = await run(node, ['--input-type=module', '-e', script], {
      // Only what the stack sets (and the test endpoint): the bundle brings everything else.
      env: {
        PATH: process.env.PATH ?? '',
        EVENT: JSON.stringify(event),
        PUFA_TABLE_NAME: db.tableName,
        PUFA_COUNTY: county,
        PUFA_DYNAMODB_ENDPOINT: db.endpoint,
        PUFA_LOG_LEVEL: logLevel,
        PUFA_PHONE_KEY_SECRET: TEST_PHONE_KEY_SECRET,
        POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
        AWS_REGION: 'cn-north-1',
        AWS_ACCESS_KEY_ID: 'local',
        AWS_SECRET_ACCESS_KEY: 'local',
      },
      cwd: outDir,
      timeout: 60_000,
    });
    const written = stdout.split('\n').filter((line) => line.trim() !== '');
    const answer = JSON.parse(written.pop() ?? '{}') as { node: string; result: unknown };
    return { ...answer, lines: written.map((line) => JSON.parse(line) as Record<string, unknown>) };
  }

  /**
   * Imports the bundle in `dir` with the Lambda's Node and counts the Intl formatters and
   * segmenters made meanwhile: a process's first one loads ICU data, tens of milliseconds.
   */
  async function intlMadeAtImport(dir: string): Promise<Record<string, number>> {
    const node = lambdaNodeBinary();
    if (!node) throw new Error(`No Node ${LAMBDA_NODE_MAJOR} to run the bundles on: run \`npm run lambda-node\` once.`);
    const script = [
      `const made = {};`,
      `for (const name of ['DateTimeFormat', 'Segmenter', 'NumberFormat', 'Collator', 'PluralRules', 'RelativeTimeFormat', 'ListFormat']) {`,
      `  const count = () => { made[name] = (made[name] ?? 0) + 1; };`,
      `  Intl[name] = new Proxy(Intl[name], { construct: (target, args, newTarget) => (count(), Reflect.construct(target, args, newTarget)), apply: (target, self, args) => (count(), Reflect.apply(target, self, args)) });`,
      `}`,
      `await import(${JSON.stringify(pathToFileURL(join(dir, 'index.mjs')).href)});`,
      `process.stdout.write(JSON.stringify(made));`,
    ].join('\n');
    const { stdout } = await run(node, ['--input-type=module', '-e', script], {
      env: {
        PATH: process.env.PATH ?? '',
        PUFA_TABLE_NAME: db.tableName,
        PUFA_COUNTY: county,
        PUFA_TIME_ZONE: 'Asia/Shanghai',
        PUFA_DYNAMODB_ENDPOINT: db.endpoint,
        PUFA_LOG_LEVEL: 'silent',
        PUFA_PHONE_KEY_SECRET: TEST_PHONE_KEY_SECRET,
        AWS_REGION: 'cn-north-1',
      },
      cwd: outDir,
      timeout: 60_000,
    });
    return JSON.parse(stdout) as Record<string, number>;
  }

  it('the API bundle answers an HTTP API v2 event, reaching the table', async () => {
    const dir = join(outDir, 'api');
    await bundleHandler('functions/handlers/api.ts', dir);
    const { node, result } = await invokeBundle(dir, httpApiEvent('GET', '/health'));
    expect(node).toMatch(new RegExp(`^v${LAMBDA_NODE_MAJOR}\\.`));
    const answer = result as APIGatewayProxyResult;
    expect(answer.statusCode).toBe(200);
    expect(JSON.parse(answer.body)).toMatchObject({ status: 'ok', county, table: { name: db.tableName, reachable: true } });
  }, 90_000);

  it('the API bundle leaves the route groups, the domain schemas, the pages, YAML, CSV, Excel and Secrets Manager code and ICU formatters out of its cold start, and loads them when asked', async () => {
    const dir = join(outDir, 'api-lazy');
    const metafile = await bundleHandler('functions/handlers/api.ts', dir);
    const atStartup = startupInputs(metafile, dir);
    expect(atStartup).toContain('functions/app.ts');
    // Nor Powertools: the API keeps pufa's own logger and emits no metrics (README: dependencies).
    const lazy = [
      /^functions\/pages\//,
      // Route groups (routes/groups.ts) and the domain modules whose schemas the store parses with (store/domain-modules.ts).
      /^functions\/routes\/(?!groups\.ts$)/,
      /^functions\/workflows\//,
      /^functions\/domain\/(activity|audit|delivery|plan|planning|receipt|registry|schedule|sms-budget|station-push|subscriber|phone)\.ts$/,
      /node_modules\/(luxon|rrule|libphonenumber-js|@hono\/zod-openapi|@asteasolutions\/zod-to-openapi|@aws-sdk\/client-sns)\//,
      /node_modules\/yaml\//,
      /node_modules\/csv-(parse|stringify)\//,
      /node_modules\/exceljs\//,
      /node_modules\/@aws-sdk\/client-secrets-manager\//,
      /node_modules\/@aws-lambda-powertools\//,
      // Text-to-speech and the recordings' store: only a broadcast's submit or a listener needs them.
      /^functions\/speech\//,
      // Images for WeChat articles: only an upload or a preview needs them.
      /^functions\/images\//,
      // Activities' evidence and its image decoders: only an upload, a confirmation or a view needs them.
      /^functions\/evidence\//,
      /^functions\/domain\/evidence\.ts$/,
      /node_modules\/(jpeg-js|pngjs|@aws-sdk\/s3-presigned-post)\//,
      /^functions\/domain\/(speech-[a-z]+|mp3)\.ts$/,
      /node_modules\/(pinyin-pro|@aws-sdk\/client-polly|@aws-sdk\/client-s3|@aws-sdk\/s3-request-presigner)\//,
    ];
    expect(atStartup.filter((input) => lazy.some((pattern) => pattern.test(input)))).toEqual([]);
    // Nor does its import build an Intl formatter or segmenter (the config's time-zone check, the
    // broadcast estimate's segmenter): each loads ICU data the first request may not need.
    expect(await intlMadeAtImport(dir)).toEqual({});
    // The pages' chunk is found and imported beside the bundle on the Lambda's Node.
    const { result } = await invokeBundle(dir, httpApiEvent('GET', '/app/login'));
    const answer = result as APIGatewayProxyResult;
    expect(answer.statusCode).toBe(200);
    expect(answer.body).toContain('<form');
    // A route group's chunk likewise: its routes answer (here: no token, 401 as a problem).
    const refused = (await invokeBundle(dir, httpApiEvent('GET', '/campaigns', { query: 'year=2031' }))).result as APIGatewayProxyResult;
    expect(refused.statusCode).toBe(401);
    expect(refused.headers?.['content-type']).toBe('application/problem+json');
    // And the OpenAPI document imports every group.
    const document = (await invokeBundle(dir, httpApiEvent('GET', '/openapi.json'))).result as APIGatewayProxyResult;
    expect(document.statusCode).toBe(200);
    expect(Object.keys((JSON.parse(document.body) as { paths: object }).paths)).toEqual(expect.arrayContaining(['/health', '/campaigns/{id}', '/stations/me/scripts', '/tallies']));
  }, 90_000);

  it("the API bundle logs each request with API Gateway's and Lambda's request ids, and answers with API Gateway's", async () => {
    const dir = join(outDir, 'api-ids');
    await bundleHandler('functions/handlers/api.ts', dir);
    const event = httpApiEvent('GET', '/no-such-route');
    const apiRequestId = (event as { requestContext: { requestId: string } }).requestContext.requestId;
    const { result, lines } = await invokeBundle(dir, event, 'info');
    const answer = result as APIGatewayProxyResult;
    expect(answer.statusCode).toBe(404);
    // The id a caller sees (header and problem body) is the access log's requestId.
    expect(answer.headers?.['x-request-id']).toBe(apiRequestId);
    expect(JSON.parse(answer.body)).toMatchObject({ requestId: apiRequestId });
    const request = lines.find((line) => line.message === 'request');
    expect(request).toMatchObject({ level: 'info', requestId: apiRequestId, apiRequestId, awsRequestId: 'r1', method: 'GET', status: 404 });
    // Nothing else it logged for the request goes without them; and no metrics from the API.
    for (const line of lines.filter((line) => line.awsRequestId !== undefined || line.requestId !== undefined)) expect(line).toMatchObject({ apiRequestId, awsRequestId: 'r1' });
    expect(lines.filter(isEmf)).toEqual([]);
  }, 90_000);

  it('the dispatch bundle runs against the table, reports an empty run, and emits its counts as embedded metrics', async () => {
    const dir = join(outDir, 'dispatch');
    await bundleHandler('functions/handlers/dispatch.ts', dir);
    const { node, result, lines } = await invokeBundle(dir, { source: 'aws.events', 'detail-type': 'Scheduled Event' }, 'info');
    expect(node).toMatch(new RegExp(`^v${LAMBDA_NODE_MAJOR}\\.`));
    expect(result).toMatchObject({ claimed: 0, sent: 0 });
    const [emf, ...more] = lines.filter(isEmf);
    expect(more).toEqual([]);
    expect(emf?._aws.CloudWatchMetrics).toEqual([
      { Namespace: METRICS_NAMESPACE, Dimensions: [['service']], Metrics: Object.values(DISPATCH_METRICS).map((name) => ({ Name: name, Unit: 'Count' })) },
    ]);
    expect(emf).toMatchObject({ service: 'dispatch', DeliveriesSent: 0, DeliveriesFailed: 0 });
    for (const line of lines.filter((line) => !isEmf(line))) expect(line).toMatchObject({ awsRequestId: 'r1' });
  }, 90_000);

  it('the receipts bundle reads a gzipped CloudWatch Logs event, reaches the table, logs with the request id and emits the delivery counts as embedded metrics', async () => {
    const dir = join(outDir, 'receipts');
    await bundleHandler('functions/handlers/receipts.ts', dir);
    const { node, result, lines } = await invokeBundle(dir, foreignReceipt('5e0c0a00-0000-4000-8000-000000000002'), 'info');
    expect(node).toMatch(new RegExp(`^v${LAMBDA_NODE_MAJOR}\\.`));
    expect(result).toMatchObject({ received: 1, unmatched: 1 });
    const [emf, ...more] = lines.filter(isEmf);
    expect(more).toEqual([]);
    expect(emf?._aws.CloudWatchMetrics).toEqual([
      { Namespace: METRICS_NAMESPACE, Dimensions: [['service']], Metrics: Object.values(RECEIPT_METRICS).map((name) => ({ Name: name, Unit: 'Count' })) },
    ]);
    expect(emf).toMatchObject({ service: 'receipts', SmsDelivered: 0, SmsUndelivered: 0, ReceiptsUnmatched: 1 });
    const logged = lines.filter((line) => !isEmf(line));
    expect(logged.length).toBeGreaterThan(0);
    for (const line of logged) expect(line).toMatchObject({ awsRequestId: 'r1' });
  }, 90_000);
});
