/**
 * @module routes/deliveries
 * Where a scheduled notice stands: counts by state (pending, sent, failed, skipped, expired,
 * aired, cancelled) and a paged list of its deliveries — by default the failures, with reasons.
 * Phone numbers are always masked: admins see `+86 138****5678`, everyone else `+86 *******5678`
 * (full numbers are read only through the audited `GET /subscribers?reveal=true`). A staff token
 * limited to a township sees the deliveries of notices addressed within it only; one limited to a
 * department, those of the notices it is responsible for.
 * `POST …/deliveries/resend-uncertain` sends again, on staff's word, the SMS a crash left uncertain.
 */
import { z } from 'zod';
import { idSchema, type Caller } from '../domain/access.js';
import { deliveryStates, type DeliveryRecord } from '../domain/delivery.js';
import { maskPhone } from '../domain/phone.js';
import { jsonResponse, pageQuerySchema, problemResponseSpec, securedRoute } from '../http/route.js';
import { newRouter } from '../http/router.js';
import { noticeRecordSchema } from '../domain/planning.js';
import { requireNoticeInScope, resendUncertain } from '../workflows/notices.js';

const countsSchema = z
  .object({
    total: z.number(),
    pending: z.number(),
    sent: z.number(),
    failed: z.number(),
    skipped: z.number(),
    expired: z.number(),
    aired: z.number(),
    cancelled: z.number(),
    uncertain: z.number().meta({ description: 'SMS whose send began when its run stopped: they may or may not have arrived, and are not resent unasked' }),
    delivered: z.number().meta({ description: 'Sent SMS the carrier reported delivered (a receipt; still counted in sent)' }),
    undelivered: z.number().meta({ description: 'Sent SMS the carrier reported it could not deliver (still counted in sent)' }),
    costMicroUsd: z.number().int().meta({ description: 'What SNS charged for the SMS with receipts, in millionths of a US dollar' }),
  })
  .meta({ id: 'DeliveryCounts' });

const deliveryView = z.looseObject({ id: z.string(), state: z.enum(deliveryStates), scheduledAt: z.string(), attempts: z.number() }).meta({ id: 'Delivery' });

export function deliveryForCaller(delivery: DeliveryRecord, caller: Pick<Caller, 'role'>) {
  const { leaseId: _lease, ...rest } = delivery;
  if (rest.recipient.kind === 'sms') {
    return { ...rest, recipient: { ...rest.recipient, phone: maskPhone(rest.recipient.phone, caller.role === 'admin' ? 'admin' : 'restricted') } };
  }
  return rest;
}

const statusRoute = securedRoute(['staff', 'reviewer', 'county', 'admin'], {
  method: 'get',
  path: '/campaigns/{id}/notices/{noticeId}/deliveries',
  tags: ['delivery'],
  summary: 'Delivery counts by state, and a page of deliveries (default: the failures, with reasons)',
  request: {
    params: z.object({ id: idSchema, noticeId: idSchema }),
    query: pageQuerySchema.extend({ state: z.enum(deliveryStates).default('failed') }),
  },
  responses: {
    200: jsonResponse(z.object({ counts: countsSchema, items: z.array(deliveryView), nextCursor: z.string().optional() }), 'Counts and one page'),
    404: problemResponseSpec('No such notice'),
  },
});

const resendUncertainRoute = securedRoute(['staff'], {
  method: 'post',
  path: '/campaigns/{id}/notices/{noticeId}/deliveries/resend-uncertain',
  tags: ['delivery'],
  summary: 'Send again the SMS whose outcome a crash left unknown (some recipients may get it twice)',
  request: { params: z.object({ id: idSchema, noticeId: idSchema }) },
  responses: {
    200: jsonResponse(z.object({ notice: noticeRecordSchema, resent: z.number() }), 'Back to pending, due now'),
    404: problemResponseSpec('No such notice'),
    409: problemResponseSpec('Nothing uncertain, or the notice is not scheduled or done'),
  },
});

export function deliveryRoutes() {
  return newRouter()
    .openapi(resendUncertainRoute, async (c) => {
      const { id, noticeId } = c.req.valid('param');
      const { store, config, clock } = c.var.deps;
      return c.json(await resendUncertain({ store, config, now: clock() }, c.var.caller, id, noticeId), 200);
    })
    .openapi(statusRoute, async (c) => {
    const { id, noticeId } = c.req.valid('param');
    const { state, limit, cursor } = c.req.valid('query');
    const { store } = c.var.deps;
    const county = c.var.caller.county;
    await requireNoticeInScope(store, c.var.caller, id, noticeId);
    const [counts, page] = await Promise.all([
      store.deliveries.counts(county, id, noticeId),
      store.deliveries.page(county, id, noticeId, { state, limit, cursor }),
    ]);
    return c.json({ counts, items: page.items.map((item) => deliveryForCaller(item, c.var.caller)), ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) }, 200);
  });
}
