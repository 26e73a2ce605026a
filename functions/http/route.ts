/**
 * @module http/route
 * Route definitions that carry their access rule. Every route is either `publicRoute` or
 * `securedRoute(roles, ...)`; the roles also go into the OpenAPI document (`x-pufa-roles`),
 * so the docs, and the authorization matrix test, read them from one place.
 */
import { createRoute, type RouteConfig } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import { z } from 'zod';
import type { Role } from '../domain/access.js';
import { allow } from './auth.js';
import type { AppEnv } from './env.js';
import { PROBLEM_CONTENT_TYPE } from './problem.js';

export const BEARER_SCHEME = 'bearerAuth';

export const problemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    instance: z.string(),
    requestId: z.string(),
    errors: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
  })
  .meta({ id: 'Problem' });

const problem = (description: string) => ({
  description,
  content: { [PROBLEM_CONTENT_TYPE]: { schema: problemSchema } },
});

const commonProblems = {
  400: problem('Invalid input; `errors` names each failing field'),
  413: problem('Body over the size limit'),
  500: problem('Unexpected failure (see the request id in the log)'),
};

const securedProblems = {
  401: problem('Missing, unknown, revoked or expired token'),
  403: problem('The token’s role may not do this'),
};

type RouteInput = Omit<RouteConfig, 'middleware' | 'security'>;

export function publicRoute<R extends RouteInput>(route: R) {
  return createRoute({
    ...route,
    'x-pufa-roles': 'public',
    responses: { ...commonProblems, ...route.responses },
  });
}

/**
 * A route opened by a calendar feed key in its query (`?key=pufa_feed_…`), never by a bearer token:
 * calendar apps cannot send headers. Without a valid, unrevoked key it answers 401.
 */
export function feedKeyRoute<R extends RouteInput>(route: R) {
  return createRoute({
    ...route,
    'x-pufa-roles': 'feed-key',
    description: [route.description, 'Opened by a calendar feed key (`?key=`), which an admin creates at `POST /feeds`; API tokens are not accepted here.'].filter(Boolean).join('\n\n'),
    responses: { ...commonProblems, 401: problem('No valid calendar feed key'), ...route.responses },
  });
}

/**
 * A route opened by a signed, short-lived link (`?expires=…&sig=…`) that pufa handed out — a
 * recording's URL — never by a bearer token. Without a valid, live signature it answers 401.
 */
export function signedLinkRoute<R extends RouteInput>(route: R) {
  return createRoute({
    ...route,
    'x-pufa-roles': 'signed-link',
    description: [route.description, 'Opened by the signed link pufa gave out (the `audio.url` of a script or notice); it lapses after 15 minutes. API tokens are not accepted here.'].filter(Boolean).join('\n\n'),
    responses: { ...commonProblems, 401: problem('No valid or live signature'), ...route.responses },
  });
}

export function securedRoute<R extends RouteInput>(roles: readonly Role[], route: R) {
  return createRoute({
    ...route,
    middleware: [allow(...roles)] as const,
    security: [{ [BEARER_SCHEME]: [] }],
    'x-pufa-roles': roles,
    description: [route.description, `Roles: ${roles.join(', ')}.`].filter(Boolean).join('\n\n'),
    responses: { ...commonProblems, ...securedProblems, ...route.responses },
  });
}

/**
 * A secured route that a page of this origin may also open with its session, as an `<img>` on a
 * page must (it cannot send a bearer token): `authorize` resolves the caller from either and
 * refuses as `allow` does. The roles, the document and the answers are those of `securedRoute`.
 */
export function securedOrPageRoute<R extends RouteInput>(roles: readonly Role[], authorize: MiddlewareHandler<AppEnv>, route: R) {
  return createRoute({
    ...route,
    middleware: [authorize] as const,
    security: [{ [BEARER_SCHEME]: [] }],
    'x-pufa-roles': roles,
    description: [route.description, `Roles: ${roles.join(', ')}. A page of this origin may open it with its session instead of a token.`].filter(Boolean).join('\n\n'),
    responses: { ...commonProblems, ...securedProblems, ...route.responses },
  });
}

export { problem as problemResponseSpec };

/** A JSON response entry for a route's `responses`. */
export function jsonResponse<T extends z.ZodType>(schema: T, description: string) {
  return { description, content: { 'application/json': { schema } } };
}

/** A required JSON request body. */
export function jsonBody<T extends z.ZodType>(schema: T) {
  return { required: true, content: { 'application/json': { schema } } };
}

export const pageQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(50),
  cursor: z.string().max(2048).optional(),
});
