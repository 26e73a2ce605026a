/**
 * @module routes/plans
 * The year's plan: load a plan file (`POST /plans`, YAML or JSON, `?dryRun=true` to only see
 * what would change), read it (`GET /plans/{year}`) and its month-by-month calendar; the registry
 * (townships, villages, stations, groups) and the registered SMS templates the plans refer to.
 */
import { pushSyncReportSchema } from '../domain/station-push.js';
import type { Context } from 'hono';
import { z } from 'zod';
import { actorOfCaller } from '../domain/audit.js';
import { actorOf } from '../domain/review.js';
import { buildCalendar } from '../domain/calendar.js';
import { Invalid, NotFound, Unauthenticated } from '../domain/errors.js';
import { feedKeySchema } from '../domain/feed.js';
import { planFileSchema, planHolidays, planYearRecordSchema, smsTemplateSchema, type PlanFile } from '../domain/plan.js';
import { registrySchema } from '../domain/registry.js';
import { maskPhone } from '../domain/phone.js';
import { readYaml } from '../domain/yaml-source.js';
import type { AppEnv } from '../http/env.js';
import { feedKeyRoute, jsonBody, jsonResponse, problemResponseSpec, securedRoute } from '../http/route.js';
import { newRouter } from '../http/router.js';
import { invalid } from '../workflows/notices.js';
import { loadPlan, updateSmsTemplates } from '../workflows/plans.js';
import { removeRegistryEntry, updateRegistry } from '../workflows/registry.js';

const YAML_TYPES = /^(application|text)\/(x-)?yaml\b/i;
const json = jsonResponse;
const yearParams = z.object({ year: z.coerce.number().int().min(2000).max(2100) });
const planFile = planFileSchema.meta({ id: 'PlanFile' });
const registry = registrySchema.meta({ id: 'Registry' });
const upsertCounts = z.object({ created: z.number(), updated: z.number(), unchanged: z.number() });
const noticeRef = z.object({ campaignId: z.string(), id: z.string() });

const holidayEntry = z.object({
  campaignId: z.string(),
  noticeId: z.string(),
  date: z.string(),
  holiday: z.string(),
  action: z.enum(['kept', 'moved', 'skipped']),
  message: z.string(),
});

const loadReport = z
  .object({
    year: z.number(),
    dryRun: z.boolean(),
    plan: z.string(),
    registry: upsertCounts.optional(),
    smsTemplates: upsertCounts.optional(),
    campaigns: z.array(z.object({ id: z.string(), action: z.string(), reason: z.string().optional() })),
    notices: z.array(z.object({ campaignId: z.string(), id: z.string(), action: z.string(), reason: z.string().optional() })),
    notInFile: z.array(z.object({ campaignId: z.string(), noticeId: z.string().optional() })),
    backToReview: z.array(noticeRef).describe('submitted or approved notices whose text this load changed: back to draft, to be reviewed again'),
    holidays: z
      .object({
        warnings: z.array(holidayEntry).describe('sends kept on a public holiday or make-up workday (onHoliday: keep)'),
        changes: z.array(holidayEntry).describe('sends the holiday policy moved or skipped, with why'),
        unknownYears: z.array(z.object({ year: z.number(), message: z.string() })).describe('years without holiday data: add holidays / workdays to the plan'),
      })
      .describe('the plan’s sends against China’s public holidays and make-up workdays'),
    writes: z.number(),
  })
  .meta({ id: 'PlanLoadReport' });

const loadPlanRoute = securedRoute(['staff', 'admin'], {
  method: 'post',
  path: '/plans',
  tags: ['plans'],
  summary: 'Load a year’s plan (YAML or JSON); loading the same file twice changes nothing',
  description:
    'Send the file as `Content-Type: application/yaml` (errors then carry line numbers) or as JSON. ' +
    'New campaigns and notices are created as drafts; edited drafts are updated; approved or sent content is kept and reported.',
  request: {
    query: z.object({ dryRun: z.enum(['true', 'false']).default('false') }),
    body: {
      required: false,
      content: { 'application/json': { schema: planFile }, 'application/yaml': { schema: z.string() } },
    },
  },
  responses: { 200: json(loadReport, 'What changed (or would change, with dryRun)'), 409: problemResponseSpec('Changed by someone else meanwhile') },
});

const getPlanRoute = securedRoute(['staff', 'reviewer', 'county', 'admin'], {
  method: 'get',
  path: '/plans/{year}',
  tags: ['plans'],
  summary: 'The year’s themes by month, key dates and settings',
  request: { params: yearParams },
  responses: { 200: json(planYearRecordSchema.meta({ id: 'PlanYear' }), 'The plan'), 404: problemResponseSpec('No plan for that year') },
});

const calendarSchema = z.looseObject({ year: z.number(), planned: z.boolean(), months: z.array(z.looseObject({ month: z.number() })) });

const calendarFeedRoute = feedKeyRoute({
  method: 'get',
  path: '/plans/{year}/calendar.ics',
  tags: ['plans'],
  summary: 'The year as an iCalendar feed (RFC 5545) for phone calendars: themes, key dates, campaigns, scheduled sends',
  request: { params: yearParams, query: z.object({ key: z.string().max(200).optional().describe('the calendar feed key (pufa_feed_…)') }) },
  responses: { 200: { description: 'text/calendar', content: { 'text/calendar': { schema: z.string() } } } },
});

const calendarRoute = securedRoute(['staff', 'reviewer', 'county', 'admin'], {
  method: 'get',
  path: '/plans/{year}/calendar',
  tags: ['plans'],
  summary: 'The year month by month: theme, key dates, campaigns and notices with their states',
  request: { params: yearParams },
  responses: { 200: json(calendarSchema.meta({ id: 'Calendar' }), 'Twelve months') },
});

const getRegistryRoute = securedRoute(['admin', 'staff', 'reviewer', 'county'], {
  method: 'get',
  path: '/registry',
  tags: ['registry'],
  summary: 'Townships, villages, broadcast stations and subscriber groups',
  responses: { 200: json(registry, 'The registry') },
});

const putRegistryRoute = securedRoute(['admin'], {
  method: 'put',
  path: '/registry',
  tags: ['registry'],
  summary: 'Add or change registry entries (entries not named are kept); idempotent',
  request: { body: jsonBody(registry) },
  responses: { 200: json(upsertCounts.extend({ pushes: pushSyncReportSchema }), 'What changed, and the stations’ push subscriptions') },
});

const removeRegistryRoute = securedRoute(['admin'], {
  method: 'delete',
  path: '/registry/{kind}/{id}',
  tags: ['registry'],
  summary: 'Remove a township, village, station, group, department or placement; refused while anything still belongs to it or names it',
  request: { params: z.object({ kind: z.enum(['townships', 'villages', 'stations', 'groups', 'departments', 'placements']), id: z.string().trim().min(1).max(64) }) },
  responses: { 200: json(z.object({ removed: z.string() }), 'Removed'), 404: problemResponseSpec('No such entry'), 409: problemResponseSpec('Still in use') },
});

const listTemplatesRoute = securedRoute(['admin', 'staff', 'reviewer'], {
  method: 'get',
  path: '/sms-templates',
  tags: ['registry'],
  summary: 'SMS templates registered with the carrier',
  responses: { 200: json(z.object({ items: z.array(smsTemplateSchema) }), 'Templates') },
});

const putTemplatesRoute = securedRoute(['admin'], {
  method: 'put',
  path: '/sms-templates',
  tags: ['registry'],
  summary: 'Add or change registered SMS templates; idempotent',
  description: 'Submitted or approved notices using a template whose text changes go back to draft, listed in `backToReview`.',
  request: { body: jsonBody(z.object({ items: z.array(smsTemplateSchema).min(1).max(200) })) },
  responses: { 200: json(upsertCounts.extend({ backToReview: z.array(noticeRef) }), 'What changed') },
});

const counts = (report: { created: string[]; updated: string[]; unchanged: string[] }) => ({
  created: report.created.length,
  updated: report.updated.length,
  unchanged: report.unchanged.length,
});

export function planRoutes() {
  return newRouter()
    .openapi(loadPlanRoute, async (c) => {
      const contentType = c.req.header('content-type') ?? '';
      let plan: PlanFile;
      let locate: ((path: (string | number)[], message: string) => { line: number }) | undefined;
      if (YAML_TYPES.test(contentType)) {
        const read = await readYaml(planFileSchema, await c.req.text(), 'body');
        if (!read.ok) {
          throw new Invalid(
            'The plan file has mistakes.',
            read.problems.map((problem) => ({ field: ['body', problem.path].filter(Boolean).join('.'), message: `line ${problem.line}: ${problem.message}` })),
          );
        }
        plan = read.source.value;
        locate = read.source.locate;
      } else {
        const body: PlanFile | string | undefined = /json/i.test(contentType) ? c.req.valid('json') : undefined;
        if (body === undefined || typeof body === 'string') {
          throw new Invalid('Send the plan as application/yaml or application/json.', [
            { field: 'header.content-type', message: 'must be application/yaml or application/json' },
          ]);
        }
        plan = body;
      }
      const { store, config, clock, stationSubscriptions } = c.var.deps;
      const result = await loadPlan(
        { store, config, now: clock(), subscriptions: stationSubscriptions },
        { plan, county: c.var.caller.county, loader: { kind: 'caller', caller: c.var.caller }, actor: actorOf(c.var.caller), auditActor: actorOfCaller(c.var.caller), dryRun: c.req.valid('query').dryRun === 'true' },
      );
      if (!result.ok) {
        // From a YAML body, say where in the file each problem is.
        const located = result.problems.map((problem) =>
          locate ? { ...problem, message: `line ${locate(problem.path, problem.message).line}: ${problem.message}` } : problem,
        );
        throw invalid('The plan has mistakes; nothing was written.', located);
      }
      return c.json(result.report, 200);
    })
    .openapi(getPlanRoute, async (c) => {
      const { year } = c.req.valid('param');
      const plan = await c.var.deps.store.plans.getYear(c.var.caller.county, year);
      if (!plan) throw new NotFound(`No plan is loaded for ${year}.`);
      return c.json(plan, 200);
    })
    .openapi(calendarFeedRoute, async (c) => {
      const { year } = c.req.valid('param');
      const key = feedKeySchema.safeParse(c.req.valid('query').key);
      const { store } = c.var.deps;
      // Loaded on first use: the feed's libraries stay out of every other plan request.
      const [{ openFeed }, { yearFeed }] = await Promise.all([import('../workflows/feeds.js'), import('../domain/ics.js')]);
      const feed = key.success ? await openFeed(store, key.data) : undefined;
      if (!feed) throw new Unauthenticated('This calendar feed key is unknown or revoked; ask an admin for a new feed link.');
      const county = feed.county;
      const [plan, campaigns, registry] = await Promise.all([store.plans.getYear(county, year), store.campaigns.listByYear(county, year), store.registry.get(county)]);
      const notices = new Map(
        await Promise.all(campaigns.map(async (campaign) => [campaign.id, await store.notices.listByCampaign(county, campaign.id)] as const)),
      );
      const townships = new Map(registry.townships.map((township) => [township.id, township.name]));
      // A feed key is no token: the county's time zone comes from its record here, as http/county-scope gives it to a token's requests.
      const timeZone = (await store.counties.settings(county, c.var.deps.clock()))?.timeZone ?? c.var.deps.config.timeZone;
      return c.body(yearFeed({ county, year, timeZone, plan, campaigns, notices, townships }), 200, {
        'Content-Type': 'text/calendar; charset=utf-8',
        'Content-Disposition': `inline; filename="pufa-${year}.ics"`,
        'Cache-Control': 'private, max-age=300',
        'Referrer-Policy': 'no-referrer',
      });
    })
    .openapi(calendarRoute, async (c) => {
      const { year } = c.req.valid('param');
      const { store } = c.var.deps;
      const county = c.var.caller.county;
      const [plan, campaigns] = await Promise.all([store.plans.getYear(county, year), store.campaigns.listByYear(county, year)]);
      // One Query per campaign: a year has tens of campaigns, so this stays a bounded batch.
      const notices = new Map(
        await Promise.all(campaigns.map(async (campaign) => [campaign.id, await store.notices.listByCampaign(county, campaign.id)] as const)),
      );
      return c.json(buildCalendar(year, plan, campaigns, notices, planHolidays(plan)), 200);
    })
    .openapi(getRegistryRoute, async (c) => {
      const registry = await c.var.deps.store.registry.get(c.var.caller.county);
      const reveal = c.var.caller.role === 'admin';
      const stations = registry.stations.map((station) => (station.contact && !reveal ? { ...station, contact: maskPhone(station.contact, 'restricted') } : station));
      return c.json({ ...registry, stations }, 200);
    })
    .openapi(putRegistryRoute, async (c) => {
      const report = await updateRegistry({ ...deps(c), store: c.var.deps.store, subscriptions: c.var.deps.stationSubscriptions }, c.var.caller, c.req.valid('json'));
      return c.json({ ...counts(report), pushes: report.pushes }, 200);
    })
    .openapi(removeRegistryRoute, async (c) => {
      const { kind, id } = c.req.valid('param');
      await removeRegistryEntry({ ...deps(c), store: c.var.deps.store, subscriptions: c.var.deps.stationSubscriptions }, c.var.caller, kind, id);
      return c.json({ removed: id }, 200);
    })
    .openapi(listTemplatesRoute, async (c) => c.json({ items: await c.var.deps.store.registry.smsTemplates(c.var.caller.county) }, 200))
    .openapi(putTemplatesRoute, async (c) => {
      const { report, backToReview } = await updateSmsTemplates({ store: c.var.deps.store, ...deps(c) }, c.var.caller, c.req.valid('json').items);
      return c.json({ ...counts(report), backToReview }, 200);
    });
}

/** What a change needs to file its audit entry: the county's time zone and the request's moment. */
function deps(c: Context<AppEnv>) {
  return { config: c.var.deps.config, now: c.var.deps.clock() };
}
