/**
 * The county's WeChat access token on the real database (issue 15): many callers, one refresh;
 * a token that still serves is not refreshed; an expiry seen by many refreshes once; a refresh that
 * fails gives the lease back and its error to the caller.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FreshToken } from '../../functions/store/wechat-token.js';
import { tokenSource } from '../../functions/wechat/token-source.js';
import { freshTable, type TestDatabase } from '../support/db.js';

let db: TestDatabase;
beforeAll(async () => {
  db = await freshTable();
});
afterAll(async () => db.drop());

let counties = 0;
const aCounty = () => `wx-county-${(counties += 1)}`;
const at = (iso: string) => new Date(iso);

/** A stand-in for WeChat's stable_token: counts its calls, hands out token-1, token-2, ... */
function aWeChat(expiresInSeconds = 7200) {
  const wechat = {
    calls: 0,
    refresh: async (): Promise<FreshToken> => {
      wechat.calls += 1;
      const token = `token-${wechat.calls}`;
      // An answer that takes a moment, as over the network, so concurrent callers find the lease taken.
      await new Promise((wake) => setImmediate(wake));
      return { token, expiresInSeconds };
    },
  };
  return wechat;
}

describe('the WeChat access token', () => {
  it('is refreshed once when 20 callers find no token, and all of them get that token', async () => {
    const county = aCounty();
    const wechat = aWeChat();
    const now = at('2031-03-15T01:00:00Z');
    const tokens = await Promise.all(Array.from({ length: 20 }, () => db.store.wechatToken.getOrRefresh(county, now, wechat.refresh)));
    expect(wechat.calls).toBe(1);
    expect(new Set(tokens)).toEqual(new Set(['token-1']));
    expect(await db.store.wechatToken.state(county)).toEqual({ hasToken: true, expiresAt: expect.any(String) as string });
  });

  it('is served from the table while it is valid for more than the margin', async () => {
    const county = aCounty();
    const wechat = aWeChat();
    await db.store.wechatToken.getOrRefresh(county, at('2031-03-15T01:00:00Z'), wechat.refresh);
    // Two hours of validity: an hour and 54 minutes later it is still more than 5 minutes from expiry.
    const later = await Promise.all(Array.from({ length: 5 }, () => db.store.wechatToken.getOrRefresh(county, at('2031-03-15T02:54:00Z'), wechat.refresh)));
    expect(later).toEqual(Array.from({ length: 5 }, () => 'token-1'));
    expect(wechat.calls).toBe(1);
  });

  it('is refreshed once, by one of several callers, when it is within the margin of its expiry', async () => {
    const county = aCounty();
    const wechat = aWeChat();
    await db.store.wechatToken.getOrRefresh(county, at('2031-03-15T01:00:00Z'), wechat.refresh);
    const nearExpiry = at('2031-03-15T02:56:00Z'); // 4 minutes left
    const tokens = await Promise.all(Array.from({ length: 8 }, () => db.store.wechatToken.getOrRefresh(county, nearExpiry, wechat.refresh)));
    expect(wechat.calls).toBe(2);
    expect(new Set(tokens)).toEqual(new Set(['token-2']));
  });

  it('is refreshed once when 10 callers report the same stale token, and a late report gets the newer one', async () => {
    const county = aCounty();
    const wechat = aWeChat();
    const stale = await db.store.wechatToken.getOrRefresh(county, at('2031-03-15T01:00:00Z'), wechat.refresh);
    const now = at('2031-03-15T01:10:00Z'); // still valid by its time: WeChat said otherwise (40001)
    const tokens = await Promise.all(Array.from({ length: 10 }, () => db.store.wechatToken.refreshStale(county, stale, now, wechat.refresh)));
    expect(wechat.calls).toBe(2);
    expect(new Set(tokens)).toEqual(new Set(['token-2']));
    expect(await db.store.wechatToken.refreshStale(county, stale, at('2031-03-15T01:11:00Z'), wechat.refresh)).toBe('token-2');
    expect(wechat.calls).toBe(2);
  });

  it('gives the lease back when refresh() throws: the caller gets the error, the next caller refreshes', async () => {
    const county = aCounty();
    const failure = new Error('stable_token answered errcode 40013');
    const now = at('2031-03-15T01:00:00Z');
    await expect(db.store.wechatToken.getOrRefresh(county, now, () => Promise.reject(failure))).rejects.toBe(failure);
    expect(await db.store.wechatToken.state(county)).toEqual({ hasToken: false });
    const wechat = aWeChat();
    expect(await db.store.wechatToken.getOrRefresh(county, now, wechat.refresh)).toBe('token-1');
    expect(wechat.calls).toBe(1);
  });

  it('refuses to store the token of a refresher whose lease lapsed meanwhile: the next holder’s token stands', async () => {
    const county = aCounty();
    const leaseMs = 300; // short, so the slow refresher's lease lapses while it still waits for WeChat
    let nextHolderRefreshed!: () => void;
    const nextHolderDone = new Promise<void>((resolve) => (nextHolderRefreshed = resolve));
    let slowTookLease!: () => void;
    const slowHoldsLease = new Promise<void>((resolve) => (slowTookLease = resolve));
    const slow = db.store.wechatToken
      .getOrRefresh(
        county,
        new Date(),
        async () => {
          await nextHolderDone; // answers only after another caller took the lapsed lease and refreshed
          return { token: 'from-the-slow-refresher', expiresInSeconds: 7200 };
        },
        { leaseMs, onLeaseTaken: slowTookLease },
      )
      .then(
        () => 'stored',
        (error: unknown) => error,
      );
    await slowHoldsLease;
    const next = await db.store.wechatToken.getOrRefresh(
      county,
      new Date(),
      async () => {
        nextHolderRefreshed();
        return { token: 'from-the-next-holder', expiresInSeconds: 7200 };
      },
      { leaseMs },
    );
    expect(next).toBe('from-the-next-holder');
    expect(String(await slow)).toMatch(/Conflict: the WeChat token lease of county .* lapsed before its refresh finished/);
    expect(await db.store.wechatToken.getOrRefresh(county, new Date(), () => Promise.reject(new Error('not called')))).toBe('from-the-next-holder');
  });

  it('never puts the token in an error it throws', async () => {
    const county = aCounty();
    const wechat = aWeChat();
    const secret = await db.store.wechatToken.getOrRefresh(county, at('2031-03-15T01:00:00Z'), wechat.refresh);
    const failure = await db.store.wechatToken
      .refreshStale(county, secret, at('2031-03-15T01:01:00Z'), () => Promise.reject(new Error('WeChat unreachable')))
      .catch((error: unknown) => error);
    expect(String(failure)).not.toContain(secret);
    expect(JSON.stringify(failure)).not.toContain(secret);
  });
});

describe('the WeChat token source', () => {
  it('gets the shared token and refreshes it after an expiry reported by the client', async () => {
    const county = aCounty();
    const wechat = aWeChat();
    const source = tokenSource({ store: db.store, county, clock: () => at('2031-03-15T01:00:00Z'), refresh: wechat.refresh });
    const first = await source.get();
    expect(await source.get()).toBe(first);
    expect(await source.refresh(first)).toBe('token-2');
    expect(await source.get()).toBe('token-2');
    expect(wechat.calls).toBe(2);
  });
});
