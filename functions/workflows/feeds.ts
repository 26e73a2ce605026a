/**
 * @module workflows/feeds
 * Calendar feed secrets, the one way every door makes them: created by an admin (the secret shown
 * once, only its hash kept) and revoked, each with its audit entry in the same transaction.
 */
import { newId } from '../domain/access.js';
import { auditEntry, type AuditActor } from '../domain/audit.js';
import { hashFeedSecret, newFeedSecret, type FeedInput, type FeedRecord } from '../domain/feed.js';
import type { Store } from '../store/index.js';

interface FeedDeps {
  store: Store;
  timeZone: string;
  now: Date;
}

export async function createFeed(deps: FeedDeps, request: { county: string; input: FeedInput; actor: AuditActor }): Promise<{ secret: string; record: FeedRecord }> {
  const { now } = deps;
  const secret = newFeedSecret();
  const record: FeedRecord = { id: newId('feed', now), county: request.county, label: request.input.label, createdAt: now.toISOString(), createdBy: request.actor.tokenId };
  const audit = auditEntry({ county: request.county, actor: request.actor, action: 'feed.create', subject: { kind: 'feed', id: record.id }, after: record, now, timeZone: deps.timeZone });
  await deps.store.feeds.create(record, await hashFeedSecret(secret), audit);
  return { secret, record };
}

export async function revokeFeed(deps: FeedDeps, request: { county: string; feedId: string; actor: AuditActor }): Promise<FeedRecord> {
  const { county, feedId, actor } = request;
  return deps.store.feeds.revoke(county, feedId, deps.now, (before, after) =>
    auditEntry({ county, actor, action: 'feed.revoke', subject: { kind: 'feed', id: feedId }, before, after, now: deps.now, timeZone: deps.timeZone }),
  );
}

/** The feed a key opens, unless revoked: its county is the feed's own, never the deployment's. */
export async function openFeed(store: Store, key: string): Promise<FeedRecord | undefined> {
  const feed = await store.feeds.findBySecretHash(await hashFeedSecret(key));
  return feed && !feed.revokedAt ? feed : undefined;
}
