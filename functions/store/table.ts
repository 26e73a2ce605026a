/**
 * @module store/table
 * The one definition of pufa's DynamoDB table: attribute names, key schema, indexes, TTL.
 * The CDK stack (infra/) and the local server both build the table from this object, so the
 * deployed table and DynamoDB Local cannot drift apart. See ./README.md for the access patterns.
 */

export type KeyAttribute = { name: string; type: 'S' | 'N' };

export interface IndexDefinition {
  indexName: string;
  partitionKey: KeyAttribute;
  sortKey: KeyAttribute;
  /** ALL keeps index reads self-contained; the due index only needs what the dispatcher reads. */
  projection: 'ALL' | 'KEYS_ONLY';
}

export interface TableDefinition {
  partitionKey: KeyAttribute;
  sortKey: KeyAttribute;
  indexes: readonly IndexDefinition[];
  /** Epoch-seconds attribute that DynamoDB's TTL uses to purge expired items (tokens, leases). */
  timeToLiveAttribute: string;
}

export const attr = {
  pk: 'pk',
  sk: 'sk',
  gsi1pk: 'gsi1pk',
  gsi1sk: 'gsi1sk',
  duePk: 'duePk',
  dueAt: 'dueAt',
  expiresAtEpoch: 'ttl',
} as const;

export const indexNames = {
  /** Overloaded secondary index: "list things of a parent, in order" (campaigns by year, tokens by county...). */
  byParent: 'gsi1',
  /** Sparse index of work that is due: only pending deliveries carry duePk/dueAt. */
  due: 'due',
} as const;

export const tableDefinition: TableDefinition = {
  partitionKey: { name: attr.pk, type: 'S' },
  sortKey: { name: attr.sk, type: 'S' },
  indexes: [
    {
      indexName: indexNames.byParent,
      partitionKey: { name: attr.gsi1pk, type: 'S' },
      sortKey: { name: attr.gsi1sk, type: 'S' },
      projection: 'ALL',
    },
    {
      indexName: indexNames.due,
      partitionKey: { name: attr.duePk, type: 'S' },
      sortKey: { name: attr.dueAt, type: 'S' },
      projection: 'ALL',
    },
  ],
  timeToLiveAttribute: attr.expiresAtEpoch,
};

/** Every key attribute the table or an index declares, once each (for CreateTable). */
export function keyAttributes(definition: TableDefinition = tableDefinition): KeyAttribute[] {
  const all = [
    definition.partitionKey,
    definition.sortKey,
    ...definition.indexes.flatMap((index) => [index.partitionKey, index.sortKey]),
  ];
  return [...new Map(all.map((key) => [key.name, key])).values()];
}
