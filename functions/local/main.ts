/**
 * @module local/main
 * `npm start`: the whole system on one machine. DynamoDB Local (on disk under .pufa-data/, or in
 * memory with --in-memory) plus the same Hono app the Lambda runs, on http://localhost:8787.
 */
import './quiet-sdk-warning.js';
import { existsSync, mkdirSync, mkdtempSync, rmdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { ConfigError } from '../config.js';
import { version } from '../version.js';
import { JavaMissingError, QUICK_START_JVM_OPTIONS, startDynamoDbLocal } from './dynamodb-local.js';
import { DEFAULT_DATA_DIR, dynamoDbDir } from './paths.js';
import { localReceiptOptions } from './receipt-options.js';

// Only what is needed to launch the database is imported above. The app, the SDK and the store
// are loaded while the JVM starts (a few seconds each on a busy machine; see bench/first-start.ts).
async function loadModules() {
  const [nodeServer, app, bootstrap, phoneSecret, audit, rekey, demo, ticker, runtime, sink, pushes, receipts, wechatSink, wechatSecrets] = await Promise.all([
    import('@hono/node-server'),
    import('../app.js'),
    import('./bootstrap.js'),
    import('./phone-secret.js'),
    import('../domain/audit.js'),
    import('../workflows/rekey-phones.js'),
    import('./demo.js'),
    import('./ticker.js'),
    import('./runtime.js'),
    import('./sns-sink.js'),
    import('../notify/sns-subscriptions.js'),
    import('./receipts.js'),
    import('./wechat-sink.js'),
    import('./wechat-secrets.js'),
  ]);
  return { ...nodeServer, ...app, ...bootstrap, ...phoneSecret, ...audit, ...rekey, ...demo, ...ticker, ...runtime, ...sink, ...pushes, ...receipts, ...wechatSink, ...wechatSecrets };
}

const CAMPAIGNS_DIR = fileURLToPath(new URL('../../campaigns/', import.meta.url));

const optionsSchema = z.object({
  port: z.coerce.number().int().min(0).max(65535),
  host: z.string().min(1),
  inMemory: z.boolean(),
  dataDir: z.string().min(1),
  demo: z.boolean(),
  tickSeconds: z.coerce.number().int().min(0).max(3600),
  /** The local WeChat stand-in's account type: 订阅号 (one mass send a day) or 服务号. */
  wechatAccount: z.enum(['subscription', 'service']),
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
    wechatAccount: env.PUFA_LOCAL_WECHAT_ACCOUNT ?? 'subscription',
    clock: values.clock ?? env.PUFA_LOCAL_CLOCK,
  });
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `--${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(problems.map((message) => ({ variable: 'option', message })));
  }
  // Carrier receipts the local sink makes for each SMS (local/receipt-options.ts).
  return { ...parsed.data, receipts: localReceiptOptions(env) };
}

/** Seconds since this process started (node, tsx, then our steps). */
const elapsed = () => process.uptime().toFixed(1).padStart(5);
/** One line a step, as it happens: `  [  2.1 s] 数据库就绪 (database ready) …`. */
const step = (text: string) => process.stdout.write(`  [${elapsed()} s] ${text}\n`);
const since = (from: number) => `${((performance.now() - from) / 1000).toFixed(1)} s`;

async function main(): Promise<void> {
  const options = readOptions();
  const dataDir = resolve(options.dataDir);
  if (!options.inMemory) mkdirSync(dataDir, { recursive: true });
  process.stdout.write(`pufa ${version} 启动中 (starting)…\n`);

  // The JVM first, then the rest of the code while it starts.
  let phase = performance.now();
  let launched: () => void = () => undefined;
  const launching = new Promise<void>((done) => (launched = done));
  const databaseStarting = startDynamoDbLocal({ dataDir: options.inMemory ? undefined : dynamoDbDir(dataDir), jvmOptions: QUICK_START_JVM_OPTIONS, onLaunched: launched });
  databaseStarting.then(
    () => step(`数据库就绪 (database ready): DynamoDB Local ${options.inMemory ? 'in memory' : `on disk in ${dataDir}`}, ${since(phase)}`),
    () => undefined, // reported by main's caller
  );
  await Promise.race([launching, databaseStarting]);
  step('数据库启动中 (database starting): DynamoDB Local…');
  const modulesLoading = loadModules();
  modulesLoading.then(
    () => step(`程序已载入 (code loaded), ${since(phase)}`),
    () => undefined,
  );
  modulesLoading.catch(() => undefined); // awaited below, once the database is up
  const database = await databaseStarting; // a database that cannot start (no Java) fails at once
  const m = await modulesLoading.catch(async (error: unknown) => {
    await database.stop();
    throw error;
  });

  // The system's clock: --clock's moment now, moving on in real time. The sink, the app, the
  // ticker and (through the running file) the CLIs all read it.
  const clockOffsetMs = options.clock ? Date.parse(options.clock) - Date.now() : 0;
  const clock = m.offsetClock(clockOffsetMs);

  let stopping = false;
  // An in-memory server makes its data folder only to hold the running file, and removes it again.
  const madeDataDir = options.inMemory && !existsSync(dataDir);
  // Its recordings go to a throw-away folder, removed on stop like the database.
  const throwAwayRecordings = options.inMemory ? mkdtempSync(join(tmpdir(), 'pufa-recordings-')) : undefined;
  const stopDatabase = async () => {
    m.clearRunning(dataDir);
    if (throwAwayRecordings) rmSync(throwAwayRecordings, { recursive: true, force: true });
    if (madeDataDir) {
      try {
        rmdirSync(dataDir);
      } catch {
        // something else was put there meanwhile: leave it
      }
    }
    await database.stop();
  };

  // Every SMS and station push goes through the real SNS client to this local sink.
  // Station receivers subscribed to the topic get each push signed, as from SNS; every delivery is printed.
  // Each SMS gets its carrier receipt, applied through the receipts Lambda's code (local/receipts.ts).
  let receiptTarget: import('./receipts.js').ReceiptTarget | undefined;
  const sink = await m.startSnsSink({
    outbox: new m.Outbox(10_000, m.printOutboxEntry),
    clock,
    receipts: m.sinkReceipts(options.receipts, () => receiptTarget),
    subscriptions: {
      onPush: (push) =>
        process.stdout.write(
          `[push] ${push.kind === 'confirmation' ? '订阅确认请求' : '推送'} → ${push.endpoint}: ${push.outcome === 'delivered' ? '已送达' : `失败 (${push.error ?? ''})`}, ${push.attempts} 次\n`,
        ),
    },
  });
  // WeChat's API, played by a local stand-in with the data folder's invented account (or a real
  // account's API, when PUFA_WECHAT_API names one and wechat.json holds its secrets).
  const wechatSecrets = m.ensureLocalWeChatSecrets(options.inMemory ? undefined : dataDir).secrets;
  const realWeChat = process.env.PUFA_WECHAT_API;
  const wechatOutbox = new m.WeChatOutbox();
  const wechatSink = realWeChat
    ? undefined
    : await m.startWeChatSink({
        appId: wechatSecrets.appId,
        appSecret: wechatSecrets.appSecret,
        accountType: options.wechatAccount,
        followers: 1_200,
        tags: { 100: 300 },
        clock,
        outbox: wechatOutbox,
        protection: process.env.PUFA_WECHAT_MASS_SEND_PROTECTION === 'true',
        finishDelayMs: 3_000,
      });
  const wechatApi = realWeChat ?? wechatSink?.endpoint ?? '';
  try {
    phase = performance.now();
    const phoneSecret = process.env.PUFA_PHONE_KEY_SECRET ? undefined : m.ensureLocalPhoneKeySecret(options.inMemory ? undefined : dataDir);
    const local = await m.localDeps({
      dynamoDbEndpoint: database.endpoint,
      env: { ...process.env, PUFA_SNS_ENDPOINT: sink.endpoint, PUFA_STATION_TOPIC_ARN: m.LOCAL_STATION_TOPIC },
      // PUFA_PHONE_KEY_SECRET wins if set; otherwise the data folder's (generated on first start).
      ...(phoneSecret ? { phoneKeySecret: phoneSecret.secret } : {}),
      // Recordings beside the database; an in-memory server's go to a throw-away folder.
      audioDir: throwAwayRecordings ?? dataDir,
      clock,
      wechat: { secrets: wechatSecrets, apiBase: wechatApi },
    });
    const { config, store } = local;
    step(`数据表 (table): ${config.tableName} ${local.createdTable ? 'created' : 'found'}, ${since(phase)}`);
    const deps = { ...local.deps, clock };
    receiptTarget = { store, clock, logger: deps.logger };
    // Another server already registered in this folder (both started on it) keeps the CLIs.
    const registered = await m.probeRunningServer(dataDir);
    const other = registered.state !== 'none' && registered.server.pid !== process.pid ? registered.server : undefined;
    phase = performance.now();
    const admin = await m.ensureLocalAdminToken(store, {
      county: config.county,
      dataDir: options.inMemory ? undefined : dataDir,
      now: clock(),
      timeZone: config.timeZone,
    });
    step(`管理员令牌 (admin token): ${admin.created ? 'issued' : 'found'}, ${since(phase)}`);
    // Data from before phone keys were secret: re-key it now, under the secret just made.
    phase = performance.now();
    const rekeyed =
      phoneSecret?.created && !local.createdTable
        ? await m.rekeyPhones(store, local.deps.phoneKeys, { now: clock, audit: { actor: m.commandLineActor('npm start'), county: config.county, timeZone: config.timeZone } })
        : undefined;
    if (rekeyed) step(`手机号密钥 (phone keys): re-keyed, ${since(phase)}`);
    // The demo data loads once the server answers: a first start is usable (and /health is 200) sooner.
    const loadDemo = local.createdTable && options.demo;
    const app = m.createApp({ ...deps, outbox: sink.outbox, wechatOutbox, stationSubscriptions: m.stationSubscriptionsFromConfig(config) });
    const ticker = m.startTicker(deps, options.tickSeconds);
    const server = m.serve({ fetch: app.fetch, port: options.port, hostname: options.host }, (info) => {
      const shownHost = options.host === '127.0.0.1' || options.host === '0.0.0.0' ? 'localhost' : options.host;
      const url = `http://${shownHost}:${info.port}`;
      // The stand-in posts each mass send's result (MASSSENDJOBFINISH) back here, signed with the account's Token.
      wechatSink?.setCallback({ url: `http://127.0.0.1:${info.port}/wechat/callback`, token: wechatSecrets.callbackToken });
      let clis = `npm run token, dispatch, import, plan, reconcile${options.dataDir === DEFAULT_DATA_DIR ? '' : ` (with --data-dir ${options.dataDir})`} use this server: its database and clock`;
      if (other) {
        clis = `they use the server already registered in ${dataDir} (pid ${other.pid}, ${other.url}); give this one a --data-dir of its own`;
      } else {
        try {
          if (madeDataDir) mkdirSync(dataDir, { recursive: true });
          m.writeRunning(dataDir, {
            dynamoDbEndpoint: database.endpoint,
            snsEndpoint: sink.endpoint,
            wechatApi,
            ...(options.inMemory ? { wechatSecrets } : {}),
            pid: process.pid,
            url,
            clockOffsetMs,
            inMemory: options.inMemory,
            // The throw-away secret, for CLIs that key numbers (import): the file is 0600 and goes on stop.
            ...(options.inMemory && phoneSecret ? { phoneKeySecret: phoneSecret.secret } : {}),
          });
        } catch (error) {
          clis = `they cannot reach this server: ${error instanceof Error ? error.message : String(error)}`;
        }
      }
      process.stdout.write(
        [
          '',
          `pufa ${config.version} 已启动 (started) in ${process.uptime().toFixed(1)} s`,
          `  URL:        ${url}`,
          `  Web pages:  ${url}/app   (sign in with the admin token below)`,
          `  API docs:   ${url}/docs`,
          `  Database:   DynamoDB Local, ${options.inMemory ? 'in memory (data is lost on stop)' : `on disk in ${dataDir}`}`,
          `  County:     ${config.county}   Table: ${config.tableName}${local.createdTable ? ' (created)' : ''}`,
          ...(options.clock ? [`  Clock:      as if it were ${options.clock} at start, moving on from there`] : []),
          ...(loadDemo ? ['  Demo data:  示例数据载入中 (demo data loading) from campaigns/, first start only…'] : []),
          ...(rekeyed
            ? [`  Phone keys: now secret (${dataDir}/phone-key-secret); re-keyed ${rekeyed.subscribers} subscribers, ${rekeyed.deliveries} deliveries, ${rekeyed.optOuts} opt-outs${rekeyed.complete ? '' : ' — not all: run npm run migrate-phone-keys'}`]
            : []),
          `  Admin token${admin.created ? ' (new)' : ''}: ${admin.secret}`,
          `  Try:        curl -H "Authorization: Bearer ${admin.secret}" ${url}/me`,
          `  CLIs:       ${clis}`,
          `  Dispatcher: ${options.tickSeconds > 0 ? `every ${options.tickSeconds} s` : 'off (npm run dispatch)'}; SMS and station pushes go to a local SNS sink: GET ${url}/outbox`,
          `  Pushes:     stations with a pushEndpoint are subscribed at the sink (${sink.endpoint}); try npm run station-receiver -- --token <station token> --api ${url}`,
          realWeChat
            ? `  WeChat:     ${realWeChat}, with the account in ${dataDir}/wechat.json`
            : `  WeChat:     a local stand-in (${wechatApi}), ${options.wechatAccount === 'service' ? '服务号' : '订阅号'} with 1,200 followers (300 under tag 100); mass sends on the outbox page ${url}/app/outbox`,
          `  Receipts:   each SMS gets a carrier receipt after ${options.receipts.delayMs} ms, ${Math.round(options.receipts.failureShare * 100)}% undelivered (PUFA_LOCAL_RECEIPT_DELAY_MS, PUFA_LOCAL_RECEIPT_FAILURE_SHARE)`,
          '  Stop with Ctrl-C.',
          '',
        ].join('\n'),
      );
      if (!loadDemo) return;
      const demoStarted = performance.now();
      m.loadDemoPlans(store, { campaignsDir: CAMPAIGNS_DIR, county: config.county, timeZone: config.timeZone, now: clock(), phoneKeys: local.deps.phoneKeys }).then(
        (lines) => step(`示例数据已载入 (demo data ready), ${since(demoStarted)}:\n${lines.join('\n')}`),
        (error: unknown) => {
          if (!stopping) step(`示例数据未能载入 (demo data failed): ${error instanceof Error ? error.message : String(error)}`);
        },
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
        Promise.all([sink.stop(), wechatSink?.stop(), ticker.idle()]).then(stopDatabase).then(
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
    await wechatSink?.stop();
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
