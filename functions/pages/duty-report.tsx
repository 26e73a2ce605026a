/**
 * @module pages/duty-report
 * The year-end duty report (普法责任制履职情况) as a printable page for the county office: A4 with
 * margins, a Chinese serif font stack, the county summary first and each department on a page of
 * its own — its paragraph, duties against targets, activity counts and list. The form, the 打印
 * button and the site's header are hidden in print. The same report as a workbook is
 * /app/reports/duties.xlsx here (the session's), GET /reports/duties.xlsx in the API (a token's).
 */
import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { departmentReport, type DutyReport } from '../domain/duty-report.js';
import { Invalid, NotFound } from '../domain/errors.js';
import { utcToLocal } from '../domain/schedule.js';
import { visibleText } from '../domain/text.js';
import type { AppEnv } from '../http/env.js';
import { dutyReportToXlsx } from '../reports/duty-report.js';
import { dutyReportFileName, dutyReportQuerySchema, readDutyReport, XLSX, type DutyReportQuery } from '../routes/reports.js';
import { Report } from './duty-report-view.js';
import { Layout } from './layout.js';
import { pageFor } from './session.js';

const PRINT_SCRIPT = `document.getElementById('print').addEventListener('click',function(){window.print();});`;

const REPORT_CSS = `
@page{size:A4;margin:20mm 18mm 18mm 20mm}
.report{font-family:"Noto Serif CJK SC","Source Han Serif SC","SimSun","WenQuanYi Micro Hei",serif;background:#fff;color:#000;padding:1rem;border:1px solid #d0d7de}
.report-head{text-align:center;margin-bottom:1rem}.report-head h2{font-size:1.5rem;margin:.25rem 0}.report-head p{margin:.1rem 0}
.report h3{font-size:1.2rem;margin:1rem 0 .5rem}.report h4{font-size:1rem;margin:.75rem 0 .25rem}
.report p.paragraph{text-indent:2em;line-height:1.8}
.report table{border-collapse:collapse;width:100%;margin:.25rem 0 .75rem;font-size:.9rem}
.report th,.report td{border:1px solid #000;padding:.2rem .35rem;text-align:left;vertical-align:top}.report th{background:#f0f0f0}
.report td.n,.report th.n{text-align:right}
.dept.break{border-top:2px dashed #8c959f;margin-top:2rem;padding-top:1rem}
@media print{
  body{background:#fff}body>header,.no-print,main>h1{display:none!important}main{max-width:none;padding:0}
  .report{border:0;padding:0;font-size:11pt}.report table{font-size:10pt}
  .dept.break{break-before:page;page-break-before:always;border-top:0;margin-top:0;padding-top:0}
  thead{display:table-header-group}tr{break-inside:avoid;page-break-inside:avoid}
}
`;

/** The page's query: the API's, and a county name for the header (display only; the county is the caller's). */
const pageQuerySchema = dutyReportQuerySchema.extend({
  year: dutyReportQuerySchema.shape.year.optional(),
  countyName: visibleText(20, { min: 0 }).optional().describe('the county as the header writes it, e.g. 天全县'),
});

type Flash = { kind: 'err'; text: string };

/** The query as the page reads it, or the field and problem to show. */
function pageQuery(c: Context<AppEnv>): { query: DutyReportQuery; countyName: string } | { field: string; message: string } {
  const raw = Object.fromEntries(Object.entries(c.req.query()).filter(([, value]) => value !== ''));
  const parsed = pageQuerySchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { field: `query.${String(issue?.path[0] ?? '')}`, message: issue?.message ?? 'invalid' };
  }
  const { countyName, year, ...rest } = parsed.data;
  const { clock, config } = c.var.deps;
  const thisYear = Number(utcToLocal(clock().toISOString(), config.timeZone).slice(0, 4));
  // The county's name from its record (http/county-scope) unless the page asks for another spelling.
  return { query: { ...rest, year: year ?? thisYear }, countyName: countyName ?? c.var.deps.config.countyName ?? '' };
}

const fieldWords: Record<string, string> = { 'query.year': '年份', 'query.department': '责任单位', 'query.date': '统计日期', 'query.countyName': '县名' };

function problemFlash(field: string, message: string): Flash {
  return { kind: 'err', text: `${fieldWords[field] ?? field}有误：${message}（${field}）` };
}

const search = (query: DutyReportQuery, extra: Record<string, string> = {}) =>
  new URLSearchParams({ year: String(query.year), ...(query.department ? { department: query.department } : {}), ...(query.date ? { date: query.date } : {}), ...extra }).toString();

export function dutyReportPages() {
  const pages = new Hono<AppEnv>();
  pages.use('/reports/duties', pageFor('county', 'admin'));
  pages.use('/reports/duties.xlsx', pageFor('county', 'admin'));

  pages.get('/reports/duties', async (c) => {
    const read = pageQuery(c);
    if ('field' in read) return page(c, undefined, undefined, '', problemFlash(read.field, read.message), 400);
    const { query, countyName } = read;
    // The whole report is read once: its departments fill the form's list, one of them is shown when asked.
    let full: DutyReport;
    try {
      full = await readDutyReport(c.var.deps, c.var.caller.county, { year: query.year, ...(query.date ? { date: query.date } : {}) });
    } catch (error) {
      if (error instanceof Invalid) return page(c, query, undefined, countyName, problemFlash(error.fields[0]?.field ?? 'query', error.fields[0]?.message ?? error.message), 400);
      if (error instanceof NotFound) return page(c, query, undefined, countyName, { kind: 'err', text: `${query.year} 年还没有载入年度计划，无法生成履职情况报告。` }, 404);
      throw error;
    }
    if (query.department === undefined) return page(c, query, full, countyName);
    const one = departmentReport(full, query.department);
    if (!one) return page(c, query, full, countyName, problemFlash('query.department', `没有这个责任单位 "${query.department}"`), 400);
    return page(c, query, full, countyName, undefined, 200, one);
  });

  // The workbook for a browser: the API's /reports/duties.xlsx takes a token, a page the session.
  pages.get('/reports/duties.xlsx', async (c) => {
    const read = pageQuery(c);
    if ('field' in read) throw new Invalid('Invalid query.', [{ field: read.field, message: read.message }]);
    const workbook = await dutyReportToXlsx(await readDutyReport(c.var.deps, c.var.caller.county, read.query));
    return c.body(workbook.buffer as ArrayBuffer, 200, { 'Content-Type': XLSX, 'Content-Disposition': `attachment; filename="${dutyReportFileName(read.query)}"` });
  });
  return pages;
}

function page(c: Context<AppEnv>, query: DutyReportQuery | undefined, full: DutyReport | undefined, countyName: string, flash?: Flash, status: 200 | 400 | 404 = 200, shown: DutyReport | undefined = full) {
  return c.html(
    <Layout title="普法责任制履职情况" caller={c.var.caller} path="/app/reports/duties" flash={flash}>
      {/* Raw: a style element's text is not HTML-decoded, so the font names' quotes must not become &quot;. */}
      <style dangerouslySetInnerHTML={{ __html: REPORT_CSS }} />
      <form method="get" action="/app/reports/duties" class="no-print" style="display:flex;flex-wrap:wrap;gap:.5rem;align-items:flex-end;margin-bottom:1rem">
        <div>
          <label for="year">年份</label>
          <input id="year" name="year" type="number" min={2000} max={2100} value={query ? String(query.year) : ''} style="width:7rem" />
        </div>
        <div>
          <label for="department">责任单位</label>
          <select id="department" name="department" style="width:14rem">
            <option value="">全部（含总表）</option>
            {(full?.departments ?? []).map((department) => (
              <option value={department.id} selected={department.id === query?.department}>
                {department.name}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label for="date">统计日期（默认年底或今天）</label>
          <input id="date" name="date" type="date" value={query?.date ?? ''} style="width:11rem" />
        </div>
        <div>
          <label for="countyName">县名（用于标题）</label>
          <input id="countyName" name="countyName" value={countyName} style="width:9rem" />
        </div>
        <button type="submit">查看</button>
        {shown && query && (
          <>
            <button type="button" id="print" class="primary">
              打印
            </button>
            <a class="button" id="xlsx" href={`/app/reports/duties.xlsx?${search(query)}`}>
              下载 Excel
            </a>
          </>
        )}
      </form>
      {shown && <Report report={shown} countyName={countyName} />}
      {shown && <script nonce={c.get('secureHeadersNonce')} dangerouslySetInnerHTML={{ __html: PRINT_SCRIPT }} />}
    </Layout>,
    status,
  );
}
