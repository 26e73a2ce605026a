/**
 * @module local/paths
 * Where local data lives. Kept apart from local/runtime (which loads the SDK and the store) so
 * `npm start` can launch DynamoDB Local before it loads the rest of the code.
 */
import { join, resolve } from 'node:path';

export const DEFAULT_DATA_DIR = '.pufa-data';

export function dynamoDbDir(dataDir: string): string {
  return join(resolve(dataDir), 'dynamodb');
}
