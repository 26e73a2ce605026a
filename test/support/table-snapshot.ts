/**
 * The whole table as a comparable value, to prove a refused request wrote nothing: every item as
 * canonical JSON (keys and sets sorted), sorted. A Scan — fine in a test, never in the app.
 */
import { ScanCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';

/** Raw attribute values and no ConsistentRead: DynamoDB Local is one node, and this is faster. */
export async function tableItems(client: DynamoDBClient, tableName: string): Promise<string[]> {
  const items: string[] = [];
  let startKey: Record<string, AttributeValue> | undefined;
  do {
    const page = await client.send(new ScanCommand({ TableName: tableName, ExclusiveStartKey: startKey }));
    for (const item of page.Items ?? []) items.push(JSON.stringify(canonical(item)));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return items.sort();
}

function canonical(value: unknown, key = ''): unknown {
  if (Array.isArray(value)) {
    const items = value.map((item) => canonical(item));
    // String, number and binary sets have no order.
    return ['SS', 'NS', 'BS'].includes(key) ? items.map((item) => JSON.stringify(item)).sort() : items;
  }
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([name, inner]) => [name, canonical(inner, name)]),
    );
  }
  return value;
}

/** Items that appeared and items that went (a changed item is both). */
export function changes(before: readonly string[], after: readonly string[]): { added: string[]; removed: string[] } {
  const had = new Set(before);
  const has = new Set(after);
  return { added: after.filter((item) => !had.has(item)), removed: before.filter((item) => !has.has(item)) };
}
