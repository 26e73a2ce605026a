/**
 * @module routes/subscribers
 * People who receive SMS. Numbers are validated and normalised to E.164, shown masked (admins see
 * more digits than staff; a full number only on an admin's `?reveal=true`, which is audited), and
 * never put in a URL: a subscriber is addressed by the secret-keyed HMAC of its number. A staff
 * token limited to a township lists that township only. Opting out is one call, honoured from the
 * next send on, and answers the same whether or not the number is registered.
 */
import { pushSyncReportSchema } from '../domain/station-push.js';
import { z } from 'zod';
import { actorOfCaller } from '../domain/audit.js';
import { Invalid } from '../domain/errors.js';
import { normalisePhone } from '../domain/phone.js';
import { subscriberInputSchema, subscriberRecordSchema, subscriberView } from '../domain/subscriber.js';
import { jsonBody, jsonResponse, pageQuerySchema, problemResponseSpec, securedRoute } from '../http/route.js';
import { newRouter } from '../http/router.js';
import { idSchema } from '../domain/access.js';
import type { Context } from 'hono';
import type { AppEnv } from '../http/env.js';
import { importCsv } from '../workflows/imports.js';
import { listSubscribers, optOutNumber, removeSubscriber, saveSubscriber } from '../workflows/subscribers.js';

const subscriberViewSchema = subscriberRecordSchema.omit({ county: true }).meta({ id: 'Subscriber' });
const keyParams = z.object({ key: z.string().regex(/^[A-Za-z0-9_-]{22}$/, 'not a subscriber key') });

const addRoute = securedRoute(['admin'], {
  method: 'post',
  path: '/subscribers',
  tags: ['subscribers'],
  summary: 'Add a subscriber, or change the one with that number',
  request: { body: jsonBody(subscriberInputSchema.meta({ id: 'SubscriberInput' })) },
  responses: { 200: jsonResponse(z.object({ result: z.enum(['created', 'updated', 'unchanged']), subscriber: subscriberViewSchema }), 'Stored') },
});

const listRoute = securedRoute(['admin', 'staff'], {
  method: 'get',
  path: '/subscribers',
  tags: ['subscribers'],
  summary: 'A township’s subscribers (optionally one village), a page at a time; numbers masked (admins: `?reveal=true` for full numbers, audited)',
  description: 'Staff see `+86 *******5678`, admins `+86 138****5678`. `reveal=true` (admins only) answers full numbers and files a `subscriber.reveal` audit entry naming the keys read. A staff token limited to a township may list only that township.',
  request: {
    query: pageQuerySchema.extend({
      township: idSchema,
      village: idSchema.optional(),
      reveal: z.enum(['true', 'false']).default('false').describe('admins only: full numbers, audited'),
    }),
  },
  responses: { 200: jsonResponse(z.object({ items: z.array(subscriberViewSchema), nextCursor: z.string().optional() }), 'One page') },
});

const removeRoute = securedRoute(['admin'], {
  method: 'delete',
  path: '/subscribers/{key}',
  tags: ['subscribers'],
  summary: 'Remove a subscriber',
  request: { params: keyParams },
  responses: { 200: jsonResponse(subscriberViewSchema, 'Removed'), 404: problemResponseSpec('No such subscriber') },
});

const optOutRoute = securedRoute(['admin', 'staff'], {
  method: 'post',
  path: '/subscribers/opt-out',
  tags: ['subscribers'],
  summary: 'Opt a number out of all SMS, from the next send on',
  description: 'The answer is the same whether or not the number is registered (and in whichever township): it reveals nothing about who is on the list.',
  request: { body: jsonBody(z.object({ phone: z.string().trim().min(1).max(40) })) },
  responses: { 200: jsonResponse(z.object({ optedOut: z.literal(true) }), 'Opted out') },
});

function parsePhone(raw: string): string {
  const parsed = normalisePhone(raw);
  if (!parsed.ok) throw new Invalid('The phone number is not valid.', [{ field: 'body.phone', message: parsed.reason }]);
  return parsed.e164;
}

const importReport = z
  .object({
    kind: z.enum(['subscribers', 'stations']),
    dryRun: z.boolean(),
    rows: z.number(),
    created: z.number(),
    updated: z.number(),
    unchanged: z.number(),
    rejected: z.array(z.object({ line: z.number(), reason: z.string() })),
    encoding: z.enum(['utf-8', 'utf-16le', 'utf-16be', 'gb18030']).optional(),
    pushes: pushSyncReportSchema.optional(),
  })
  .meta({ id: 'ImportReport' });

function importRoute(kind: 'subscribers' | 'stations') {
  return securedRoute(['admin'], {
    method: 'post',
    path: `/${kind}/import`,
    tags: [kind],
    summary: `Import ${kind} from CSV (Chinese or English headers); rejected rows come back with line and reason`,
    description: 'Send `Content-Type: text/csv`. Importing the same file twice changes nothing. For files over the body limit use `npm run import`.',
    request: {
      query: z.object({ dryRun: z.enum(['true', 'false']).default('false') }),
      body: { required: false, content: { 'text/csv': { schema: z.string() } } },
    },
    responses: { 200: jsonResponse(importReport, 'What was imported and what was not') },
  });
}

const importSubscribersRoute = importRoute('subscribers');
const importStationsRoute = importRoute('stations');

export function subscriberRoutes() {
  return newRouter()
    .openapi(addRoute, async (c) => {
      const input = c.req.valid('json');
      const { store, clock, config, phoneKeys } = c.var.deps;
      const { result, subscriber } = await saveSubscriber({ store, config, phoneKeys, now: clock() }, c.var.caller, input, parsePhone(input.phone));
      return c.json({ result, subscriber: subscriberView(subscriber, 'admin') }, 200);
    })
    .openapi(listRoute, async (c) => {
      const { reveal, ...query } = c.req.valid('query');
      const { store, clock, config } = c.var.deps;
      return c.json(await listSubscribers({ store, config, now: clock() }, c.var.caller, { ...query, reveal: reveal === 'true' }), 200);
    })
    .openapi(removeRoute, async (c) => {
      const { store, clock, config } = c.var.deps;
      const removed = await removeSubscriber({ store, config, now: clock() }, c.var.caller, c.req.valid('param').key);
      return c.json(subscriberView(removed, 'admin'), 200);
    })
    .openapi(importSubscribersRoute, async (c) => c.json(await runImport(c, 'subscribers'), 200))
    .openapi(importStationsRoute, async (c) => c.json(await runImport(c, 'stations'), 200))
    .openapi(optOutRoute, async (c) => {
      const { store, clock, config, phoneKeys } = c.var.deps;
      // The answer says nothing about where (or whether) the number is registered.
      await optOutNumber({ store, config, phoneKeys, now: clock() }, c.var.caller, parsePhone(c.req.valid('json').phone));
      return c.json({ optedOut: true as const }, 200);
    });
}

async function runImport(c: Context<AppEnv>, kind: 'subscribers' | 'stations') {
  if (!/^text\/(csv|plain)\b/i.test(c.req.header('content-type') ?? '')) {
    throw new Invalid('Send the file as text/csv.', [{ field: 'header.content-type', message: 'must be text/csv' }]);
  }
  const { store, clock, config } = c.var.deps;
  return importCsv(store, {
    county: c.var.caller.county,
    kind,
    file: new Uint8Array(await c.req.arrayBuffer()), // bytes: the encoding is detected, never guessed as UTF-8
    dryRun: c.req.query('dryRun') === 'true',
    now: clock(),
    phoneKeys: c.var.deps.phoneKeys,
    audit: { actor: actorOfCaller(c.var.caller), timeZone: config.timeZone },
    subscriptions: c.var.deps.stationSubscriptions,
  });
}
