/**
 * @module routes/outbox
 * `GET /outbox` (admins, local mode): every SMS and station push the local SNS sink accepted —
 * what would have gone out. In AWS there is no outbox and the route answers 404.
 */
import { z } from 'zod';
import { NotFound } from '../domain/errors.js';
import { maskPhone } from '../domain/phone.js';
import { jsonResponse, securedRoute } from '../http/route.js';
import { newRouter } from '../http/router.js';

const outboxRoute = securedRoute(['admin'], {
  method: 'get',
  path: '/outbox',
  tags: ['delivery'],
  summary: 'What SMS and station pushes would have gone out (local mode only)',
  request: { query: z.object({ limit: z.coerce.number().int().min(1).max(1000).default(100), kind: z.enum(['sms', 'station']).optional() }) },
  responses: {
    200: jsonResponse(
      z.object({
        total: z.number(),
        items: z.array(z.looseObject({ messageId: z.string(), kind: z.enum(['sms', 'station']), receivedAt: z.string(), message: z.string() })),
      }),
      'Newest first',
    ),
  },
});

export function outboxRoutes() {
  return newRouter().openapi(outboxRoute, (c) => {
    const outbox = c.var.deps.outbox;
    if (!outbox) throw new NotFound('There is no outbox: this server sends through Amazon SNS.');
    const { limit, kind } = c.req.valid('query');
    const all = outbox.list().filter((entry) => !kind || entry.kind === kind);
    // Admins only, but still masked: the outbox is for checking texts, not for harvesting numbers.
    const items = all
      .slice(-limit)
      .reverse()
      .map((entry) => (entry.phoneNumber ? { ...entry, phoneNumber: maskPhone(entry.phoneNumber, 'admin') } : entry));
    return c.json({ total: all.length, items }, 200);
  });
}
