/**
 * @module local/target
 * Which database a command-line tool talks to: the running `npm start`'s DynamoDB Local if one
 * is up, otherwise the local data folder opened for the command's duration, or with `--aws` the
 * deployed table named by PUFA_TABLE_NAME (using the usual AWS credentials).
 */
import { loadConfig, type Config } from '../config.js';
import { createDocumentClient, createDynamoDbClient } from '../store/client.js';
import { createStore, type Store } from '../store/index.js';
import type { PhoneKeys } from '../domain/phone.js';
import { phoneKeysFromConfig } from '../phone-keys.js';
import { version } from '../version.js';
import { ensureLocalPhoneKeySecret } from './phone-secret.js';
import { startDynamoDbLocal, type DynamoDbLocal } from './dynamodb-local.js';
import { dynamoDbDir, findRunningServer, localDeps } from './runtime.js';

export interface Target {
  store: Store;
  county: string;
  config: Config;
  /** Keys numbers: the data folder's secret locally; with --aws the deployment's (PUFA_PHONE_KEY_SECRET_ARN), read when first asked. */
  phoneKeys(): Promise<PhoneKeys>;
  close(): Promise<void>;
}

export async function openTarget(options: { aws: boolean; dataDir: string; county: string | undefined }): Promise<Target> {
  const env = { ...process.env, ...(options.county ? { PUFA_COUNTY: options.county } : {}) };
  if (options.aws) {
    const config = loadConfig(env, version);
    const client = createDynamoDbClient({ region: config.region, endpoint: config.dynamoDbEndpoint });
    return {
      store: createStore(createDocumentClient(client), config.tableName),
      county: config.county,
      config,
      phoneKeys: () => phoneKeysFromConfig(config),
      close: async () => client.destroy(),
    };
  }
  const running = await findRunningServer(options.dataDir);
  let database: DynamoDbLocal | undefined;
  const endpoint = running?.dynamoDbEndpoint ?? (database = await startDynamoDbLocal({ dataDir: dynamoDbDir(options.dataDir) })).endpoint;
  const local = await localDeps({ dynamoDbEndpoint: endpoint, env, logLevel: 'silent', phoneKeySecret: ensureLocalPhoneKeySecret(options.dataDir).secret });
  return {
    store: local.store,
    county: local.config.county,
    config: local.config,
    phoneKeys: async () => local.deps.phoneKeys,
    close: async () => {
      local.client.destroy();
      await database?.stop();
    },
  };
}
