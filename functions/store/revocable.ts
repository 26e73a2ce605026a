/**
 * @module store/revocable
 * Secrets kept as records keyed by their hash and listed per county on the byParent index —
 * access tokens (store/tokens.ts) and calendar feed keys (store/feeds.ts): listing a county's, and
 * revoking one by id. Revoking is one conditional update filed with its audit entry; revoking twice
 * is not an error: the first revocation stands, the second changes nothing and files nothing.
 */
import { QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AuditEntry } from '../domain/audit.js';
import { Conflict, NotFound } from '../domain/errors.js';
import { writeWithAudit } from './audit.js';
import { conditionally, itemExists } from './conditions.js';
import type { Page } from './paging.js';
import { queryPage } from './query.js';
import { attr, indexNames } from './table.js';

export interface RevocableKind<R extends { revokedAt?: string | undefined }> {
  /** For messages: "token", "calendar feed". */
  noun: string;
  ofCounty: (county: string) => { gsi1pk: string };
  inCounty: (id: string) => { gsi1sk: string };
  /** Items are parsed, not cast: a malformed item fails loudly here instead of leaking onward. */
  parse: (item: Record<string, unknown>) => R | Promise<R>;
}

const notYetRevoked = 'attribute_not_exists(revokedAt)';

export async function pageOfCounty<R extends { revokedAt?: string | undefined }>(
  db: DynamoDBDocumentClient,
  tableName: string,
  kind: RevocableKind<R>,
  county: string,
  options: { limit: number; cursor?: string | undefined },
): Promise<Page<R>> {
  const page = await queryPage(
    db,
    {
      TableName: tableName,
      IndexName: indexNames.byParent,
      KeyConditionExpression: '#pk = :pk',
      ExpressionAttributeNames: { '#pk': attr.gsi1pk },
      ExpressionAttributeValues: { ':pk': kind.ofCounty(county).gsi1pk },
    },
    options,
  );
  return { ...page, items: await Promise.all(page.items.map((item) => kind.parse(item))) };
}

export async function revokeInCounty<R extends { revokedAt?: string | undefined }>(
  db: DynamoDBDocumentClient,
  tableName: string,
  kind: RevocableKind<R>,
  request: { county: string; id: string; now: Date; audit?: ((before: R, after: R) => AuditEntry) | undefined },
): Promise<R> {
  const found = await db.send(
    new QueryCommand({
      TableName: tableName,
      IndexName: indexNames.byParent,
      KeyConditionExpression: '#pk = :pk AND #sk = :sk',
      ExpressionAttributeNames: { '#pk': attr.gsi1pk, '#sk': attr.gsi1sk },
      ExpressionAttributeValues: { ':pk': kind.ofCounty(request.county).gsi1pk, ':sk': kind.inCounty(request.id).gsi1sk },
    }),
  );
  const item = found.Items?.[0];
  if (!item) throw new NotFound(`No ${kind.noun} ${request.id} in this county.`);
  const before = await kind.parse(item);
  if (before.revokedAt) return before;
  const after: R = { ...before, revokedAt: request.now.toISOString() };
  try {
    await conditionally(
      () =>
        writeWithAudit(
          db,
          tableName,
          {
            Update: {
              TableName: tableName,
              Key: { [attr.pk]: item[attr.pk], [attr.sk]: item[attr.sk] },
              UpdateExpression: 'SET revokedAt = :now',
              ConditionExpression: `${itemExists} AND ${notYetRevoked}`,
              ExpressionAttributeValues: { ':now': after.revokedAt },
              ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
            },
          },
          request.audit?.(before, after),
        ),
      `${kind.noun.charAt(0).toUpperCase()}${kind.noun.slice(1)} ${request.id} changed while it was being revoked.`,
    );
    return after;
  } catch (error) {
    // Revoked by someone else in the meantime: theirs is the revocation that stands.
    if (error instanceof Conflict && error.current) return kind.parse(error.current);
    throw error;
  }
}
