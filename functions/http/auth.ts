/**
 * @module http/auth
 * Bearer-token authentication and role checks. A route declares the roles it allows with
 * `allow(...)`; the middleware resolves the caller from the token (one GetItem) or refuses:
 * 401 for a missing, unknown, revoked or expired token, 403 for a role the route does not allow.
 * The API takes `Authorization: Bearer` only; the web pages' cookie works under /app alone.
 */
import { createMiddleware } from 'hono/factory';
import {
  callerFromToken,
  hashTokenSecret,
  looksLikeTokenSecret,
  requireRole,
  type Role,
} from '../domain/access.js';
import { Unauthenticated } from '../domain/errors.js';
import { depsForCaller } from './county-scope.js';
import type { AppEnv } from './env.js';

const PREFIX = 'Bearer';
const HEADER_PATTERN = new RegExp(`^${PREFIX} +(\\S+) *$`, 'i');

export function bearerSecret(header: string | undefined): string | undefined {
  return header?.match(HEADER_PATTERN)?.[1];
}

export function allow(...roles: Role[]) {
  return createMiddleware<AppEnv>(async function authorize(c, next) {
    // Bearer only: the pages' session cookie is no credential here, so a page another site opens
    // cannot make the browser call the API with it (the pages check Origin; the API needs none).
    const secret = bearerSecret(c.req.header('Authorization'));
    if (!secret) throw new Unauthenticated('Send an access token: "Authorization: Bearer pufa_…".');
    const { store, clock } = c.var.deps;
    // A string that cannot be a token is not looked up: saves a read on junk.
    const record = looksLikeTokenSecret(secret)
      ? await store.tokens.findBySecretHash(await hashTokenSecret(secret))
      : undefined;
    const caller = callerFromToken(record, clock());
    requireRole(caller, roles);
    c.set('caller', caller);
    c.set('deps', await depsForCaller(c.var.deps, caller));
    await next();
  });
}
