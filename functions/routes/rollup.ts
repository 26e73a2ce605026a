/**
 * @module routes/rollup
 * A city's or a province's rule-of-law office (and the operator) reads its counties side by side:
 * each county's figures, the totals, each one's share and yearly target, as JSON, CSV and Excel,
 * and the roll-up paragraph for its annual report. Only the counties in the token's scope are
 * read; a county's own tokens get 403.
 */
import type { Context } from 'hono';
import { z } from 'zod';
import type { Role } from '../domain/access.js';
import { rollupTable, rollupTargetsTable, type Rollup } from '../domain/rollup.js';
import { localDateSchema } from '../domain/schedule.js';
import type { Table } from '../domain/tally-table.js';
import { visibleText } from '../domain/text.js';
import type { AppEnv } from '../http/env.js';
import { jsonResponse, securedRoute } from '../http/route.js';
import { newRouter } from '../http/router.js';
import { tablesToXlsx, tableToCsv } from '../reports/export.js';
import { readRollup } from '../workflows/rollup.js';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

export const rollupReaders: Role[] = ['operator', 'city', 'province'];

const year = z.coerce.number().int().min(2000).max(2100);
const date = localDateSchema.optional().describe('the day each county’s yearly target is judged on (local); default today in each county. Its month is counted whole: an activity later in that month counts too');
const name = visibleText(20).optional().describe('the city’s or province’s name as the report prints it, e.g. 雅安市; default: 全市 / 全省');

export const rollupQuerySchema = z.object({
  year,
  month: z.coerce.number().int().min(1).max(12).optional().describe('one month of the year; default the whole year'),
  date,
  name,
});
export type RollupQueryInput = z.infer<typeof rollupQuerySchema>;

const reportQuerySchema = z.object({ year, date, name });

const figures = z.record(z.string(), z.number());
const target = z.looseObject({ name: z.string(), state: z.string(), stateLabel: z.string(), measures: z.array(z.looseObject({ measure: z.string(), target: z.number(), done: z.number(), percent: z.number(), state: z.string(), text: z.string() })) });
const rollupSchema = z
  .object({
    year: z.number(),
    months: z.array(z.number()),
    period: z.string(),
    level: z.enum(['city', 'province', 'deployment']),
    regionName: z.string().nullable(),
    date: z.string(),
    counties: z.array(z.object({ id: z.string(), name: z.string(), figures, share: figures, target: target.nullable() })),
    totals: figures,
    targets: z.object({ counties: z.number(), states: figures }),
    paragraph: z.string(),
  })
  .meta({ id: 'Rollup' });
const tableSchema = z.object({ title: z.string(), headers: z.array(z.string()), rows: z.array(z.array(z.union([z.string(), z.number()]))) });

const talliesRoute = securedRoute(rollupReaders, {
  method: 'get',
  path: '/rollup/tallies',
  tags: ['rollup'],
  summary: 'The counties of the token’s city or province side by side: figures, totals, shares, yearly targets and the roll-up paragraph',
  description:
    'A city token reads the counties whose `city` is its city, a province token those of its province, the operator every county. Figures for the year, or one month (`month`); each county’s yearly target (its plan’s `targets.county`) judged on `date`, default today in the county, from its month totals up to that month.',
  request: { query: rollupQuerySchema },
  responses: { 200: jsonResponse(rollupSchema, 'The roll-up') },
});

const csvRoute = securedRoute(rollupReaders, {
  method: 'get',
  path: '/rollup/tallies.csv',
  tags: ['rollup'],
  summary: 'The counties side by side as CSV (UTF-8 with BOM), with a totals row',
  request: { query: rollupQuerySchema },
  responses: { 200: { description: 'CSV', content: { 'text/csv': { schema: z.string() } } } },
});

const xlsxRoute = securedRoute(rollupReaders, {
  method: 'get',
  path: '/rollup/tallies.xlsx',
  tags: ['rollup'],
  summary: 'The roll-up as an Excel workbook: the counties side by side (各县区汇总), their yearly targets (目标完成情况) and the paragraph (报告用语)',
  request: { query: rollupQuerySchema },
  responses: { 200: { description: 'Excel workbook', content: { [XLSX]: { schema: z.string() } } } },
});

const reportRoute = securedRoute(rollupReaders, {
  method: 'get',
  path: '/rollup/report',
  tags: ['rollup'],
  summary: 'The year’s roll-up paragraph for the city’s or province’s annual report, with the table of counties it speaks of',
  request: { query: reportQuerySchema },
  responses: { 200: jsonResponse(z.object({ year: z.number(), period: z.string(), date: z.string(), paragraph: z.string(), table: tableSchema, targets: tableSchema }).meta({ id: 'RollupReport' }), 'The paragraph and its tables') },
});

/** The roll-up for this request's caller: the API's routes (a token) and the page (its session) alike. */
export async function rollupOf(c: Context<AppEnv>, query: RollupQueryInput): Promise<Rollup> {
  const { store, config, clock } = c.var.deps;
  return readRollup({ store, timeZone: config.timeZone, now: clock() }, c.var.caller, query);
}

const fileName = (rollup: Rollup) => `pufa-rollup-${rollup.year}${rollup.months.length === 1 ? `-${String(rollup.months[0]).padStart(2, '0')}` : ''}`;

export async function rollupCsv(c: Context<AppEnv>, query: RollupQueryInput) {
  const rollup = await rollupOf(c, query);
  return c.body(await tableToCsv(rollupTable(rollup)), 200, {
    'Content-Type': 'text/csv; charset=utf-8',
    'Content-Disposition': `attachment; filename="${fileName(rollup)}.csv"`,
  });
}

export async function rollupXlsx(c: Context<AppEnv>, query: RollupQueryInput) {
  const rollup = await rollupOf(c, query);
  const paragraph: Table = { title: `${rollup.period}法治宣传工作汇总(报告用语)`, headers: ['报告用语'], rows: [[rollup.paragraph]], totals: false };
  const workbook = await tablesToXlsx([rollupTable(rollup), rollupTargetsTable(rollup), paragraph], ['各县区汇总', '目标完成情况', '报告用语']);
  return c.body(workbook.buffer as ArrayBuffer, 200, { 'Content-Type': XLSX, 'Content-Disposition': `attachment; filename="${fileName(rollup)}.xlsx"` });
}

export function rollupRoutes() {
  return newRouter()
    .openapi(talliesRoute, async (c) => c.json(await rollupOf(c, c.req.valid('query')), 200))
    .openapi(csvRoute, async (c) => rollupCsv(c, c.req.valid('query')))
    .openapi(xlsxRoute, async (c) => rollupXlsx(c, c.req.valid('query')))
    .openapi(reportRoute, async (c) => {
      const rollup = await rollupOf(c, c.req.valid('query'));
      const { title, headers, rows } = rollupTable(rollup);
      const targets = rollupTargetsTable(rollup);
      return c.json(
        { year: rollup.year, period: rollup.period, date: rollup.date, paragraph: rollup.paragraph, table: { title, headers, rows }, targets: { title: targets.title, headers: targets.headers, rows: targets.rows } },
        200,
      );
    });
}
