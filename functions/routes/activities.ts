/**
 * @module routes/activities
 * Activity records (staff write; staff, county office and admins read): create, list by year and
 * month, township or theme (paged), read, change and delete. Each write moves the tallies exactly.
 * A staff token limited to a township reads and writes that township's records only.
 */
import { z } from 'zod';
import { idSchema, type Role } from '../domain/access.js';
import { activityInputSchema, activityRecordSchema } from '../domain/activity.js';
import { jsonBody, jsonResponse, pageQuerySchema, problemResponseSpec, securedRoute } from '../http/route.js';
import { newRouter } from '../http/router.js';
import type { AppEnv } from '../http/env.js';
import type { Context } from 'hono';
import { evidenceFileKeys } from '../evidence/workflow.js';
import { createActivity, deleteActivity, getActivity, listActivities, updateActivity, type ActivityDeps } from '../workflows/activities.js';

const writers: Role[] = ['staff'];
const readers: Role[] = ['staff', 'county', 'admin'];
const record = activityRecordSchema.meta({ id: 'Activity' });
const input = activityInputSchema.meta({ id: 'ActivityInput' });
const params = z.object({ id: idSchema });
const notFound = problemResponseSpec('No such activity');
const conflict = problemResponseSpec('Changed by someone else, or the id is taken by another record');

const deps = (c: Context<AppEnv>): ActivityDeps => ({ store: c.var.deps.store, config: c.var.deps.config, now: c.var.deps.clock() });

const createRoute = securedRoute(writers, {
  method: 'post',
  path: '/activities',
  tags: ['activities'],
  summary: 'Record an activity held (give an id to make a retry safe)',
  request: { body: jsonBody(input) },
  responses: { 201: jsonResponse(record, 'Recorded'), 200: jsonResponse(record, 'Already recorded (a retry)'), 409: conflict },
});

const listRoute = securedRoute(readers, {
  method: 'get',
  path: '/activities',
  tags: ['activities'],
  summary: 'A year’s activities in date order, optionally one month, township or theme; paged',
  description: 'A staff token limited to a township lists that township only (asking for another is 403).',
  request: {
    query: pageQuerySchema.extend({
      year: z.coerce.number().int().min(2000).max(2100),
      month: z.coerce.number().int().min(1).max(12).optional(),
      township: idSchema.optional(),
      theme: idSchema.optional(),
    }),
  },
  responses: { 200: jsonResponse(z.object({ items: z.array(record), nextCursor: z.string().optional() }), 'One page') },
});

const getRoute = securedRoute(readers, {
  method: 'get',
  path: '/activities/{id}',
  tags: ['activities'],
  summary: 'One activity',
  request: { params },
  responses: { 200: jsonResponse(record, 'The activity'), 404: notFound },
});

const replaceRoute = securedRoute(writers, {
  method: 'put',
  path: '/activities/{id}',
  tags: ['activities'],
  summary: 'Change an activity record; the tallies follow exactly',
  request: { params, body: jsonBody(input) },
  responses: { 200: jsonResponse(record, 'Changed'), 404: notFound, 409: conflict },
});

const deleteRoute = securedRoute(writers, {
  method: 'delete',
  path: '/activities/{id}',
  tags: ['activities'],
  summary: 'Delete an activity record; its figures leave the tallies, its evidence files are deleted',
  request: { params },
  responses: { 200: jsonResponse(record, 'Deleted'), 404: notFound, 409: conflict },
});

export function activityRoutes() {
  return newRouter()
    .openapi(createRoute, async (c) => {
      const result = await createActivity(deps(c), c.var.caller, c.req.valid('json'));
      return result.created ? c.json(result.record, 201) : c.json(result.record, 200);
    })
    .openapi(listRoute, async (c) => {
      const { year, month, township, theme, limit, cursor } = c.req.valid('query');
      return c.json(await listActivities(c.var.deps, c.var.caller, { year, month, township, theme }, { limit, cursor }), 200);
    })
    .openapi(getRoute, async (c) => c.json(await getActivity(c.var.deps, c.var.caller, c.req.valid('param').id), 200))
    .openapi(replaceRoute, async (c) => c.json(await updateActivity(deps(c), c.var.caller, c.req.valid('param').id, c.req.valid('json')), 200))
    .openapi(deleteRoute, async (c) => {
      const deleted = await deleteActivity(deps(c), c.var.caller, c.req.valid('param').id);
      // Its evidence files go with it (after the record: a refused delete must keep them).
      const { evidence } = c.var.deps;
      if (deleted.evidence && deleted.evidence.length > 0 && evidence) {
        await (await evidence()).remove(deleted.evidence.flatMap((item) => evidenceFileKeys(deleted.county, deleted.id, item)));
      }
      return c.json(deleted, 200);
    });
}
