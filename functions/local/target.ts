/**
 * @module local/target
 * Which system a command-line tool talks to: the running `npm start` (on disk or in memory) if
 * one is up — its DynamoDB Local, its SNS sink and its clock —, otherwise the local data folder
 * opened for the command's duration, or with `--aws` the deployed table named by PUFA_TABLE_NAME
 * (using the usual AWS credentials). Every "now" a CLI uses is the target's clock.
 */
import { loadConfig, type Config } from '../config.js';
import { stationSubscriptionsFromConfig } from '../notify/sns-subscriptions.js';
import type { StationSubscriptions } from '../notify/station-subscriptions.js';
import { createDocumentClient, createDynamoDbClient } from '../store/client.js';
import { createStore, type Store } from '../store/index.js';
import type { PhoneKeys } from '../domain/phone.js';
import { phoneKeysFromConfig } from '../phone-keys.js';
import { version } from '../version.js';
import { CliFailure } from './cli.js';
import { ensureLocalPhoneKeySecret } from './phone-secret.js';
import { onFirstUse } from '../on-first-use.js';
import type { Speech } from '../speech/from-config.js';
import { QUICK_START_JVM_OPTIONS, startDynamoDbLocal, type DynamoDbLocal } from './dynamodb-local.js';
import type { WeChatChannel } from '../wechat/channel.js';
import { wechatFromConfig } from '../wechat/from-config.js';
import { ensureLocalWeChatSecrets } from './wechat-secrets.js';
import { dynamoDbDir, LOCAL_STATION_TOPIC, localDeps, offsetClock, probeRunningServer } from './runtime.js';

export interface Target {
  store: Store;
  county: string;
  config: Config;
  /** The system's clock: the running server's (its `--clock`), else the machine's. */
  clock: () => Date;
  /** The running local server's SNS sink, when the target is a running server that has one. */
  snsEndpoint?: string;
  /** The station topic's subscriptions: the running server's sink, or with --aws the deployed topic; none with no server up. */
  stationSubscriptions?: StationSubscriptions | undefined;
  /** Keys numbers as the system does: the data folder's secret locally (an in-memory server's own); with --aws the deployment's (PUFA_PHONE_KEY_SECRET_ARN), read when first asked. */
  phoneKeys(): Promise<PhoneKeys>;
  /** Where recordings are kept (pushed scripts link to theirs): the data folder's, or with --aws the deployment's bucket. */
  speech: () => Promise<Speech>;
  /** The WeChat account: the running server's (its stand-in, or PUFA_WECHAT_API), or with --aws the deployment's secret; undefined with no server up. */
  wechat: () => Promise<WeChatChannel | undefined>;
  close(): Promise<void>;
}

/**
 * The target as a request of its county sees the system: the county's record, where it has one,
 * gives the time zone, name and SMS signature (as http/county-scope does for the API), so a
 * command-line plan load or token judges dates as the county's pages do.
 */
export async function openTarget(options: { aws: boolean; dataDir: string; county: string | undefined }): Promise<Target> {
  const target = await openUnscopedTarget(options);
  try {
    const record = await target.store.counties.get(target.county);
    if (!record) return target;
    return { ...target, config: { ...target.config, timeZone: record.timeZone, countyName: record.name, smsSignature: record.smsSignature } };
  } catch (error) {
    await target.close();
    throw error;
  }
}

async function openUnscopedTarget(options: { aws: boolean; dataDir: string; county: string | undefined }): Promise<Target> {
  const env = { ...process.env, ...(options.county ? { PUFA_COUNTY: options.county } : {}) };
  if (options.aws) {
    const config = loadConfig(env, version);
    const client = createDynamoDbClient({ region: config.region, endpoint: config.dynamoDbEndpoint });
    const store = createStore(createDocumentClient(client), config.tableName);
    return {
      store,
      county: config.county,
      config,
      clock: () => new Date(),
      stationSubscriptions: stationSubscriptionsFromConfig(config),
      phoneKeys: () => phoneKeysFromConfig(config),
      speech: onFirstUse(async () => (await import('../speech/from-config.js')).speechFromConfig(config)),
      wechat: wechatFromConfig({ config, store, clock: () => new Date() }),
      close: async () => client.destroy(),
    };
  }
  const probe = await probeRunningServer(options.dataDir);
  if (probe.state === 'unanswered') {
    const { server, file } = probe;
    throw new CliFailure(
      `the server in ${file} (pid ${server.pid}, ${server.url}) is running but its database at ${server.dynamoDbEndpoint} does not answer: wait for it or restart it (if no pufa server is running there, delete ${file})`,
    );
  }
  const running = probe.state === 'up' ? probe.server : undefined;
  let database: DynamoDbLocal | undefined;
  // A command's database lives for the command: started as `npm start` starts its own (quick start, small heap work).
  const endpoint = running?.dynamoDbEndpoint ?? (database = await startDynamoDbLocal({ dataDir: dynamoDbDir(options.dataDir), jvmOptions: QUICK_START_JVM_OPTIONS })).endpoint;
  // An in-memory server keys with its own throw-away secret (or PUFA_PHONE_KEY_SECRET, then read
  // from the environment here too); anything else with the data folder's.
  const phoneKeySecret = running?.inMemory ? running.phoneKeySecret : ensureLocalPhoneKeySecret(options.dataDir).secret;
  // The running server's WeChat: its API, and its account (an in-memory server's throw-away one, else the data folder's).
  const wechat = running?.wechatApi ? { secrets: running.wechatSecrets ?? ensureLocalWeChatSecrets(options.dataDir).secrets, apiBase: running.wechatApi } : undefined;
  const local = await localDeps({ dynamoDbEndpoint: endpoint, env, logLevel: 'silent', ...(phoneKeySecret ? { phoneKeySecret } : {}), ...(running?.inMemory ? {} : { audioDir: options.dataDir }), clock: offsetClock(running?.clockOffsetMs ?? 0), wechat }).catch(async (error: unknown) => {
    await database?.stop();
    throw error;
  });
  return {
    store: local.store,
    county: local.config.county,
    config: local.config,
    clock: offsetClock(running?.clockOffsetMs ?? 0),
    ...(running?.snsEndpoint
      ? {
          snsEndpoint: running.snsEndpoint,
          stationSubscriptions: stationSubscriptionsFromConfig({ region: local.config.region, snsEndpoint: running.snsEndpoint, stationTopicArn: LOCAL_STATION_TOPIC }),
        }
      : {}),
    phoneKeys: async () => local.deps.phoneKeys,
    speech: local.deps.speech,
    wechat: local.deps.wechat ?? (async () => undefined),
    close: async () => {
      local.client.destroy();
      await database?.stop();
    },
  };
}
