/**
 * @module routes/audit
 * `GET /audit` (admins and the county office; the operator reads the deployment's own log: counties
 * created and changed, tokens above the counties): the audit log of one local day — who changed what,
 * when, with the record before and after. There is deliberately no route that writes, changes or
 * deletes an entry: entries are only ever filed by the changes they record.
 */
import { z } from 'zod';
import { auditActions, auditEntrySchema } from '../domain/audit.js';
import { utcToLocal } from '../domain/schedule.js';
import { jsonResponse, pageQuerySchema, securedRoute } from '../http/route.js';
import { newRouter } from '../http/router.js';

const auditRoute = securedRoute(['admin', 'county', 'operator'], {
  method: 'get',
  path: '/audit',
  tags: ['audit'],
  summary: 'The audit log of one day (county local date), oldest first, paged',
  request: {
    query: pageQuerySchema.extend({
      date: z.iso.date().optional().describe('YYYY-MM-DD in the county’s time zone; today if left out'),
      action: z.enum(auditActions).optional().describe('only entries of this action'),
    }),
  },
  responses: {
    200: jsonResponse(z.object({ date: z.string(), items: z.array(auditEntrySchema), nextCursor: z.string().optional() }), 'The day’s entries'),
  },
});

export function auditRoutes() {
  return newRouter().openapi(auditRoute, async (c) => {
    const { store, clock, config } = c.var.deps;
    const { date, action, limit, cursor } = c.req.valid('query');
    const day = date ?? utcToLocal(clock().toISOString(), config.timeZone).slice(0, 10);
    const page = await store.audit.page(c.var.caller.county, day, { action, limit, cursor });
    return c.json({ date: day, ...page }, 200);
  });
}
