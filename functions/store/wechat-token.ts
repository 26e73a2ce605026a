/**
 * @module store/wechat-token
 * The county's WeChat access token, kept centrally with a refresh lease, so every Lambda and the
 * dispatcher share one token and WeChat's `stable_token` is called by one refresher at a time.
 *
 * One item per county: `{ token, expiresAt }` and, while a refresh runs, `{ leaseId, leaseUntil }`.
 * A caller that finds the token valid for more than `marginMs` returns it. Otherwise it takes the
 * lease with one conditional write (only if no live lease, and only if the token still needs a
 * refresh), calls `refresh()`, then writes the token and clears the lease on condition that it
 * still holds it. Callers that did not get the lease poll the item (consistent reads, backoff) until
 * the new token is there or the lease has lapsed — a holder killed outright (kill -9) leaves a lease
 * that lapses by itself after `leaseMs`, as Powertools' "in progress" records do, and the next
 * caller takes it.
 *
 * The token is a secret. It is kept in the table because the issue asks for one shared token (a
 * token per Lambda would make each cold start call WeChat, and each `stable_token` force refresh
 * would invalidate the others'). That is acceptable: the token lives about two hours, the table is
 * encrypted at rest and reached only through the store, and the AppSecret that mints tokens is never
 * written here (only the injected `refresh()` knows it). The token is never logged, and no error
 * thrown here carries it or the item it sits in (a failed condition's ALL_OLD item is read, never
 * passed on).
 */
import { randomUUID } from 'node:crypto';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { Conflict, Unavailable } from '../domain/errors.js';
import { keys } from './keys.js';

/** A token this close to its expiry is refreshed before use: a send takes a while, and clocks differ. */
export const TOKEN_MARGIN_MS = 5 * 60_000;
/** A refresh is one HTTPS call to WeChat (seconds at worst): a lease twice the Lambda's HTTP timeout. */
export const LEASE_MS = 30_000;
/** Polling while another caller refreshes: starts fast, backs off, never slower than this. */
const FIRST_POLL_MS = 20;
const MAX_POLL_MS = 1_000;
/** A caller gives up after this many leases' worth of waiting without a usable token. */
const LEASES_TO_WAIT = 3;

export interface FreshToken {
  token: string;
  expiresInSeconds: number;
}
export type RefreshToken = () => Promise<FreshToken>;

export interface TokenOptions {
  /** How long before its expiry a token counts as stale (default 5 min). */
  marginMs?: number;
  /** How long a refresher may hold the lease before it lapses (default 30 s). */
  leaseMs?: number;
  /** Called once the lease is taken, before `refresh()` (a test's readiness signal). */
  onLeaseTaken?: () => void;
}

/** The item as read, without key attributes. The token is in it: never log or throw this. */
interface TokenItem {
  token?: string;
  expiresAt?: string;
  leaseId?: string;
  leaseUntil?: string;
}

// Named conditions (store/conditions style). ISO-8601 UTC strings of one length compare as times.
const noLiveLease = '(attribute_not_exists(leaseUntil) OR leaseUntil <= :now)';
const tokenNeedsRefresh = '(attribute_not_exists(#token) OR expiresAt <= :freshUntil)';
const tokenIsStaleOrNeedsRefresh = '(attribute_not_exists(#token) OR #token = :stale OR expiresAt <= :freshUntil)';
const leaseHeldByMe = 'leaseId = :leaseId';

const asItem = (raw: Record<string, unknown> | undefined): TokenItem => ({
  ...(typeof raw?.token === 'string' ? { token: raw.token } : {}),
  ...(typeof raw?.expiresAt === 'string' ? { expiresAt: raw.expiresAt } : {}),
  ...(typeof raw?.leaseId === 'string' ? { leaseId: raw.leaseId } : {}),
  ...(typeof raw?.leaseUntil === 'string' ? { leaseUntil: raw.leaseUntil } : {}),
});

/** What a caller is waiting for: a token valid past the margin (and, after an expiry, not the stale one). */
type Usable = (item: TokenItem, at: Date) => string | undefined;

export class WeChatTokenStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** The county's token, refreshed first (by one caller among many) if it is missing or near expiry. */
  async getOrRefresh(county: string, now: Date, refresh: RefreshToken, options: TokenOptions = {}): Promise<string> {
    const marginMs = options.marginMs ?? TOKEN_MARGIN_MS;
    return this.obtain(county, now, refresh, options, (item, at) => validToken(item, at, marginMs), {
      condition: tokenNeedsRefresh,
      values: {},
    });
  }

  /**
   * WeChat answered 40001/42001 ("invalid / expired access_token") for `staleToken`: refresh only if
   * the table still holds that token; if another caller already replaced it, return the newer one.
   * So however many calls see one expiry, WeChat is asked once.
   */
  async refreshStale(county: string, staleToken: string, now: Date, refresh: RefreshToken, options: TokenOptions = {}): Promise<string> {
    const marginMs = options.marginMs ?? TOKEN_MARGIN_MS;
    const usable: Usable = (item, at) => (item.token === staleToken ? undefined : validToken(item, at, marginMs));
    return this.obtain(county, now, refresh, options, usable, { condition: tokenIsStaleOrNeedsRefresh, values: { ':stale': staleToken } });
  }

  /** What an operator (or a test) may see of the item: never the token itself. */
  async state(county: string): Promise<{ hasToken: boolean; expiresAt?: string; leaseUntil?: string }> {
    const item = await this.read(county);
    return {
      hasToken: item.token !== undefined,
      ...(item.expiresAt === undefined ? {} : { expiresAt: item.expiresAt }),
      ...(item.leaseUntil === undefined ? {} : { leaseUntil: item.leaseUntil }),
    };
  }

  private async obtain(
    county: string,
    now: Date,
    refresh: RefreshToken,
    options: TokenOptions,
    usable: Usable,
    refreshWhen: { condition: string; values: Record<string, string> },
  ): Promise<string> {
    const marginMs = options.marginMs ?? TOKEN_MARGIN_MS;
    const leaseMs = options.leaseMs ?? LEASE_MS;
    // `now` is the caller's clock; waiting really takes time, so it moves on with the time waited.
    const started = performance.now();
    const at = () => new Date(now.getTime() + (performance.now() - started));
    const giveUpAt = started + LEASES_TO_WAIT * leaseMs;

    let item = await this.read(county);
    for (;;) {
      const ready = usable(item, at());
      if (ready !== undefined) return ready;

      const leaseId = randomUUID();
      const taken = await this.takeLease(county, leaseId, at(), leaseMs, marginMs, refreshWhen);
      if (taken === 'taken') {
        options.onLeaseTaken?.();
        return this.refreshHolding(county, leaseId, refresh, at);
      }
      item = taken.current;
      if (usable(item, at()) !== undefined) continue;

      // Someone else holds a live lease: wait for their token, or for their lease to lapse.
      item = await this.waitForChange(county, item, usable, at, giveUpAt);
      if (performance.now() > giveUpAt && usable(item, at()) === undefined) {
        throw new Unavailable(`no WeChat access token for county ${county}: refreshes did not finish within ${LEASES_TO_WAIT} leases`);
      }
    }
  }

  /** One conditional write: the lease is ours only if no live lease exists and the token still needs a refresh. */
  private async takeLease(
    county: string,
    leaseId: string,
    at: Date,
    leaseMs: number,
    marginMs: number,
    refreshWhen: { condition: string; values: Record<string, string> },
  ): Promise<'taken' | { current: TokenItem }> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.wechatToken(county),
          UpdateExpression: 'SET #type = :type, county = :county, leaseId = :leaseId, leaseUntil = :leaseUntil',
          ConditionExpression: `${noLiveLease} AND ${refreshWhen.condition}`,
          ExpressionAttributeNames: { '#type': 'type', '#token': 'token' },
          ExpressionAttributeValues: {
            ':type': 'wechat-token',
            ':county': county,
            ':leaseId': leaseId,
            ':leaseUntil': new Date(at.getTime() + leaseMs).toISOString(),
            ':now': at.toISOString(),
            ':freshUntil': new Date(at.getTime() + marginMs).toISOString(),
            ...refreshWhen.values,
          },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return 'taken';
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      return { current: asItem(error.Item ? unmarshall(error.Item) : undefined) };
    }
  }

  /** We hold the lease: ask WeChat, then store the token and drop the lease — or, if it failed, just drop the lease. */
  private async refreshHolding(county: string, leaseId: string, refresh: RefreshToken, at: () => Date): Promise<string> {
    let fresh: FreshToken;
    try {
      fresh = await refresh();
    } catch (error) {
      // Let the next caller try at once rather than after the lease; the refresh's own error goes up.
      await this.releaseLease(county, leaseId);
      throw error;
    }
    const expiresAt = new Date(at().getTime() + fresh.expiresInSeconds * 1000).toISOString();
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.wechatToken(county),
          UpdateExpression: 'SET #token = :token, expiresAt = :expiresAt, refreshedAt = :refreshedAt REMOVE leaseId, leaseUntil',
          ConditionExpression: leaseHeldByMe,
          ExpressionAttributeNames: { '#token': 'token' },
          ExpressionAttributeValues: { ':token': fresh.token, ':expiresAt': expiresAt, ':refreshedAt': at().toISOString(), ':leaseId': leaseId },
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) {
        // Our lease lapsed and another caller took it: its token wins; ours is not stored.
        throw new Conflict(`the WeChat token lease of county ${county} lapsed before its refresh finished`);
      }
      throw error;
    }
    return fresh.token;
  }

  private async releaseLease(county: string, leaseId: string): Promise<void> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.wechatToken(county),
          UpdateExpression: 'REMOVE leaseId, leaseUntil',
          ConditionExpression: leaseHeldByMe,
          ExpressionAttributeValues: { ':leaseId': leaseId },
        }),
      );
    } catch (error) {
      // Already lapsed and taken by another caller: nothing of ours to release.
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  /** Polls (consistent reads, backoff) until the token is usable or the lease seen has lapsed or changed hands. */
  private async waitForChange(county: string, seen: TokenItem, usable: Usable, at: () => Date, giveUpAt: number): Promise<TokenItem> {
    let pause = FIRST_POLL_MS;
    let item = seen;
    for (;;) {
      const leaseLapsed = item.leaseUntil === undefined || item.leaseUntil <= at().toISOString();
      if (usable(item, at()) !== undefined || leaseLapsed || item.leaseId !== seen.leaseId || performance.now() > giveUpAt) return item;
      // Never sleep past the lease's end: that is when the next caller may take over.
      const untilLapse = Date.parse(item.leaseUntil ?? '') - at().getTime();
      await new Promise((wake) => setTimeout(wake, Math.max(1, Math.min(pause, untilLapse + 1))));
      pause = Math.min(pause * 2, MAX_POLL_MS);
      item = await this.read(county);
    }
  }

  private async read(county: string): Promise<TokenItem> {
    const result = await this.db.send(new GetCommand({ TableName: this.tableName, Key: keys.wechatToken(county), ConsistentRead: true }));
    return asItem(result.Item);
  }
}

function validToken(item: TokenItem, at: Date, marginMs: number): string | undefined {
  if (item.token === undefined || item.expiresAt === undefined) return undefined;
  return Date.parse(item.expiresAt) - marginMs > at.getTime() ? item.token : undefined;
}
