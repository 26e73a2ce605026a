/**
 * @module domain/session
 * The web pages' sessions: what a session is and when it is over. A session is its own secret
 * (never an access token, so a stolen cookie is no API credential), kept on the server by the
 * hash of that secret, pointing at the token it was opened with. It ends at sign-out, when its
 * token is revoked or expires, after a working day, or after two idle hours.
 */
import { z } from 'zod';
import { randomSecret, roles, type Role } from './access.js';

const SESSION_PREFIX = 'pses_';
const SESSION_PATTERN = /^pses_[A-Za-z0-9_-]{43}$/;

/** A working day: long enough for a shift, short enough that a forgotten phone logs itself out. */
export const SESSION_ABSOLUTE_SECONDS = 12 * 3600;
/** A page left open over lunch needs signing in again; a station phone in a drawer does too. */
export const SESSION_IDLE_SECONDS = 2 * 3600;
/** `lastSeenAt` is written at most this often, so reading pages does not mean a write per click. */
export const SESSION_TOUCH_SECONDS = 5 * 60;

export const sessionRecordSchema = z.object({
  /** Public id, for the audit log and logs; the secret is never stored. */
  id: z.string(),
  county: z.string(),
  tokenId: z.string(),
  /** The key of the token the session was opened with (the hash of its secret): one GetItem away. */
  tokenHash: z.string(),
  /** Who signed in, as the token said then: for the audit entry of signing out, never for access. */
  name: z.string(),
  role: z.enum(roles),
  createdAt: z.string(),
  expiresAt: z.string(),
  lastSeenAt: z.string(),
});
export type SessionRecord = z.infer<typeof sessionRecordSchema>;

export function newSessionSecret(): string {
  return randomSecret(SESSION_PREFIX);
}

export function looksLikeSessionSecret(secret: string): boolean {
  return SESSION_PATTERN.test(secret);
}

export function sessionFor(token: { id: string; county: string; name: string; role: Role; expiresAt?: string | undefined }, context: { id: string; tokenHash: string; now: Date }): SessionRecord {
  const absolute = context.now.getTime() + SESSION_ABSOLUTE_SECONDS * 1000;
  // A session never outlives its token.
  const end = token.expiresAt ? Math.min(absolute, Date.parse(token.expiresAt)) : absolute;
  return {
    id: context.id,
    county: token.county,
    tokenId: token.id,
    tokenHash: context.tokenHash,
    name: token.name,
    role: token.role,
    createdAt: context.now.toISOString(),
    expiresAt: new Date(end).toISOString(),
    lastSeenAt: context.now.toISOString(),
  };
}

/** Live: before its absolute end, and seen within the idle limit. */
export function sessionIsLive(session: SessionRecord, now: Date): boolean {
  const at = now.getTime();
  return at < Date.parse(session.expiresAt) && at - Date.parse(session.lastSeenAt) < SESSION_IDLE_SECONDS * 1000;
}

/** Whether this request should move `lastSeenAt` (at most every few minutes). */
export function sessionNeedsTouch(session: SessionRecord, now: Date): boolean {
  return now.getTime() - Date.parse(session.lastSeenAt) >= SESSION_TOUCH_SECONDS * 1000;
}

/** What the audit log keeps of a session: never the token's key. */
export function sessionSummary(session: SessionRecord) {
  return { id: session.id, tokenId: session.tokenId, createdAt: session.createdAt, expiresAt: session.expiresAt };
}
