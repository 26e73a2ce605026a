/**
 * @module store/internal
 * The store's own hold on its client and table name. Only modules of functions/store import
 * this (test/architecture/walls.test.ts checks it): everything else reaches the table through
 * the store's methods. Admin tools that are kept out of the Lambdas (the phone re-keying Scan)
 * build their repositories from it.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export interface TableAccess {
  db: DynamoDBDocumentClient;
  tableName: string;
}

const tables = new WeakMap<object, TableAccess>();

export function holdTable(store: object, access: TableAccess): void {
  tables.set(store, access);
}

export function tableOf(store: object): TableAccess {
  const access = tables.get(store);
  if (!access) throw new Error('not a store built by createStore');
  return access;
}
