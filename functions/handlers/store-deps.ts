/**
 * @module handlers/store-deps
 * The dependencies every Lambda builds from its environment, once per process: config, store,
 * clock and logger. Functions that key phone numbers add the phone keys (handlers/deps.ts); the
 * receipts function needs none, so it neither reads the phone-key secret nor is granted it.
 */
import { loadConfig, type Config } from '../config.js';
import type { Clock } from '../http/env.js';
import { createLogger, type Logger } from '../http/logger.js';
import { createDocumentClient, createDynamoDbClient } from '../store/client.js';
import { createStore, type Store } from '../store/index.js';
import { version } from '../version.js';

export interface StoreDeps {
  config: Config;
  store: Store;
  clock: Clock;
  logger: Logger;
}

export function storeDepsFromEnvironment(env: Record<string, string | undefined>): StoreDeps {
  const config = loadConfig(env, version);
  const client = createDynamoDbClient({ region: config.region, endpoint: config.dynamoDbEndpoint });
  return {
    config,
    store: createStore(createDocumentClient(client), config.tableName),
    clock: () => new Date(),
    logger: createLogger({ level: config.logLevel }),
  };
}
