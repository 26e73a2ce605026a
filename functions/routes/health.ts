/**
 * @module routes/health
 * `GET /health`: the version, and whether the table answers. Public, so a load balancer or
 * an uptime check needs no token; it reveals nothing but the table's name.
 */
import { z } from 'zod';
import { Unavailable } from '../domain/errors.js';
import { errorFields } from '../http/logger.js';
import { publicRoute } from '../http/route.js';
import { newRouter } from '../http/router.js';

const healthSchema = z
  .object({
    status: z.enum(['ok', 'degraded']),
    version: z.string(),
    county: z.string(),
    table: z.object({ name: z.string(), reachable: z.boolean() }),
  })
  .meta({ id: 'Health' });

const getHealth = publicRoute({
  method: 'get',
  path: '/health',
  tags: ['system'],
  summary: 'Version and table reachability',
  responses: {
    200: { description: 'Everything answers', content: { 'application/json': { schema: healthSchema } } },
    503: { description: 'The table does not answer', content: { 'application/json': { schema: healthSchema } } },
  },
});

export function healthRoutes() {
  return newRouter().openapi(getHealth, async (c) => {
    const { config, store, logger } = c.var.deps;
    const base = { version: config.version, county: config.county };
    try {
      await store.ping();
      return c.json({ ...base, status: 'ok' as const, table: { name: store.tableNameForDisplay, reachable: true } }, 200);
    } catch (error) {
      // Reported, not swallowed: the 503 says so and the log says why.
      logger.error('health check: table unreachable', { requestId: c.var.requestId, ...errorFields(error) });
      const retryAfter = error instanceof Unavailable ? error.retryAfterSeconds : 5;
      return c.json({ ...base, status: 'degraded' as const, table: { name: store.tableNameForDisplay, reachable: false } }, 503, { 'Retry-After': String(retryAfter) });
    }
  });
}
