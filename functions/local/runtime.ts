/**
 * @module local/runtime
 * The pieces `npm start`, the CLIs and the tests share: where local data lives, how to reach a
 * running local server (its database, sink and clock), and how to build the app's dependencies on it.
 */
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ListTablesCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { z } from 'zod';
import { wechatChannel, wechatSecretsSchema, type WeChatSecrets } from '../wechat/channel.js';
import { loadConfig, type Config } from '../config.js';
import type { AppDeps } from '../http/env.js';
import { createLogger, type Logger } from '../http/logger.js';
import { createDocumentClient, createDynamoDbClient } from '../store/client.js';
import { ensureTable } from '../store/create-table.js';
import { createStore, type Store } from '../store/index.js';
import { onFirstUse } from '../on-first-use.js';
import { version } from '../version.js';
import { phoneKeysFromConfig } from '../phone-keys.js';

export { DEFAULT_DATA_DIR, dynamoDbDir } from './paths.js';
export const LOCAL_TABLE_NAME = 'pufa-local';

/**
 * Written by a running `npm start` (on disk or `--in-memory`) into its data folder, so the CLIs
 * reach that server — its database, its SNS sink and its clock — instead of opening the files
 * twice. An in-memory server also writes its throw-away phone-key secret here, so a CLI keys
 * numbers as the server does: the file is 0600 and removed when the server stops.
 */
const RUNNING_FILE = 'running.json';
const runningSchema = z.object({
  dynamoDbEndpoint: z.url(),
  snsEndpoint: z.url().optional(),
  pid: z.number().int(),
  url: z.url(),
  /** The server's clock minus the real one (its `--clock`), in ms: the CLIs run on the server's time. */
  clockOffsetMs: z.number().int().default(0),
  inMemory: z.boolean().default(false),
  /** An in-memory server's throw-away phone-key secret (absent when PUFA_PHONE_KEY_SECRET set it). */
  phoneKeySecret: z.string().min(1).optional(),
  /** The WeChat API the server sends through (the local stand-in, or PUFA_WECHAT_API). */
  wechatApi: z.url().optional(),
  /** An in-memory server's throw-away WeChat secrets (a server on disk keeps them in wechat.json). */
  wechatSecrets: wechatSecretsSchema.optional(),
});

/** Locally the station topic is a name the sink records and routes to the endpoints subscribed to it (sns-subscriptions.ts). */
export const LOCAL_STATION_TOPIC = 'arn:aws:sns:local:000000000000:pufa-stations';
export type RunningServer = z.infer<typeof runningSchema>;

export function runningFile(dataDir: string): string {
  return join(resolve(dataDir), RUNNING_FILE);
}

export function writeRunning(dataDir: string, running: z.input<typeof runningSchema>): void {
  const file = runningFile(dataDir);
  const next = `${file}.${process.pid}.tmp`;
  // Written whole, then renamed over: a CLI never reads half a file. 0600: it may hold a secret.
  writeFileSync(next, JSON.stringify(running, null, 2), { mode: 0o600 });
  renameSync(next, file);
}

/** Removes the running file if it is this process's (`pid`): another server's entry stays. */
export function clearRunning(dataDir: string, pid: number = process.pid): void {
  const file = runningFile(dataDir);
  if (readRunning(file)?.pid === pid) rmSync(file, { force: true });
}

function readRunning(file: string): RunningServer | undefined {
  if (!existsSync(file)) return undefined;
  try {
    const parsed = runningSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined; // unreadable or not JSON: not a server anyone can reach
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'; // alive, someone else's
  }
}

async function answers(check: () => Promise<unknown>): Promise<boolean> {
  try {
    await check();
    return true;
  } catch {
    return false;
  }
}

/**
 * What the data folder's running file says, checked: `up` (its process lives and its database
 * answers), `unanswered` (its process lives and its web server answers, but its database does
 * not: neither using it nor opening the folder behind its back is right), or `none` (no file, or
 * a stale one from a server that was killed: not trusted).
 */
export async function probeRunningServer(dataDir: string): Promise<{ state: 'none' } | { state: 'up' | 'unanswered'; server: RunningServer; file: string }> {
  const file = runningFile(dataDir);
  const server = readRunning(file);
  if (!server || !processAlive(server.pid)) return { state: 'none' };
  const client = createDynamoDbClient({ region: 'local', endpoint: server.dynamoDbEndpoint });
  try {
    if (await answers(() => client.send(new ListTablesCommand({ Limit: 1 })))) return { state: 'up', server, file };
  } finally {
    client.destroy();
  }
  const webUp = await answers(() => fetch(new URL('/health', server.url), { signal: AbortSignal.timeout(3_000) }).then((response) => response.body?.cancel()));
  return webUp ? { state: 'unanswered', server, file } : { state: 'none' };
}

/** The running local server, if one is up and its database answering. */
export async function findRunningServer(dataDir: string): Promise<RunningServer | undefined> {
  const probe = await probeRunningServer(dataDir);
  return probe.state === 'up' ? probe.server : undefined;
}

/** A clock `offsetMs` ahead of the real one (behind if negative), moving on in real time. */
export function offsetClock(offsetMs: number): () => Date {
  return offsetMs === 0 ? () => new Date() : () => new Date(Date.now() + offsetMs);
}

export interface LocalDeps {
  deps: AppDeps;
  client: DynamoDBClient;
  store: Store;
  config: Config;
  logger: Logger;
  /** True when this call created the table (a first start). */
  createdTable: boolean;
}

/** Builds the app's dependencies against a DynamoDB Local endpoint, creating the table if missing. */
export async function localDeps(options: {
  dynamoDbEndpoint: string;
  env?: Record<string, string | undefined>;
  tableName?: string;
  logLevel?: Config['logLevel'];
  /** The phone-key secret (the data folder's, or a throw-away one); else PUFA_PHONE_KEY_SECRET(_ARN) from env. */
  phoneKeySecret?: string;
  /** The folder broadcast recordings are kept under (in its `audio/`; article images in its `images/`): the data folder; default a throw-away one per table. */
  audioDir?: string;
  /** The system's clock (a --clock's, a test's): the app's, and what recording links are signed and checked by. */
  clock?: () => Date;
  /** The WeChat account: its secrets and the API to call (the local stand-in's endpoint); none: no WeChat channel. */
  wechat?: { secrets: WeChatSecrets; apiBase: string } | undefined;
}): Promise<LocalDeps> {
  const config = loadConfig(
    {
      PUFA_TABLE_NAME: options.tableName ?? LOCAL_TABLE_NAME,
      ...options.env,
      PUFA_DYNAMODB_ENDPOINT: options.dynamoDbEndpoint,
      ...(options.logLevel ? { PUFA_LOG_LEVEL: options.logLevel } : {}),
    },
    version,
  );
  const client = createDynamoDbClient({ region: config.region, endpoint: config.dynamoDbEndpoint });
  const createdTable = await ensureTable(client, config.tableName);
  const store = createStore(createDocumentClient(client), config.tableName);
  const logger = createLogger({ level: config.logLevel });
  const phoneKeys = await phoneKeysFromConfig(config, options.phoneKeySecret);
  const clock = options.clock ?? (() => new Date());
  const speech = onFirstUse(async () => {
    const { speechFromConfig } = await import('../speech/from-config.js');
    // Links to recordings are signed with a key made from the phone-key secret: the server and the
    // CLIs on the same data folder sign and check alike, and no second secret needs keeping.
    return speechFromConfig(config, { dataDir: options.audioDir ?? join(tmpdir(), 'pufa-recordings', config.tableName), linkSecret: phoneKeys.derive('audio-links'), now: clock });
  });
  const { wechat } = options;
  const wechatDeps = wechat
    ? { wechat: onFirstUse(async () => wechatChannel({ store, county: config.county, clock, secrets: wechat.secrets, apiBase: wechat.apiBase, massSendProtection: config.wechat.massSendProtection })) }
    : {};
  // Images for WeChat articles go in the same folder as the recordings (its `images/`).
  const images = onFirstUse(async () => (await import('../images/from-config.js')).imagesFromConfig(config, { dataDir: options.audioDir ?? join(tmpdir(), 'pufa-recordings', config.tableName) }));
  // Activities' evidence too (its `evidence/`); the local upload forms are signed with a key made from the phone-key secret, as recording links are.
  const evidence = onFirstUse(async () =>
    (await import('../evidence/from-config.js')).evidenceFromConfig(config, { dataDir: options.audioDir ?? join(tmpdir(), 'pufa-recordings', config.tableName), uploadSecret: phoneKeys.derive('evidence-uploads') }),
  );
  return { deps: { config, store, clock, logger, phoneKeys, speech, images, evidence, ...wechatDeps }, client, store, config, logger, createdTable };
}
