/**
 * @module routes/feeds
 * Calendar feed keys: an admin creates one (`POST /feeds`, the key and the feed's URL shown once),
 * lists and revokes them. The feed itself is `GET /plans/{year}/calendar.ics?key=…` (routes/plans).
 */
import { z } from 'zod';
import { idSchema } from '../domain/access.js';
import { actorOfCaller } from '../domain/audit.js';
import { feedInputSchema, feedRecordSchema } from '../domain/feed.js';
import { utcToLocal } from '../domain/schedule.js';
import { jsonBody, jsonResponse, pageQuerySchema, problemResponseSpec, securedRoute } from '../http/route.js';
import { newRouter } from '../http/router.js';
import { createFeed, revokeFeed } from '../workflows/feeds.js';

const feedRecord = feedRecordSchema.meta({ id: 'CalendarFeed' });
const json = jsonResponse;

const createFeedRoute = securedRoute(['admin'], {
  method: 'post',
  path: '/feeds',
  tags: ['access'],
  summary: 'Create a read-only calendar feed key (for phone calendar subscriptions)',
  request: { body: jsonBody(feedInputSchema.meta({ id: 'CalendarFeedInput' })) },
  responses: {
    201: json(
      z.object({
        key: z.string().describe('Shown only in this response; only its hash is kept.'),
        path: z.string().describe('the feed of the current year, to put after the API’s address: /plans/{year}/calendar.ics?key=…'),
        feed: feedRecord,
      }),
      'Created; keep the key, it is not shown again',
    ),
  },
});

const listFeedsRoute = securedRoute(['admin'], {
  method: 'get',
  path: '/feeds',
  tags: ['access'],
  summary: 'List the county’s calendar feed keys (without the keys)',
  request: { query: pageQuerySchema },
  responses: { 200: json(z.object({ items: z.array(feedRecord), nextCursor: z.string().optional() }), 'One page of feeds') },
});

const revokeFeedRoute = securedRoute(['admin'], {
  method: 'delete',
  path: '/feeds/{id}',
  tags: ['access'],
  summary: 'Revoke a calendar feed key (idempotent)',
  request: { params: z.object({ id: idSchema }) },
  responses: { 200: json(feedRecord, 'Revoked (or already was)'), 404: problemResponseSpec('No such feed in this county') },
});

export function feedRoutes() {
  return newRouter()
    .openapi(createFeedRoute, async (c) => {
      const { store, clock, config } = c.var.deps;
      const now = clock();
      const { secret, record } = await createFeed({ store, timeZone: config.timeZone, now }, { county: c.var.caller.county, input: c.req.valid('json'), actor: actorOfCaller(c.var.caller) });
      // The county's year: on the night of 31 December UTC+8 it is already the new one.
      const year = Number(utcToLocal(now.toISOString(), config.timeZone).slice(0, 4));
      return c.json({ key: secret, path: `/plans/${year}/calendar.ics?key=${secret}`, feed: record }, 201);
    })
    .openapi(listFeedsRoute, async (c) => {
      const { limit, cursor } = c.req.valid('query');
      return c.json(await c.var.deps.store.feeds.list(c.var.caller.county, { limit, cursor }), 200);
    })
    .openapi(revokeFeedRoute, async (c) => {
      const { store, clock, config } = c.var.deps;
      const revoked = await revokeFeed({ store, timeZone: config.timeZone, now: clock() }, { county: c.var.caller.county, feedId: c.req.valid('param').id, actor: actorOfCaller(c.var.caller) });
      return c.json(revoked, 200);
    });
}
