/**
 * @module workflows/sessions
 * Signing in to the web pages, finding who a page request comes from, and signing out. A session
 * is opened with a good access token and then stands on its own secret; every page request checks
 * the session (live?) and then its token (still good?), so revoking a token ends its sessions.
 */
import type { Config } from '../config.js';
import { callerFromToken, hashTokenSecret, looksLikeTokenSecret, newId, type Caller, type TokenRecord } from '../domain/access.js';
import { auditEntry } from '../domain/audit.js';
import { Unauthenticated } from '../domain/errors.js';
import {
  looksLikeSessionSecret,
  newSessionSecret,
  sessionFor,
  sessionIsLive,
  sessionNeedsTouch,
  sessionSummary,
  type SessionRecord,
} from '../domain/session.js';
import type { Store } from '../store/index.js';
import { auditFor } from './context.js';

export interface SessionDeps {
  store: Store;
  config: Pick<Config, 'timeZone'>;
  now: Date;
}

/** The caller a token stands for now, or undefined for an unknown, revoked or expired one. */
function callerOrNothing(record: TokenRecord | undefined, now: Date): Caller | undefined {
  try {
    return callerFromToken(record, now);
  } catch (error) {
    if (error instanceof Unauthenticated) return undefined;
    throw error;
  }
}

/**
 * Opens a session for an access token. Returns the session's secret (for the cookie, shown to no
 * one else) and the caller; undefined when the token would not be let in.
 */
export async function signIn(deps: SessionDeps, tokenSecret: string): Promise<{ secret: string; caller: Caller; session: SessionRecord } | undefined> {
  if (!looksLikeTokenSecret(tokenSecret)) return undefined;
  const tokenHash = await hashTokenSecret(tokenSecret);
  const token = await deps.store.tokens.findBySecretHash(tokenHash);
  const caller = callerOrNothing(token, deps.now);
  if (!token || !caller) return undefined;
  const secret = newSessionSecret();
  const session = sessionFor(token, { id: newId('ses', deps.now), tokenHash, now: deps.now });
  const audit = auditFor(deps, caller)('session.start', { kind: 'session', id: session.id }, undefined, sessionSummary(session));
  // The same fast hash as tokens: the secret has 256 random bits, nothing to brute-force.
  await deps.store.sessions.create(session, await hashTokenSecret(secret), audit);
  return { secret, caller, session };
}

/**
 * Who a page request comes from: the session must be live and its token still good. Anything
 * else (no such session, signed out, too old, idle too long, token revoked or expired) is nobody.
 */
export async function callerOfSession(deps: SessionDeps, secret: string | undefined): Promise<Caller | undefined> {
  if (!secret || !looksLikeSessionSecret(secret)) return undefined;
  const secretHash = await hashTokenSecret(secret);
  const session = await deps.store.sessions.find(secretHash);
  if (!session || !sessionIsLive(session, deps.now)) return undefined;
  const token = await deps.store.tokens.findBySecretHash(session.tokenHash);
  if (token?.id !== session.tokenId) return undefined;
  const caller = callerOrNothing(token, deps.now);
  if (caller && sessionNeedsTouch(session, deps.now)) await deps.store.sessions.touch(secretHash, deps.now);
  return caller;
}

/** Ends the session; a session already ended (or never there) is left as it is, and files nothing. */
export async function signOut(deps: SessionDeps, secret: string | undefined): Promise<void> {
  if (!secret || !looksLikeSessionSecret(secret)) return;
  const secretHash = await hashTokenSecret(secret);
  const session = await deps.store.sessions.find(secretHash);
  if (!session) return;
  const audit = auditEntry({
    county: session.county,
    actor: { tokenId: session.tokenId, name: session.name, role: session.role },
    action: 'session.end',
    subject: { kind: 'session', id: session.id },
    before: sessionSummary(session),
    now: deps.now,
    timeZone: deps.config.timeZone,
  });
  await deps.store.sessions.end(secretHash, audit);
}
