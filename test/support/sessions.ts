/**
 * A web-page session for a token, straight into the store, as signing in would open it — but for
 * any stored token, good or not, so a test can show that a revoked or expired token's session
 * gets nowhere. Returns the `Cookie` header value.
 */
import { hashTokenSecret, newId } from '../../functions/domain/access.js';
import { newSessionSecret, sessionFor } from '../../functions/domain/session.js';
import { SESSION_COOKIE } from '../../functions/pages/session.js';
import type { Store } from '../../functions/store/index.js';
import { must } from './builders.js';

export async function aSession(store: Store, tokenSecret: string, now: Date): Promise<{ cookie: string; secret: string }> {
  const tokenHash = await hashTokenSecret(tokenSecret);
  const token = must(await store.tokens.findBySecretHash(tokenHash), 'a stored token');
  const secret = newSessionSecret();
  await store.sessions.create(sessionFor(token, { id: newId('ses', now), tokenHash, now }), await hashTokenSecret(secret));
  return { cookie: `${SESSION_COOKIE}=${secret}`, secret };
}
