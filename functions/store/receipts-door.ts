/**
 * @module store/receipts-door
 * The part of the store the receipts Lambda needs — deliveries, which apply receipts — built on
 * its own, so that function's role is granted only what this part sends (test/infra/grants.test.ts
 * follows the imports) and it never reads the phone-key secret. A whole `Store` fits it too.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DeliveryStore } from './deliveries.js';

export interface ReceiptsStore {
  deliveries: Pick<DeliveryStore, 'applyReceipt'>;
}

export function createReceiptsStore(db: DynamoDBDocumentClient, tableName: string): ReceiptsStore {
  return { deliveries: new DeliveryStore(db, tableName) };
}
