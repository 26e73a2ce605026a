/**
 * @module local/runtime
 * The pieces `npm start`, `npm run token` and the tests share: where local data lives, how to
 * reach a running local server's database, and how to build the app's dependencies on it.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ListTablesCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { z } from 'zod';
import { loadConfig, type Config } from '../config.js';
import type { AppDeps } from '../http/env.js';
import { createLogger, type Logger } from '../http/logger.js';
import { createDocumentClient, createDynamoDbClient } from '../store/client.js';
import { ensureTable } from '../store/create-table.js';
import { createStore, type Store } from '../store/index.js';
import { version } from '../version.js';
import { phoneKeysFromConfig } from '../phone-keys.js';

export { DEFAULT_DATA_DIR, dynamoDbDir } from './paths.js';
export const LOCAL_TABLE_NAME = 'pufa-local';

/** Written by a running `npm start` so the CLI can use its database instead of opening the files twice. */
const RUNNING_FILE = 'running.json';
const runningSchema = z.object({ dynamoDbEndpoint: z.url(), snsEndpoint: z.url().optional(), pid: z.number().int(), url: z.url() });

/** Locally the station topic is a name the sink records; it has no subscribers to route to. */
export const LOCAL_STATION_TOPIC = 'arn:aws:sns:local:000000000000:pufa-stations';
export type RunningServer = z.infer<typeof runningSchema>;

export function writeRunning(dataDir: string, running: RunningServer): void {
  writeFileSync(join(dataDir, RUNNING_FILE), JSON.stringify(running, null, 2));
}

export function clearRunning(dataDir: string): void {
  rmSync(join(dataDir, RUNNING_FILE), { force: true });
}

/** The running local server's database endpoint, if one is up and answering. */
export async function findRunningServer(dataDir: string): Promise<RunningServer | undefined> {
  const file = join(dataDir, RUNNING_FILE);
  if (!existsSync(file)) return undefined;
  const parsed = runningSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  if (!parsed.success) return undefined;
  const client = createDynamoDbClient({ region: 'local', endpoint: parsed.data.dynamoDbEndpoint });
  try {
    await client.send(new ListTablesCommand({ Limit: 1 }));
    return parsed.data;
  } catch {
    return undefined; // a stale file from a server that was killed: treat as not running
  } finally {
    client.destroy();
  }
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
  return { deps: { config, store, clock: () => new Date(), logger, phoneKeys }, client, store, config, logger, createdTable };
}
