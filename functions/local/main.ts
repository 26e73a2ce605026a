/**
 * @module local/main
 * `npm start`: the whole system on one machine. DynamoDB Local (on disk under .pufa-data/, or in
 * memory with --in-memory) plus the same Hono app the Lambda runs, on http://localhost:8787.
 */
import './quiet-sdk-warning.js';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { serve } from '@hono/node-server';
import { z } from 'zod';
import { createApp } from '../app.js';
import { ConfigError } from '../config.js';
import { ensureLocalAdminToken } from './bootstrap.js';
import { ensureLocalPhoneKeySecret } from './phone-secret.js';
import { commandLineActor } from '../domain/audit.js';
import { rekeyPhones } from '../workflows/rekey-phones.js';
import { loadDemoPlans } from './demo.js';
import { printOutboxEntry, startTicker } from './ticker.js';
import { LOCAL_STATION_TOPIC } from './runtime.js';
import { Outbox, startSnsSink } from './sns-sink.js';
import { JavaMissingError, startDynamoDbLocal } from './dynamodb-local.js';
import { clearRunning, DEFAULT_DATA_DIR, dynamoDbDir, localDeps, writeRunning } from './runtime.js';

const CAMPAIGNS_DIR = fileURLToPath(new URL('../../campaigns/', import.meta.url));

const optionsSchema = z.object({
  port: z.coerce.number().int().min(0).max(65535),
  host: z.string().min(1),
  inMemory: z.boolean(),
  dataDir: z.string().min(1),
  demo: z.boolean(),
  tickSeconds: z.coerce.number().int().min(0).max(3600),
  /** Run as if it were this moment (time moves on from there): demos of a key date, and tests. */
  clock: z.iso.datetime({ offset: true, message: 'a date-time with its offset, e.g. 2026-12-04T09:00:00+08:00' }).optional(),
});

function readOptions() {
  const { values } = parseArgs({
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      'in-memory': { type: 'boolean' },
      'data-dir': { type: 'string' },
      'no-demo': { type: 'boolean' },
      tick: { type: 'string' },
      clock: { type: 'string' },
    },
  });
  const env = process.env;
  const parsed = optionsSchema.safeParse({
    port: values.port ?? env.PORT ?? 8787,
    host: values.host ?? env.PUFA_HOST ?? '127.0.0.1',
    inMemory: values['in-memory'] ?? ['1', 'true'].includes(env.PUFA_IN_MEMORY ?? ''),
    dataDir: values['data-dir'] ?? env.PUFA_DATA_DIR ?? DEFAULT_DATA_DIR,
    demo: !(values['no-demo'] ?? ['1', 'true'].includes(env.PUFA_NO_DEMO ?? '')),
    tickSeconds: values.tick ?? env.PUFA_TICK_SECONDS ?? 15,
    clock: values.clock ?? env.PUFA_LOCAL_CLOCK,
  });
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `--${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(problems.map((message) => ({ variable: 'option', message })));
  }
  return parsed.data;
}

/** A clock that reads `start` now and moves on in real time. */
function clockFrom(start: number): () => Date {
  const offset = start - Date.now();
  return () => new Date(Date.now() + offset);
}

async function main(): Promise<void> {
  const options = readOptions();
  const dataDir = resolve(options.dataDir);
  if (!options.inMemory) mkdirSync(dataDir, { recursive: true });

  const database = await startDynamoDbLocal({ dataDir: options.inMemory ? undefined : dynamoDbDir(dataDir) });
  let stopping = false;
  const stopDatabase = async () => {
    if (!options.inMemory) clearRunning(dataDir);
    await database.stop();
  };

  // Every SMS and station push goes through the real SNS client to this local sink.
  const sink = await startSnsSink({ outbox: new Outbox(10_000, printOutboxEntry) });
  try {
    const phoneSecret = process.env.PUFA_PHONE_KEY_SECRET ? undefined : ensureLocalPhoneKeySecret(options.inMemory ? undefined : dataDir);
    const local = await localDeps({
      dynamoDbEndpoint: database.endpoint,
      env: { ...process.env, PUFA_SNS_ENDPOINT: sink.endpoint, PUFA_STATION_TOPIC_ARN: LOCAL_STATION_TOPIC },
      // PUFA_PHONE_KEY_SECRET wins if set; otherwise the data folder's (generated on first start).
      ...(phoneSecret ? { phoneKeySecret: phoneSecret.secret } : {}),
    });
    const { config, store } = local;
    const clock = options.clock ? clockFrom(Date.parse(options.clock)) : local.deps.clock;
    const deps = { ...local.deps, clock };
    const admin = await ensureLocalAdminToken(store, {
      county: config.county,
      dataDir: options.inMemory ? undefined : dataDir,
      now: clock(),
    });
    // Data from before phone keys were secret: re-key it now, under the secret just made.
    const rekeyed =
      phoneSecret?.created && !local.createdTable
        ? await rekeyPhones(store, local.deps.phoneKeys, { now: clock, audit: { actor: commandLineActor('npm start'), county: config.county, timeZone: config.timeZone } })
        : undefined;
    const demo =
      local.createdTable && options.demo
        ? await loadDemoPlans(store, { campaignsDir: CAMPAIGNS_DIR, county: config.county, timeZone: config.timeZone, now: clock(), phoneKeys: local.deps.phoneKeys })
        : [];
    const app = createApp({ ...deps, outbox: sink.outbox });
    const ticker = startTicker(deps, options.tickSeconds);
    const server = serve({ fetch: app.fetch, port: options.port, hostname: options.host }, (info) => {
      const shownHost = options.host === '127.0.0.1' || options.host === '0.0.0.0' ? 'localhost' : options.host;
      const url = `http://${shownHost}:${info.port}`;
      if (!options.inMemory) writeRunning(dataDir, { dynamoDbEndpoint: database.endpoint, snsEndpoint: sink.endpoint, pid: process.pid, url });
      process.stdout.write(
        [
          '',
          `pufa ${config.version} 已启动 (started)`,
          `  URL:        ${url}`,
          `  Web pages:  ${url}/app   (sign in with the admin token below)`,
          `  API docs:   ${url}/docs`,
          `  Database:   DynamoDB Local, ${options.inMemory ? 'in memory (data is lost on stop)' : `on disk in ${dataDir}`}`,
          `  County:     ${config.county}   Table: ${config.tableName}${local.createdTable ? ' (created)' : ''}`,
          ...(options.clock ? [`  Clock:      as if it were ${options.clock} at start, moving on from there`] : []),
          ...(demo.length > 0 ? ['  Demo data (campaigns/, first start only):', ...demo] : []),
          ...(rekeyed
            ? [`  Phone keys: now secret (${dataDir}/phone-key-secret); re-keyed ${rekeyed.subscribers} subscribers, ${rekeyed.deliveries} deliveries, ${rekeyed.optOuts} opt-outs${rekeyed.complete ? '' : ' — not all: run npm run migrate-phone-keys'}`]
            : []),
          `  Admin token${admin.created ? ' (new)' : ''}: ${admin.secret}`,
          `  Try:        curl -H "Authorization: Bearer ${admin.secret}" ${url}/me`,
          `  Dispatcher: ${options.tickSeconds > 0 ? `every ${options.tickSeconds} s` : 'off (npm run dispatch)'}; SMS and station pushes go to a local SNS sink: GET ${url}/outbox`,
          '  Stop with Ctrl-C.',
          '',
        ].join('\n'),
      );
    });

    server.on('error', (error: NodeJS.ErrnoException) => {
      const reason =
        error.code === 'EADDRINUSE'
          ? `Port ${options.port} on ${options.host} is already in use. Stop the other program or choose another port: npm start -- --port 8788`
          : `The server could not listen: ${error.message}`;
      console.error(`pufa cannot start.\n${reason}`);
      stopping = true;
      stopDatabase().finally(() => process.exit(1));
    });

    const shutdown = (signal: string) => {
      if (stopping) return;
      stopping = true;
      process.stdout.write(`\n${signal}: stopping…\n`);
      ticker.stop();
      server.close(() => {
        Promise.all([sink.stop(), ticker.idle()]).then(stopDatabase).then(
          () => process.exit(0),
          (error: unknown) => {
            console.error('DynamoDB Local did not stop cleanly:', error);
            process.exit(1);
          },
        );
      });
    };
    process.on('SIGINT', () => shutdown('SIGINT'));
    process.on('SIGTERM', () => shutdown('SIGTERM'));
  } catch (error) {
    await sink.stop();
    await stopDatabase();
    throw error;
  }
}

main().catch((error: unknown) => {
  if (error instanceof JavaMissingError || error instanceof ConfigError) {
    console.error(`pufa cannot start.\n${error.message}`);
  } else {
    console.error('pufa cannot start:', error);
  }
  process.exit(1);
});
