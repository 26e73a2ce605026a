/**
 * The app's route table as its OpenAPI document states it: each operation with its access rule
 * (`x-pufa-roles`), parameters and request body. The authorization matrix and the fuzz tests are
 * generated from it, so a route someone adds later is covered without editing them.
 */
import type { Hono } from 'hono';
import { z } from 'zod';
import { roles, type Role } from '../../functions/domain/access.js';

const METHODS = ['get', 'put', 'post', 'patch', 'delete', 'head', 'options'] as const;

/** Who may call an operation: anyone, or the listed roles. `undefined`: the route forgot to say. */
/** `feed-key`: opened by a calendar feed key in the query, never by a bearer token; `signed-link`: by a link pufa signed (a recording's URL). */
export type Access = 'public' | 'feed-key' | 'signed-link' | Role[] | undefined;

export interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required: boolean;
  schema: unknown;
}

export interface Operation {
  method: string;
  /** The OpenAPI path template, e.g. `/campaigns/{id}`. */
  path: string;
  access: Access;
  parameters: Parameter[];
  body?: { required: boolean; content: Record<string, unknown> };
}

export interface RouteTable {
  operations: Operation[];
  /** `components.schemas`, for resolving `$ref`s. */
  schemas: Record<string, unknown>;
}

const accessSchema = z.union([z.literal('public'), z.literal('feed-key'), z.literal('signed-link'), z.array(z.enum(roles)).min(1)]);

const operationSchema = z.looseObject({
  'x-pufa-roles': z.unknown().optional(),
  parameters: z
    .array(z.object({ name: z.string(), in: z.enum(['path', 'query', 'header', 'cookie']), required: z.boolean().optional(), schema: z.unknown().optional() }))
    .optional(),
  requestBody: z
    .object({ required: z.boolean().optional(), content: z.record(z.string(), z.object({ schema: z.unknown().optional() })) })
    .optional(),
});

const documentSchema = z.object({
  paths: z.record(z.string(), z.record(z.string(), z.unknown())),
  components: z.object({ schemas: z.record(z.string(), z.unknown()).default({}) }).default({ schemas: {} }),
});

export const operationKey = (operation: Pick<Operation, 'method' | 'path'>) => `${operation.method} ${operation.path}`;

/** Reads `GET /openapi.json` from the app: the same document `/docs` shows. */
export async function routeTable(app: Pick<Hono, 'request'>): Promise<RouteTable> {
  const response = await app.request('/openapi.json');
  if (response.status !== 200) throw new Error(`GET /openapi.json answered ${response.status}`);
  const document = documentSchema.parse(await response.json());
  const operations: Operation[] = [];
  for (const [path, item] of Object.entries(document.paths)) {
    for (const method of METHODS) {
      if (item[method] === undefined) continue;
      const operation = operationSchema.parse(item[method]);
      const access = accessSchema.safeParse(operation['x-pufa-roles']);
      const body = operation.requestBody;
      operations.push({
        method: method.toUpperCase(),
        path,
        access: access.success ? access.data : undefined,
        parameters: (operation.parameters ?? []).map((parameter) => ({ ...parameter, required: parameter.required ?? false, schema: parameter.schema ?? {} })),
        ...(body
          ? { body: { required: body.required ?? false, content: Object.fromEntries(Object.entries(body.content).map(([type, entry]) => [type, entry.schema ?? {}])) } }
          : {}),
      });
    }
  }
  return { operations, schemas: document.components.schemas };
}

/** The JSON schema of an operation's `application/json` body, if it takes one. */
export function jsonBodySchema(operation: Operation): unknown {
  return operation.body?.content['application/json'];
}

/** A path template with its parameters filled in (URL-encoded); unknown ones get `fallback`. */
export function fillPath(template: string, values: Record<string, string>, fallback = 'x1'): string {
  return template.replace(/\{([^}]+)\}/g, (_, name: string) => encodeURIComponent(values[name] ?? fallback));
}

/**
 * Every route the Hono app actually answers, as `METHOD /path/{param}`: what the router holds,
 * not what the document says. Middleware (`ALL`) is left out; a pattern's regex (`{a|b}`) is dropped.
 * A sub-app the app mounts lazily (the pages) is read on its own, with the path it is mounted at.
 */
export function servedRoutes(app: Pick<Hono, 'routes'>, mountedAt = ''): string[] {
  const served = app.routes
    .filter((route) => route.method !== 'ALL')
    .map((route) => `${route.method} ${(mountedAt + route.path).replace(/(.)\/$/, '$1').replace(/:([A-Za-z0-9_]+)(\{[^}]*\})?/g, '{$1}')}`);
  return [...new Set(served)];
}
