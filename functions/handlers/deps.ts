/**
 * @module handlers/deps
 * Builds the app's dependencies from the Lambda environment, once per process (cold start).
 * A missing or bad variable fails the cold start with a ConfigError that names it; so does a
 * phone-key secret that cannot be read (nothing is keyed with a wrong or missing secret).
 */
import { loadConfig } from '../config.js';
import type { AppDeps } from '../http/env.js';
import { createLogger } from '../http/logger.js';
import { createDocumentClient, createDynamoDbClient } from '../store/client.js';
import { createStore } from '../store/index.js';
import { phoneKeysFromConfig } from '../phone-keys.js';
import { version } from '../version.js';

/** What every function builds alike; the API adds its speech engine (handlers/api), which the others may not use. */
export type BaseDeps = Omit<AppDeps, 'speech'>;

export async function depsFromEnvironment(env: Record<string, string | undefined>): Promise<BaseDeps> {
  const config = loadConfig(env, version);
  const client = createDynamoDbClient({ region: config.region, endpoint: config.dynamoDbEndpoint });
  return {
    config,
    store: createStore(createDocumentClient(client), config.tableName),
    clock: () => new Date(),
    logger: createLogger({ level: config.logLevel }),
    phoneKeys: await phoneKeysFromConfig(config),
  };
}
