/**
 * @module routes/campaigns
 * Campaigns of the year's plan, and their notices with the review moves:
 * `/campaigns` (create, list by year and month), `/campaigns/{id}` (get, update, cancel),
 * `/campaigns/{id}/notices...` (create, list, get, replace, preview, submit, approve, reject,
 * schedule, cancel), and the review queue `/reviews`.
 */
import { z } from 'zod';
import { idSchema, type Role } from '../domain/access.js';
import { visibleText } from '../domain/text.js';
import { contentHash } from '../domain/approval.js';
import {
  campaignInputSchema,
  campaignPatchSchema,
  campaignRecordSchema,
  noticeInputSchema,
  noticeRecordSchema,
  noticeStateLabels,
  noticeStates,
  overlapsMonth,
  sendSchema,
  type NoticeRecord,
} from '../domain/planning.js';
import type { NoticeEvaluation } from '../domain/notice-check.js';
import { jsonBody, jsonResponse, pageQuerySchema, problemResponseSpec, securedRoute } from '../http/route.js';
import { newRouter } from '../http/router.js';
import type { AppEnv } from '../http/env.js';
import { workflowDeps } from '../workflows/app-deps.js';
import type { Context } from 'hono';
import {
  actOnNotice,
  cancelCampaign,
  createCampaign,
  createNotice,
  evaluate,
  updateCampaign,
  sentContent,
  updateNotice,
  type WorkflowDeps,
} from '../workflows/notices.js';

const readers: Role[] = ['staff', 'reviewer', 'county', 'admin'];
const writers: Role[] = ['staff'];

const campaign = campaignRecordSchema.meta({ id: 'Campaign' });
const campaignInput = campaignInputSchema.meta({ id: 'CampaignInput' });
const noticeInput = noticeInputSchema.meta({ id: 'NoticeInput' });

const evaluationSchema = z
  .looseObject({
    problems: z.array(z.object({ path: z.array(z.union([z.string(), z.number()])), message: z.string() })),
    warnings: z.array(z.string()),
    sends: z.array(sendSchema),
    skipped: z
      .array(z.object({ local: z.string(), kind: z.enum(['holiday', 'workday']), name: z.string(), reason: z.string() }))
      .describe('sends the holiday policy skipped (跳过 … 因 清明节)'),
    holidayNotes: z.array(z.string()).describe('one line per send moved or skipped for a public holiday or make-up workday'),
  })
  .meta({ id: 'NoticeEvaluation', description: 'send times (with quiet-hour moves), SMS segments and cost, broadcast length, warnings' });

const noticeView = z
  .object({
    notice: noticeRecordSchema,
    stateLabel: z.string(),
    evaluation: evaluationSchema,
    contentHash: z.string().describe('the fingerprint of what this notice would send now (text, and a broadcast’s recording): give it as `seen` when approving'),
  })
  .meta({ id: 'NoticeView' });

const campaignParams = z.object({ id: idSchema });
const noticeParams = z.object({ id: idSchema, noticeId: idSchema });
const json = jsonResponse;
const notFound = problemResponseSpec('No such campaign or notice');
const conflict = problemResponseSpec('The thing is not in a state that allows this (or was changed by someone else)');

function deps(c: Context<AppEnv>): WorkflowDeps {
  return workflowDeps(c.var.deps);
}

function view(notice: NoticeRecord, evaluation: NoticeEvaluation) {
  return { notice, stateLabel: noticeStateLabels[notice.state], evaluation, contentHash: contentHash(sentContent(notice, evaluation)) };
}

// --- campaign routes

const createCampaignRoute = securedRoute(writers, {
  method: 'post',
  path: '/campaigns',
  tags: ['campaigns'],
  summary: 'Create a campaign in the year’s plan',
  request: { body: jsonBody(campaignInput) },
  responses: { 201: json(campaign, 'Created'), 409: conflict },
});

const listCampaignsRoute = securedRoute(readers, {
  method: 'get',
  path: '/campaigns',
  tags: ['campaigns'],
  summary: 'List a year’s campaigns, optionally those touching one month',
  request: {
    query: z.object({
      year: z.coerce.number().int().min(2000).max(2100),
      month: z.coerce.number().int().min(1).max(12).optional(),
    }),
  },
  responses: { 200: json(z.object({ items: z.array(campaign) }), 'Campaigns ordered by start') },
});

const getCampaignRoute = securedRoute(readers, {
  method: 'get',
  path: '/campaigns/{id}',
  tags: ['campaigns'],
  summary: 'A campaign with its notices',
  request: { params: campaignParams },
  responses: { 200: json(z.object({ campaign, notices: z.array(noticeRecordSchema) }), 'The campaign'), 404: notFound },
});

const updateCampaignRoute = securedRoute(writers, {
  method: 'patch',
  path: '/campaigns/{id}',
  tags: ['campaigns'],
  summary: 'Change a campaign (title, theme, window, key date, description)',
  request: { params: campaignParams, body: jsonBody(campaignPatchSchema.meta({ id: 'CampaignPatch' })) },
  responses: { 200: json(campaign, 'Changed'), 404: notFound, 409: conflict },
});

const cancelCampaignRoute = securedRoute(writers, {
  method: 'post',
  path: '/campaigns/{id}/cancel',
  tags: ['campaigns'],
  summary: 'Cancel a campaign and its unfinished notices',
  request: { params: campaignParams },
  responses: { 200: json(z.object({ campaign, cancelledNotices: z.array(z.string()) }), 'Cancelled'), 404: notFound },
});

// --- notice routes

const createNoticeRoute = securedRoute(writers, {
  method: 'post',
  path: '/campaigns/{id}/notices',
  tags: ['notices'],
  summary: 'Write a notice (SMS or broadcast) as a draft',
  request: { params: campaignParams, body: jsonBody(noticeInput) },
  responses: { 201: json(noticeView, 'Created as draft'), 404: notFound, 409: conflict },
});

const previewRoute = securedRoute(['staff', 'reviewer'], {
  method: 'post',
  path: '/campaigns/{id}/notices/preview',
  tags: ['notices'],
  summary: 'Preview an unsaved notice: send times, quiet-hour moves, SMS segments and cost, reading time',
  description: 'Writes nothing. Problems are returned, not refused, so a composer can show them as the user types.',
  request: { params: campaignParams, body: jsonBody(noticeInput) },
  responses: { 200: json(evaluationSchema, 'The evaluation'), 404: notFound },
});

const getNoticeRoute = securedRoute(readers, {
  method: 'get',
  path: '/campaigns/{id}/notices/{noticeId}',
  tags: ['notices'],
  summary: 'A notice with its evaluation (send times, segments, warnings)',
  request: { params: noticeParams },
  responses: { 200: json(noticeView, 'The notice'), 404: notFound },
});

const replaceNoticeRoute = securedRoute(writers, {
  method: 'put',
  path: '/campaigns/{id}/notices/{noticeId}',
  tags: ['notices'],
  summary: 'Rewrite a notice; submitted or approved content returns to draft',
  request: { params: noticeParams, body: jsonBody(noticeInput) },
  responses: { 200: json(noticeView, 'Rewritten, now a draft'), 404: notFound, 409: conflict },
});

const reasonBody = z
  .object({
    reason: visibleText(500, { min: 0 }).optional(),
    seen: z
      .string()
      .regex(/^[0-9a-f]{64}$/, 'must be a SHA-256 in hex')
      .optional()
      .describe('approve: the content fingerprint of what the reviewer read and heard (a preview’s or the notice view’s); 409 when the notice now holds other content'),
  })
  .meta({ id: 'ReviewReason' });

function actionRoute<A extends 'submit' | 'approve' | 'reject' | 'schedule' | 'pause' | 'resume' | 'cancel'>(action: A, roles: Role[], summary: string) {
  return securedRoute(roles, {
    method: 'post',
    path: `/campaigns/{id}/notices/{noticeId}/${action}`,
    tags: ['review'],
    summary,
    request: { params: noticeParams, body: { ...jsonBody(reasonBody), required: action === 'reject' } },
    responses: { 200: json(noticeView, 'Moved'), 404: notFound, 409: conflict },
  });
}

const reviewActions = [
  { action: 'submit', route: actionRoute('submit', ['staff'], 'Submit a draft for legal review (法制审核)') },
  { action: 'approve', route: actionRoute('approve', ['reviewer'], 'Approve a submitted notice (not one’s own)') },
  { action: 'schedule', route: actionRoute('schedule', ['staff'], 'Schedule an approved notice: fixes its send times') },
  { action: 'pause', route: actionRoute('pause', ['staff'], 'Pause a scheduled notice: no new sends until resumed') },
  { action: 'resume', route: actionRoute('resume', ['staff'], 'Resume a paused notice: sends only what was never sent') },
  { action: 'cancel', route: actionRoute('cancel', ['staff'], 'Cancel a notice that has not finished') },
] as const;

const rejectRoute = actionRoute('reject', ['reviewer'], 'Reject a submitted notice with a reason');

const reviewQueueRoute = securedRoute(['reviewer', 'staff'], {
  method: 'get',
  path: '/reviews',
  tags: ['review'],
  summary: 'Notices in a review state (default: submitted, the review queue), oldest first',
  request: { query: pageQuerySchema.extend({ state: z.enum(noticeStates).default('submitted') }) },
  responses: { 200: json(z.object({ items: z.array(noticeRecordSchema), nextCursor: z.string().optional() }), 'One page') },
});

export function campaignRoutes() {
  const router = newRouter()
    .openapi(createCampaignRoute, async (c) => c.json(await createCampaign(deps(c), c.var.caller, c.req.valid('json')), 201))
    .openapi(listCampaignsRoute, async (c) => {
      const { year, month } = c.req.valid('query');
      const campaigns = await c.var.deps.store.campaigns.listByYear(c.var.caller.county, year);
      return c.json({ items: month ? campaigns.filter((item) => overlapsMonth(item.window, year, month)) : campaigns }, 200);
    })
    .openapi(getCampaignRoute, async (c) => {
      const { id } = c.req.valid('param');
      const { store } = c.var.deps;
      const [found, notices] = await Promise.all([
        store.campaigns.require(c.var.caller.county, id),
        store.notices.listByCampaign(c.var.caller.county, id),
      ]);
      return c.json({ campaign: found, notices }, 200);
    })
    .openapi(updateCampaignRoute, async (c) =>
      c.json(await updateCampaign(deps(c), c.var.caller, c.req.valid('param').id, c.req.valid('json')), 200),
    )
    .openapi(cancelCampaignRoute, async (c) => c.json(await cancelCampaign(deps(c), c.var.caller, c.req.valid('param').id), 200))
    .openapi(createNoticeRoute, async (c) => {
      const created = await createNotice(deps(c), c.var.caller, c.req.valid('param').id, c.req.valid('json'));
      return c.json(view(created.notice, created.evaluation), 201);
    })
    .openapi(previewRoute, async (c) => {
      const found = await c.var.deps.store.campaigns.require(c.var.caller.county, c.req.valid('param').id);
      return c.json(await evaluate(deps(c), found, c.req.valid('json')), 200);
    })
    .openapi(getNoticeRoute, async (c) => {
      const { id, noticeId } = c.req.valid('param');
      const { store } = c.var.deps;
      const [found, notice] = await Promise.all([
        store.campaigns.require(c.var.caller.county, id),
        store.notices.require(c.var.caller.county, id, noticeId),
      ]);
      return c.json(view(notice, await evaluate(deps(c), found, notice)), 200);
    })
    .openapi(replaceNoticeRoute, async (c) => {
      const { id, noticeId } = c.req.valid('param');
      const updated = await updateNotice(deps(c), c.var.caller, id, noticeId, c.req.valid('json'));
      return c.json(view(updated.notice, updated.evaluation), 200);
    })
    .openapi(rejectRoute, async (c) => {
      const { id, noticeId } = c.req.valid('param');
      const { reason } = c.req.valid('json');
      const moved = await actOnNotice(deps(c), c.var.caller, id, noticeId, 'reject', { reason });
      return c.json(view(moved.notice, moved.evaluation), 200);
    })
    .openapi(reviewQueueRoute, async (c) => {
      const { state, limit, cursor } = c.req.valid('query');
      return c.json(await c.var.deps.store.notices.listByState(c.var.caller.county, state, { limit, cursor }), 200);
    });

  for (const { action, route } of reviewActions) {
    router.openapi(route, async (c) => {
      const { id, noticeId } = c.req.valid('param');
      const body = (c.req.header('content-type') ?? '').includes('json') ? c.req.valid('json') : {};
      const moved = await actOnNotice(deps(c), c.var.caller, id, noticeId, action, { seen: body.seen });
      return c.json(view(moved.notice, moved.evaluation), 200);
    });
  }
  return router;
}
