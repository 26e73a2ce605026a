/**
 * @module routes/page-session
 * The caller by bearer token, as every API route; or, for a request a page of this very origin
 * makes without one (an `<img>` in a preview, a page's upload script), by the page's session. A
 * session cookie on a request from elsewhere — another site, another port of this host — opens
 * nothing. Used by the routes a page calls itself: images (routes/images), evidence (routes/evidence).
 */
import type { Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import { requireRole, type Role } from '../domain/access.js';
import { allow } from '../http/auth.js';
import { depsForCaller } from '../http/county-scope.js';
import type { AppEnv } from '../http/env.js';
import { sessionCaller } from '../pages/session.js';

export function tokenOrPageSession(...roles: Role[]) {
  const byToken = allow(...roles);
  return createMiddleware<AppEnv>(async function authorizeTokenOrPage(c, next) {
    if (c.req.header('Authorization') !== undefined || !fromThisOrigin(c)) return byToken(c, next);
    const caller = await sessionCaller(c);
    if (!caller) return byToken(c, next);
    requireRole(caller, roles);
    c.set('caller', caller);
    c.set('deps', await depsForCaller(c.var.deps, caller));
    await next();
  });
}

/** Whether the browser says the request comes from a page of this origin. */
export function fromThisOrigin(c: Context<AppEnv>): boolean {
  return c.req.header('Sec-Fetch-Site') === 'same-origin' || c.req.header('Origin') === new URL(c.req.url).origin;
}
