import { describe, expect, it } from 'vitest';
import { looksLikeTokenSecret } from '../../functions/domain/access.js';
import { looksLikeSessionSecret, newSessionSecret, sessionFor, sessionIsLive, sessionNeedsTouch } from '../../functions/domain/session.js';

const now = new Date('2031-03-01T00:00:00Z');
const at = (minutes: number) => new Date(now.getTime() + minutes * 60_000);
const token = { id: 'tok_1', county: 'c', name: '审核员', role: 'reviewer' as const };

describe('web-page sessions', () => {
  it('have a secret of their own that can never pass for an access token', () => {
    const secret = newSessionSecret();
    expect(looksLikeSessionSecret(secret)).toBe(true);
    expect(looksLikeTokenSecret(secret)).toBe(false);
    expect(newSessionSecret()).not.toBe(secret);
  });

  it('last a working day at most, and never longer than their token', () => {
    expect(sessionFor(token, { id: 's', tokenHash: 'h', now }).expiresAt).toBe('2031-03-01T12:00:00.000Z');
    expect(sessionFor({ ...token, expiresAt: '2031-03-01T03:00:00.000Z' }, { id: 's', tokenHash: 'h', now }).expiresAt).toBe('2031-03-01T03:00:00.000Z');
  });

  it('are live until two idle hours or the absolute end, whichever comes first', () => {
    const session = sessionFor(token, { id: 's', tokenHash: 'h', now });
    expect(sessionIsLive(session, at(119))).toBe(true);
    expect(sessionIsLive(session, at(120))).toBe(false);
    const busy = { ...session, lastSeenAt: at(11 * 60 + 30).toISOString() };
    expect(sessionIsLive(busy, at(12 * 60 - 1))).toBe(true);
    expect(sessionIsLive(busy, at(12 * 60))).toBe(false);
  });

  it('note activity at most every five minutes', () => {
    const session = sessionFor(token, { id: 's', tokenHash: 'h', now });
    expect(sessionNeedsTouch(session, at(4))).toBe(false);
    expect(sessionNeedsTouch(session, at(5))).toBe(true);
  });
});
