/**
 * @module http/router
 * A router for one resource: an OpenAPIHono whose validation failures become `Invalid`
 * (400 problem+json naming each field) through the app's one error handler.
 */
import { OpenAPIHono, type Hook } from '@hono/zod-openapi';
import type { AppEnv } from './env.js';
import { invalidFromZod } from './problem.js';

// The hook sees every validator (json, query, param...); `target` says which part failed.
const rejectInvalid: Hook<unknown, AppEnv, string, unknown> = function rejectInvalid(result) {
  if (!result.success) throw invalidFromZod(result.error, result.target);
};

export function newRouter(): OpenAPIHono<AppEnv> {
  return new OpenAPIHono<AppEnv>({ defaultHook: rejectInvalid });
}
