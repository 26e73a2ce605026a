/**
 * Replay protection for WeChat callbacks on the real database: a (timestamp, nonce) pair is
 * accepted once, even when two copies of a request race; the item carries the table's TTL.
 */
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkWeChatCallback } from '../../functions/domain/wechat-callback.js';
import { Invalid } from '../../functions/domain/errors.js';
import { keys } from '../../functions/store/keys.js';
import { freshTable, type TestDatabase } from '../support/db.js';

let db: TestDatabase;
beforeAll(async () => {
  db = await freshTable();
});
afterAll(async () => db.drop());

const county = 'testcounty';
const NOW = new Date('2031-03-15T01:00:00Z');
const timestamp = String(NOW.getTime() / 1000);

describe('WeChat callback nonces', () => {
  it('accept a (timestamp, nonce) pair once and refuse its replay', async () => {
    expect(await db.store.wechatNonces.remember(county, '1514711492', timestamp, NOW)).toBe(true);
    expect(await db.store.wechatNonces.remember(county, '1514711492', timestamp, new Date(NOW.getTime() + 1000))).toBe(false);
    // The same nonce with another timestamp, or in another county, is another request.
    expect(await db.store.wechatNonces.remember(county, '1514711492', String(Number(timestamp) + 1), NOW)).toBe(true);
    expect(await db.store.wechatNonces.remember('othercounty', '1514711492', timestamp, NOW)).toBe(true);
  });

  it('let exactly one of two racing copies of a request through', async () => {
    const results = await Promise.all(Array.from({ length: 6 }, () => db.store.wechatNonces.remember(county, '777', timestamp, NOW)));
    expect(results.filter(Boolean)).toHaveLength(1);
  });

  it('carry a TTL a little past the freshness window, so DynamoDB removes them', async () => {
    await db.store.wechatNonces.remember(county, '4242', timestamp, NOW);
    const client = DynamoDBDocumentClient.from(db.client);
    const item = (await client.send(new GetCommand({ TableName: db.tableName, Key: keys.wechatNonce(county, timestamp, '4242') }))).Item;
    expect(item?.ttl).toBe(Number(timestamp) + 11 * 60);
  });

  it('refuse a nonce or timestamp that is not WeChat’s shape before it reaches a key', async () => {
    await expect(db.store.wechatNonces.remember(county, 'a#b', timestamp, NOW)).rejects.toThrow(Invalid);
    await expect(db.store.wechatNonces.remember(county, '1', 'yesterday', NOW)).rejects.toThrow(Invalid);
  });

  it('with the signature and freshness checks, accept a valid callback once', async () => {
    const token = 'pufaCallbackToken2031';
    const nonce = '99887766';
    const signature = createHash('sha1').update([token, timestamp, nonce].sort().join('')).digest('hex');
    const receive = async () => {
      checkWeChatCallback({ token, timestamp, nonce, signature }, NOW);
      return db.store.wechatNonces.remember(county, nonce, timestamp, NOW);
    };
    expect(await receive()).toBe(true);
    expect(await receive()).toBe(false);
  });
});
