import { describe, expect, it } from 'vitest';
import {
  callerFromToken,
  checkGrantExpiry,
  hashTokenSecret,
  looksLikeTokenSecret,
  newId,
  newTokenSecret,
  requireRole,
  tokenGrantSchema,
  tokenRecordFromGrant,
  type TokenRecord,
} from '../../functions/domain/access.js';
import { Forbidden, Unauthenticated } from '../../functions/domain/errors.js';
import { bearerSecret } from '../../functions/http/auth.js';

const now = new Date('2026-03-15T02:00:00Z');

const aRecord = (overrides: Partial<TokenRecord> = {}): TokenRecord => ({
  id: 'tok_1',
  county: 'tianquan',
  role: 'staff',
  name: '张三',
  createdAt: '2026-01-01T00:00:00.000Z',
  createdBy: 'test',
  ...overrides,
});

describe('token secrets', () => {
  it('carry 256 random bits and never repeat', () => {
    const secrets = new Set(Array.from({ length: 1000 }, () => newTokenSecret()));
    expect(secrets.size).toBe(1000);
    for (const secret of secrets) {
      expect(looksLikeTokenSecret(secret)).toBe(true);
      // 43 base64url characters = 258 bits of room for 256 bits of randomness
      expect(Buffer.from(secret.slice('pufa_'.length), 'base64url')).toHaveLength(32);
    }
  });

  it('are stored as a SHA-256 hash that does not contain the secret', async () => {
    const secret = newTokenSecret();
    const hash = await hashTokenSecret(secret);
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(hash).toBe(await hashTokenSecret(secret));
    expect(hash).not.toBe(await hashTokenSecret(newTokenSecret()));
    expect(hash).not.toContain(secret.slice(5, 15));
  });

  it('refuse strings that cannot be tokens', () => {
    expect(looksLikeTokenSecret('pufa_short')).toBe(false);
    expect(looksLikeTokenSecret(`xxxx_${'a'.repeat(43)}`)).toBe(false);
    expect(looksLikeTokenSecret(`pufa_${'a'.repeat(42)}!`)).toBe(false);
  });
});

describe('the bearer header', () => {
  it('yields the secret, whatever the case of the scheme', () => {
    expect(bearerSecret('Bearer abc')).toBe('abc');
    expect(bearerSecret('bearer   abc ')).toBe('abc');
  });

  it('yields nothing for other schemes or an empty value', () => {
    expect(bearerSecret(undefined)).toBeUndefined();
    expect(bearerSecret('Basic dXNlcjpwYXNz')).toBeUndefined();
    expect(bearerSecret('Bearer ')).toBeUndefined();
    expect(bearerSecret('Bearer a b')).toBeUndefined();
  });
});

describe('callerFromToken', () => {
  it('turns a live token into a caller with its scope', () => {
    expect(callerFromToken(aRecord({ township: 'chengguan' }), now)).toEqual({
      tokenId: 'tok_1',
      county: 'tianquan',
      role: 'staff',
      name: '张三',
      township: 'chengguan',
    });
  });

  it('refuses an unknown, revoked or expired token alike', () => {
    expect(() => callerFromToken(undefined, now)).toThrow(Unauthenticated);
    expect(() => callerFromToken(aRecord({ revokedAt: '2026-02-01T00:00:00Z' }), now)).toThrow(Unauthenticated);
    expect(() => callerFromToken(aRecord({ expiresAt: now.toISOString() }), now)).toThrow(Unauthenticated);
  });

  it('accepts a token until the moment it expires', () => {
    const expiresAt = new Date(now.getTime() + 1).toISOString();
    expect(callerFromToken(aRecord({ expiresAt }), now).tokenId).toBe('tok_1');
  });
});

describe('requireRole', () => {
  const caller = callerFromToken(aRecord({ role: 'reviewer' }), now);
  it('lets an allowed role through', () => {
    expect(() => requireRole(caller, ['staff', 'reviewer'])).not.toThrow();
  });
  it('refuses any other role', () => {
    expect(() => requireRole(caller, ['admin'])).toThrow(Forbidden);
  });
});

describe('token grants', () => {
  it('require a station id for station tokens, and only there', () => {
    expect(tokenGrantSchema.safeParse({ role: 'station', name: '东村广播站' }).success).toBe(false);
    const station = tokenGrantSchema.parse({ role: 'station', name: '东村广播站', stationId: 'dongcun' });
    expect(tokenRecordFromGrant(station, { id: 'tok_2', county: 'tianquan', createdBy: 'a', now })).toMatchObject({
      role: 'station',
      stationId: 'dongcun',
    });
  });

  it('keep a township only on staff tokens', () => {
    const staff = tokenGrantSchema.parse({ role: 'staff', name: '李四', township: 'chengguan' });
    expect(tokenRecordFromGrant(staff, { id: 'tok_3', county: 'c1', createdBy: 'a', now }).township).toBe('chengguan');
    const reviewer = tokenGrantSchema.parse({ role: 'reviewer', name: '王五', township: 'chengguan' });
    expect(tokenRecordFromGrant(reviewer, { id: 'tok_4', county: 'c1', createdBy: 'a', now })).not.toHaveProperty('township');
  });

  it('refuse unknown roles, empty names and expiry in the past', () => {
    expect(tokenGrantSchema.safeParse({ role: 'root', name: 'x' }).success).toBe(false);
    expect(tokenGrantSchema.safeParse({ role: 'admin', name: '   ' }).success).toBe(false);
    const past = tokenGrantSchema.parse({ role: 'admin', name: 'x', expiresAt: '2026-03-15T09:59:59+08:00' });
    expect(checkGrantExpiry(past, now)).toBe('must be in the future');
    const future = tokenGrantSchema.parse({ role: 'admin', name: 'x', expiresAt: '2026-03-15T10:00:01+08:00' });
    expect(checkGrantExpiry(future, now)).toBeUndefined();
  });

  it('store expiry in UTC', () => {
    const grant = tokenGrantSchema.parse({ role: 'county', name: '依法治县办', expiresAt: '2026-12-31T23:59:59+08:00' });
    expect(tokenRecordFromGrant(grant, { id: 't', county: 'c', createdBy: 'a', now }).expiresAt).toBe('2026-12-31T15:59:59.000Z');
  });
});

describe('newId', () => {
  it('sorts by creation time', () => {
    const earlier = newId('tok', new Date('2026-01-01T00:00:00Z'));
    const later = newId('tok', new Date('2026-01-01T00:00:00.001Z'));
    expect(earlier < later).toBe(true);
    expect(earlier).toMatch(/^tok_[0-9a-z]{9}[A-Za-z0-9]{10}$/);
  });
});
