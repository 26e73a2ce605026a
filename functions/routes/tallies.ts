/**
 * @module routes/tallies
 * The county's figures: a year, a month, or the year to date, with the same period of the
 * previous year beside them, broken down by month, theme, township, department, kind and
 * material; and the year's figures as the annual report's paragraph. One Query per year,
 * whatever the records. Beside them, the plan's targets and the responsibility list's duties
 * judged on a date (from the year's activities), in the API and as export sheets.
 */
import { z } from 'zod';
import type { Role } from '../domain/access.js';
import { activityKindLabels } from '../domain/activity.js';
import { actorOfCaller } from '../domain/audit.js';
import { localDateSchema, utcToLocal } from '../domain/schedule.js';
import { assemble, reportParagraph, type Tallies } from '../domain/tally.js';
import { jsonResponse, problemResponseSpec, securedRoute } from '../http/route.js';
import { newRouter } from '../http/router.js';
import type { AppEnv } from '../http/env.js';
import type { Context } from 'hono';
import { Invalid, NotFound } from '../domain/errors.js';
import { dutyProgress, dutyStateLabels } from '../domain/duty-progress.js';
import { breakdownLabels, breakdowns, tallyTable, type Table } from '../domain/tally-table.js';
import { dutiesTable, labelDuties, labelTargets, targetsTable } from '../domain/progress-table.js';
import { targetProgress } from '../domain/target-progress.js';
import { tablesToXlsx, tableToCsv } from '../reports/export.js';
import { reconcileYear } from '../workflows/reconcile.js';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

const readers: Role[] = ['county', 'admin', 'staff'];

export const tallyQuerySchema = z.object({
  year: z.coerce.number().int().min(2000).max(2100),
  period: z.enum(['year', 'month', 'ytd']).default('year'),
  month: z.coerce.number().int().min(1).max(12).optional().describe('the month (period=month), or the last month (period=ytd)'),
});
export type TallyQuery = z.infer<typeof tallyQuerySchema>;

const talliesSchema = z.looseObject({ year: z.number(), months: z.array(z.number()), totals: z.record(z.string(), z.number()) });

// A date after the year judges the year as ended (an unmet target is overdue), one before it as not begun.
const progressQuery = z.object({
  year: z.coerce.number().int().min(2000).max(2100),
  date: localDateSchema.optional().describe('the day to judge progress on (local); default today'),
});

const dutiesRoute = securedRoute(readers, {
  method: 'get',
  path: '/tallies/duties',
  tags: ['tallies'],
  summary: 'Each department’s duties of the year’s responsibility list (普法责任清单) against their targets, on a date',
  description:
    'What the activities naming each duty’s department add up to, dated in its months and by its deadline, of its kinds and themes; against an even pace, whether it is done, on track, behind or overdue. `date` defaults to today in the county.',
  request: { query: progressQuery },
  responses: {
    200: jsonResponse(
      z
        .object({
          year: z.number(),
          date: z.string(),
          duties: z.array(z.looseObject({ department: z.string(), departmentName: z.string(), duty: z.string(), state: z.string(), stateLabel: z.string() })),
        })
        .meta({ id: 'DutyProgress' }),
      'Progress of each duty',
    ),
    404: problemResponseSpec('No plan for that year'),
  },
});

const measureOut = z.looseObject({ measure: z.string(), target: z.number(), done: z.number(), percent: z.number(), expected: z.number(), unit: z.string(), state: z.string(), stateLabel: z.string(), text: z.string() });
const periodOut = { from: z.string(), to: z.string(), elapsed: z.number(), state: z.string(), stateLabel: z.string(), measures: z.array(measureOut) };
const targetOut = z.looseObject({ scope: z.enum(['county', 'township', 'department']), id: z.string(), name: z.string(), ...periodOut, months: z.array(z.looseObject({ month: z.number(), ...periodOut })) });

const targetsRoute = securedRoute(readers, {
  method: 'get',
  path: '/tallies/targets',
  tags: ['tallies'],
  summary: 'The plan’s targets for the county, each township and each department against what was done, on a date',
  description:
    'For the year and for each month with a target of its own: done, target, percent, what an even pace expects by the date, and a state (未开始/进度正常/进度滞后/已完成/逾期未完成). The county counts every activity, a township its own, a department those naming it. `date` defaults to today in the county.',
  request: { query: progressQuery },
  responses: {
    200: jsonResponse(
      z.object({ year: z.number(), date: z.string(), county: targetOut.nullable(), townships: z.array(targetOut), departments: z.array(targetOut) }).meta({ id: 'TargetProgress' }),
      'Progress of each target',
    ),
    404: problemResponseSpec('No plan for that year'),
  },
});

const talliesRoute = securedRoute(readers, {
  method: 'get',
  path: '/tallies',
  tags: ['tallies'],
  summary: 'Activities, materials, participants, SMS and airings for a period, with the same period a year earlier',
  request: { query: tallyQuerySchema },
  responses: {
    200: jsonResponse(
      z.object({ current: talliesSchema, previous: talliesSchema, names: z.record(z.string(), z.record(z.string(), z.string())), paragraph: z.string() }).meta({ id: 'Tallies' }),
      'The figures',
    ),
  },
});

/** The months a query covers. */
export function periodMonths(query: TallyQuery, today: string): number[] {
  if (query.period === 'month') {
    if (!query.month) throw new Invalid('A month is needed for period=month.', [{ field: 'query.month', message: 'required when period is month' }]);
    return [query.month];
  }
  const thisYear = Number(today.slice(0, 4));
  const last = query.period === 'ytd' ? (query.month ?? (query.year === thisYear ? Number(today.slice(5, 7)) : 12)) : 12;
  return Array.from({ length: last }, (_, index) => index + 1);
}

export async function readTallies(c: Context<AppEnv>, query: TallyQuery) {
  const { store, clock, config } = c.var.deps;
  const county = c.var.caller.county;
  const months = periodMonths(query, utcToLocal(clock().toISOString(), config.timeZone).slice(0, 10));
  const [cells, previousCells, plan, registry] = await Promise.all([
    store.tallies.year(county, query.year),
    store.tallies.year(county, query.year - 1),
    store.plans.getYear(county, query.year),
    store.registry.get(county),
  ]);
  const current: Tallies = assemble(query.year, months, cells);
  const previous: Tallies = assemble(query.year - 1, months, previousCells);
  // Display names for ids, so the dashboard and exports can speak Chinese.
  const names: Record<string, Record<string, string>> = {
    theme: Object.fromEntries((plan?.themes ?? []).map((theme) => [theme.id, theme.name])),
    township: Object.fromEntries(registry.townships.map((township) => [township.id, township.name])),
    department: Object.fromEntries(registry.departments.map((department) => [department.id, department.name])),
    kind: { ...activityKindLabels },
  };
  return { current, previous, names, paragraph: reportParagraph(current.totals) };
}

/**
 * What progress is judged from: the year's plan, registry and activities, the day (default today
 * in the county) and the departments' names; undefined when no plan is loaded for the year.
 */
async function progressInputs(c: Context<AppEnv>, year: number, date: string | undefined) {
  const { store, config, clock } = c.var.deps;
  const county = c.var.caller.county;
  const [plan, registry, activities] = await Promise.all([store.plans.getYear(county, year), store.registry.get(county), store.activities.allOfYear(county, year)]);
  if (!plan) return undefined;
  const on = date ?? utcToLocal(clock().toISOString(), plan.timeZone ?? config.timeZone).slice(0, 10);
  const departments = new Map(registry.departments.map((department) => [department.id, department.name]));
  return { county, plan, registry, activities, on, departments };
}

/**
 * The year's targets and duties judged on a date (default today in the county), with names;
 * undefined when no plan is loaded for the year.
 */
export async function readProgress(c: Context<AppEnv>, year: number, date: string | undefined) {
  const read = await progressInputs(c, year, date);
  if (!read) return undefined;
  const { county, plan, registry, activities, on, departments } = read;
  const townships = new Map(registry.townships.map((township) => [township.id, township.name]));
  return {
    date: on,
    targets: labelTargets(targetProgress(year, county, plan.targets, activities, on), { county: '全县', townships, departments }, on),
    duties: labelDuties(dutyProgress(year, plan.responsibilities ?? [], activities, on), departments, on),
  };
}

/** The progress sheets of the exports: empty (headers only) for a year without a plan. */
async function progressTables(c: Context<AppEnv>, year: number, date: string | undefined) {
  const progress = await readProgress(c, year, date);
  const on = progress?.date ?? date ?? `${year}-12-31`;
  return { targets: targetsTable(year, progress?.targets ?? { townships: [], departments: [] }, on), duties: dutiesTable(year, progress?.duties ?? [], on) };
}

const progressBreakdowns = ['targets', 'duties'] as const;
export const workbookQuery = tallyQuerySchema.extend({ date: localDateSchema.optional().describe('the day the sheets 目标完成情况 and 责任清单进度 judge progress on (local); default today') });

export const exportQuery = tallyQuerySchema
  .extend({
    breakdown: z.enum([...breakdowns, ...progressBreakdowns]).default('month').describe('a tally breakdown, or targets (目标完成情况) / duties (责任清单进度) on `date`'),
    date: localDateSchema.optional().describe('for targets and duties: the day to judge progress on (local); default today'),
  });

const csvRoute = securedRoute(readers, {
  method: 'get',
  path: '/tallies/export.csv',
  tags: ['tallies'],
  summary: 'One breakdown as CSV (UTF-8 with BOM, so Excel shows Chinese), with a totals row',
  request: { query: exportQuery },
  responses: { 200: { description: 'CSV', content: { 'text/csv': { schema: z.string() } } } },
});

const xlsxRoute = securedRoute(readers, {
  method: 'get',
  path: '/tallies/export.xlsx',
  tags: ['tallies'],
  summary: 'Every breakdown as an Excel workbook: one sheet each, Chinese headers, totals rows; then the targets’ and the duties’ progress (目标完成情况, 责任清单进度)',
  request: { query: workbookQuery },
  responses: { 200: { description: 'Excel workbook', content: { [XLSX]: { schema: z.string() } } } },
});

const reconcileRoute = securedRoute(['admin'], {
  method: 'post',
  path: '/tallies/reconcile',
  tags: ['tallies'],
  summary: 'Recount a year’s tallies from the records, report every difference, and repair them with repair=true',
  request: { query: z.object({ year: z.coerce.number().int().min(2000).max(2100), repair: z.enum(['true', 'false']).default('false') }) },
  responses: {
    200: jsonResponse(
      z.object({
        year: z.number(),
        activities: z.number(),
        deliveries: z.number(),
        differences: z.array(z.object({ cell: z.object({ year: z.number(), dimension: z.string(), value: z.string(), month: z.number() }), counter: z.string(), stored: z.number(), expected: z.number() })),
        repaired: z.number(),
      }),
      'The differences found (and repaired)',
    ),
  },
});

const XLSX_NAME = (year: number) => `pufa-${year}-tallies.xlsx`;

export function tallyRoutes() {
  return newRouter()
    .openapi(talliesRoute, async (c) => c.json(await readTallies(c, c.req.valid('query')), 200))
    .openapi(dutiesRoute, async (c) => {
      const { year, date } = c.req.valid('query');
      const read = await progressInputs(c, year, date);
      if (!read) throw new NotFound(`No plan is loaded for ${year}.`);
      const { plan, activities, on, departments } = read;
      const duties = dutyProgress(year, plan.responsibilities ?? [], activities, on).map((progress) => ({
        ...progress,
        departmentName: departments.get(progress.department) ?? progress.department,
        stateLabel: dutyStateLabels[progress.state],
      }));
      return c.json({ year, date: on, duties }, 200);
    })
    .openapi(targetsRoute, async (c) => {
      const { year, date } = c.req.valid('query');
      const progress = await readProgress(c, year, date);
      if (!progress) throw new NotFound(`No plan is loaded for ${year}.`);
      const { county, townships, departments } = progress.targets;
      return c.json({ year, date: progress.date, county: county ?? null, townships, departments }, 200);
    })
    .openapi(csvRoute, async (c) => exportCsv(c, c.req.valid('query')))
    .openapi(xlsxRoute, async (c) => exportXlsx(c, c.req.valid('query')))
    .openapi(reconcileRoute, async (c) => {
      const { year, repair } = c.req.valid('query');
      const { store, config } = c.var.deps;
      return c.json(await reconcileYear(store, { county: c.var.caller.county, year, repair: repair === 'true', timeZone: config.timeZone, actor: actorOfCaller(c.var.caller), now: c.var.deps.clock() }), 200);
    });
}

/** One breakdown as CSV: the API's route (a token) and the dashboard's button (the session) alike. */
export async function exportCsv(c: Context<AppEnv>, { breakdown, date, ...query }: z.infer<typeof exportQuery>) {
  let table: Table;
  if (breakdown === 'targets' || breakdown === 'duties') {
    table = (await progressTables(c, query.year, date))[breakdown];
  } else {
    const { current, previous, names } = await readTallies(c, query);
    table = tallyTable(current, previous, breakdown, names);
  }
  const csv = await tableToCsv(table);
  return c.body(csv, 200, {
    'Content-Type': 'text/csv; charset=utf-8',
    'Content-Disposition': `attachment; filename="pufa-${query.year}-${breakdown}.csv"`,
  });
}

/** Every breakdown, the targets and the duties as an Excel workbook, for a token or a session. */
export async function exportXlsx(c: Context<AppEnv>, { date, ...query }: z.infer<typeof workbookQuery>) {
  const [{ current, previous, names }, progress] = await Promise.all([readTallies(c, query), progressTables(c, query.year, date)]);
  const workbook = await tablesToXlsx(
    [...breakdowns.map((breakdown) => tallyTable(current, previous, breakdown, names)), progress.targets, progress.duties],
    [...breakdowns.map((breakdown) => breakdownLabels[breakdown]), '目标完成情况', '责任清单进度'],
  );
  return c.body(workbook.buffer as ArrayBuffer, 200, { 'Content-Type': XLSX, 'Content-Disposition': `attachment; filename="${XLSX_NAME(query.year)}"` });
}

