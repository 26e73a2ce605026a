/**
 * @module routes/reports
 * The year-end duty report (普法责任制履职情况, domain/duty-report) for the county office: the model
 * as JSON, and as an Excel workbook (reports/duty-report); the printable page (pages/duty-report)
 * reads it through `readDutyReport` too. Three reads — the plan year, the registry, the year's
 * activities — whatever the departments.
 *
 * Readers are the county office and admin, not staff: the report lists every department's
 * activities across the county (where, when, what), which a township-limited staff token may not
 * list through GET /activities.
 */
import { z } from 'zod';
import type { Role } from '../domain/access.js';
import { idSchema } from '../domain/access.js';
import { buildDutyReport, defaultReportDate, departmentReport, targetLines, type DutyReport } from '../domain/duty-report.js';
import { targetProgress } from '../domain/target-progress.js';
import { Invalid, NotFound } from '../domain/errors.js';
import { localDateSchema, utcToLocal } from '../domain/schedule.js';
import type { AppDeps, AppEnv } from '../http/env.js';
import { jsonResponse, problemResponseSpec, securedRoute } from '../http/route.js';
import { newRouter } from '../http/router.js';
import { dutyReportToXlsx } from '../reports/duty-report.js';

export const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

export const dutyReportReaders: Role[] = ['county', 'admin'];

export const dutyReportQuerySchema = z.object({
  year: z.coerce.number().int().min(2000).max(2100),
  department: idSchema.optional().describe('one department’s part only (a registry department id); default every department and the county summary'),
  date: localDateSchema.optional().describe('the day to judge on, in the year (local); default the year’s last day, or today while the year runs'),
});
export type DutyReportQuery = z.infer<typeof dutyReportQuerySchema>;

/** The report the query asks for; 404 without a plan for the year, 400 naming the field for a date or department the year does not have. */
export async function readDutyReport(deps: Pick<AppDeps, 'store' | 'config' | 'clock'>, county: string, query: DutyReportQuery): Promise<DutyReport> {
  const { store, config, clock } = deps;
  const { year } = query;
  if (query.date !== undefined && !query.date.startsWith(`${year}-`)) {
    throw new Invalid(`The date must be in ${year}.`, [{ field: 'query.date', message: `must be a day of ${year}` }]);
  }
  const [plan, registry, activities] = await Promise.all([store.plans.getYear(county, year), store.registry.get(county), store.activities.allOfYear(county, year)]);
  if (!plan) throw new NotFound(`No plan is loaded for ${year}.`);
  const on = query.date ?? defaultReportDate(year, utcToLocal(clock().toISOString(), plan.timeZone ?? config.timeZone).slice(0, 10));
  const townshipNames = Object.fromEntries(registry.townships.map((township) => [township.id, township.name]));
  const departmentNames = Object.fromEntries(registry.departments.map((department) => [department.id, department.name]));
  const report = buildDutyReport({
    year,
    on,
    departments: registry.departments,
    duties: plan.responsibilities ?? [],
    activities,
    townshipNames,
    themeNames: Object.fromEntries(plan.themes.map((theme) => [theme.id, theme.name])),
    targets: targetLines(targetProgress(year, county, plan.targets, activities, on), { townships: townshipNames, departments: departmentNames }),
  });
  if (query.department === undefined) return report;
  const one = departmentReport(report, query.department);
  if (!one) throw new Invalid(`No department "${query.department}" in the registry or the ${year} responsibility list.`, [{ field: 'query.department', message: `unknown department "${query.department}"` }]);
  return one;
}

/** The workbook's file name: pufa-2031-duty-report.xlsx, or pufa-2031-duty-report-gongan.xlsx. */
export const dutyReportFileName = (query: DutyReportQuery) => `pufa-${query.year}-duty-report${query.department ? `-${query.department}` : ''}.xlsx`;

const reportRoute = securedRoute(dutyReportReaders, {
  method: 'get',
  path: '/reports/duties',
  tags: ['reports'],
  summary: 'The year-end duty report (履职情况): each department’s duties against targets, activities and paragraph, and the county summary',
  description:
    'Judged on `date` (default the year’s last day, or today while the year runs). With `department`, that department’s part alone. The printable page is /app/reports/duties; the workbook GET /reports/duties.xlsx.',
  request: { query: dutyReportQuerySchema },
  responses: {
    200: jsonResponse(
      z
        .object({
          year: z.number(),
          on: z.string(),
          period: z.string(),
          county: z.looseObject({ rows: z.array(z.looseObject({ department: z.string(), name: z.string() })), paragraph: z.string() }).optional(),
          departments: z.array(z.looseObject({ id: z.string(), name: z.string(), paragraph: z.string() })),
        })
        .meta({ id: 'DutyReport' }),
      'The report',
    ),
    404: problemResponseSpec('No plan for that year'),
  },
});

const xlsxRoute = securedRoute(dutyReportReaders, {
  method: 'get',
  path: '/reports/duties.xlsx',
  tags: ['reports'],
  summary: 'The year-end duty report as an Excel workbook: a 总表 sheet and one sheet per department',
  request: { query: dutyReportQuerySchema },
  responses: { 200: { description: 'Excel workbook', content: { [XLSX]: { schema: z.string() } } }, 404: problemResponseSpec('No plan for that year') },
});

export function reportRoutes() {
  return newRouter()
    .openapi(reportRoute, async (c) => c.json(await readDutyReport(c.var.deps, c.var.caller.county, c.req.valid('query')), 200))
    .openapi(xlsxRoute, async (c) => {
      const query = c.req.valid('query');
      const workbook = await dutyReportToXlsx(await readDutyReport(c.var.deps, c.var.caller.county, query));
      return c.body(workbook.buffer as ArrayBuffer, 200, { 'Content-Type': XLSX, 'Content-Disposition': `attachment; filename="${dutyReportFileName(query)}"` });
    });
}
