import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashTokenSecret } from '../../functions/domain/access.js';
import { Invalid, NotFound } from '../../functions/domain/errors.js';
import { aGrant, aToken } from '../support/builders.js';
import { freshTable, type TestDatabase } from '../support/db.js';

let db: TestDatabase;
beforeAll(async () => {
  db = await freshTable();
});
afterAll(async () => db.drop());

describe('TokenStore on DynamoDB Local', () => {
  it('finds a token by the hash of its secret, and never stores the secret', async () => {
    const { secret, record } = await aToken(db.store, 'c1', aGrant({ role: 'reviewer' }));
    const found = await db.store.tokens.findBySecretHash(await hashTokenSecret(secret));
    expect(found).toEqual(record);
    expect(await db.store.tokens.findBySecretHash(await hashTokenSecret(secret + 'x'))).toBeUndefined();

    // A test-only Scan of a throw-away table: the only way to look at every stored byte.
    const raw = await db.client.send(new ScanCommand({ TableName: db.tableName }));
    expect(JSON.stringify(raw.Items)).not.toContain(secret);
  });

  it('refuses to create the same token twice', async () => {
    const { secret, record } = await aToken(db.store, 'c1', aGrant({ role: 'admin' }));
    await expect(db.store.tokens.create(record, await hashTokenSecret(secret))).rejects.toThrow(/conditional/i);
  });

  it('lists only the county’s tokens, in creation order, page by page', async () => {
    const county = 'paging';
    const created = [];
    for (let i = 0; i < 5; i += 1) {
      created.push((await aToken(db.store, county, aGrant({ role: 'staff' }), { now: new Date(Date.UTC(2026, 0, 1, 0, i)) })).record);
    }
    await aToken(db.store, 'elsewhere', aGrant({ role: 'staff' }));

    const first = await db.store.tokens.list(county, { limit: 2 });
    expect(first.items.map((token) => token.id)).toEqual(created.slice(0, 2).map((token) => token.id));
    expect(first.nextCursor).toBeDefined();
    const seen = [...first.items];
    let cursor = first.nextCursor;
    while (cursor) {
      const page = await db.store.tokens.list(county, { limit: 2, cursor });
      seen.push(...page.items);
      cursor = page.nextCursor;
    }
    expect(seen.map((token) => token.id)).toEqual(created.map((token) => token.id));
  });

  it('rejects a cursor it did not hand out', async () => {
    await expect(db.store.tokens.list('c1', { limit: 2, cursor: 'not-a-cursor' })).rejects.toBeInstanceOf(Invalid);
  });

  it('revokes once: a second revoke returns the first revocation unchanged', async () => {
    const { secret, record } = await aToken(db.store, 'c2', aGrant({ role: 'county' }));
    const first = await db.store.tokens.revoke('c2', record.id, new Date('2026-05-01T00:00:00Z'));
    expect(first.revokedAt).toBe('2026-05-01T00:00:00.000Z');
    const second = await db.store.tokens.revoke('c2', record.id, new Date('2026-06-01T00:00:00Z'));
    expect(second.revokedAt).toBe('2026-05-01T00:00:00.000Z');
    expect((await db.store.tokens.findBySecretHash(await hashTokenSecret(secret)))?.revokedAt).toBe(first.revokedAt);
  });

  it('revokes concurrently without either call failing', async () => {
    const { record } = await aToken(db.store, 'c3', aGrant({ role: 'staff' }));
    const results = await Promise.all(
      Array.from({ length: 5 }, (_, i) => db.store.tokens.revoke('c3', record.id, new Date(Date.UTC(2026, 6, 1, 0, i)))),
    );
    expect(new Set(results.map((token) => token.revokedAt)).size).toBe(1);
  });

  it('cannot revoke another county’s token', async () => {
    const { record } = await aToken(db.store, 'c4', aGrant({ role: 'staff' }));
    await expect(db.store.tokens.revoke('c5', record.id, new Date())).rejects.toBeInstanceOf(NotFound);
  });
});
