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
import { departmentReport, measureLabels, type DepartmentReport, type DutyReport, type TargetLine } from '../domain/duty-report.js';
import { Invalid, NotFound } from '../domain/errors.js';
import { utcToLocal } from '../domain/schedule.js';
import { visibleText } from '../domain/text.js';
import type { AppEnv } from '../http/env.js';
import { dutyReportToXlsx } from '../reports/duty-report.js';
import { dutyReportFileName, dutyReportQuerySchema, readDutyReport, XLSX, type DutyReportQuery } from '../routes/reports.js';
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
  return { query: { ...rest, year: year ?? thisYear }, countyName: countyName ?? '' };
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

const n = (value: number) => value.toLocaleString('zh-CN');

function Targets(props: { targets: readonly TargetLine[] }) {
  if (props.targets.length === 0) return null;
  return (
    <>
      <h4>目标完成情况</h4>
      <table>
        <thead>
          <tr>
            <th>对象</th>
            <th>指标</th>
            <th class="n">目标</th>
            <th class="n">完成</th>
            <th class="n">完成率</th>
          </tr>
        </thead>
        <tbody>
          {props.targets.map((line) => (
            <tr>
              <td>{line.label}</td>
              <td>{measureLabels[line.measure]}</td>
              <td class="n">{n(line.target)}</td>
              <td class="n">{n(line.done)}</td>
              <td class="n">{line.percent}%</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

function Report(props: { report: DutyReport; countyName: string }) {
  const { report } = props;
  const county = report.county;
  return (
    <article class="report" id="report">
      <div class="report-head">
        {props.countyName && <p>{props.countyName}</p>}
        <h2>
          {report.year}年度“谁执法谁普法”普法责任制履职情况{report.departments.length === 1 && !county ? `（${report.departments[0]?.name ?? ''}）` : ''}
        </h2>
        <p>
          统计至 {report.on}（{report.period}）
        </p>
      </div>
      {county && (
        <section id="county">
          <h3>一、总体情况</h3>
          <p class="paragraph" id="county-paragraph">
            {county.paragraph}
          </p>
          <table id="summary">
            <thead>
              <tr>
                <th>责任单位</th>
                <th class="n">责任项数</th>
                <th class="n">已完成</th>
                <th class="n">进度正常</th>
                <th class="n">进度滞后</th>
                <th class="n">逾期未完成</th>
                <th class="n">未开始</th>
                <th class="n">活动场次</th>
                <th class="n">参与人次</th>
                <th class="n">发放资料(份)</th>
              </tr>
            </thead>
            <tbody>
              {county.rows.map((row) => (
                <tr data-department={row.department}>
                  <td>
                    {row.name}
                    {row.listed ? '' : '（未列入责任清单）'}
                  </td>
                  <td class="n">{row.duties}</td>
                  <td class="n">{row.states.done}</td>
                  <td class="n">{row.states['on-track']}</td>
                  <td class="n">{row.states.behind}</td>
                  <td class="n">{row.states.overdue}</td>
                  <td class="n">{row.states['not-started']}</td>
                  <td class="n">{n(row.figures.activities)}</td>
                  <td class="n">{n(row.figures.participants)}</td>
                  <td class="n">{n(row.figures.materials)}</td>
                </tr>
              ))}
              <tr>
                <th>合计</th>
                <th class="n">{county.duties}</th>
                <th class="n">{county.states.done}</th>
                <th class="n">{county.states['on-track']}</th>
                <th class="n">{county.states.behind}</th>
                <th class="n">{county.states.overdue}</th>
                <th class="n">{county.states['not-started']}</th>
                <th class="n">{n(county.figures.activities)}</th>
                <th class="n">{n(county.figures.participants)}</th>
                <th class="n">{n(county.figures.materials)}</th>
              </tr>
            </tbody>
          </table>
          <p class="muted" style="font-size:.85rem">多个单位共同开展的活动计入每个单位，合计中只计一次。</p>
          <Targets targets={county.targets} />
        </section>
      )}
      {report.departments.map((department, index) => (
        <Department department={department} index={index} numbered={county !== undefined} break={county !== undefined || index > 0} />
      ))}
    </article>
  );
}

const chineseNumerals = ['一', '二', '三', '四', '五', '六', '七', '八', '九', '十'];
/** 二、 三、 … for the departments after the county's 一、; plain numbers past 十. */
const heading = (index: number) => `${chineseNumerals[index + 1] ?? String(index + 2)}、`;

function Department(props: { department: DepartmentReport; index: number; numbered: boolean; break: boolean }) {
  const { department } = props;
  return (
    <section class={props.break ? 'dept break' : 'dept'} id={`dept-${department.id}`}>
      <h3>
        {props.numbered ? heading(props.index) : ''}
        {department.name}
      </h3>
      {department.contact && <p class="muted">联系：{department.contact}</p>}
      <p class="paragraph">{department.paragraph}</p>
      <h4>普法责任清单完成情况</h4>
      {department.duties.length === 0 ? (
        <p>未列入本年度普法责任清单。</p>
      ) : (
        <table class="duties">
          <thead>
            <tr>
              <th>序号</th>
              <th>责任内容</th>
              <th>起止日期</th>
              <th>指标</th>
              <th class="n">目标</th>
              <th class="n">完成</th>
              <th class="n">完成率</th>
              <th>状态</th>
            </tr>
          </thead>
          <tbody>
            {department.duties.flatMap((duty, index) =>
              duty.measures.map((measure, measureIndex) => (
                <tr>
                  {measureIndex === 0 && <td rowspan={duty.measures.length}>{index + 1}</td>}
                  {measureIndex === 0 && <td rowspan={duty.measures.length}>{duty.duty}</td>}
                  {measureIndex === 0 && (
                    <td rowspan={duty.measures.length} style="white-space:nowrap">
                      {duty.from}
                      <br />至 {duty.to}
                    </td>
                  )}
                  <td>{measureLabels[measure.measure]}</td>
                  <td class="n">{n(measure.target)}</td>
                  <td class="n">{n(measure.done)}</td>
                  <td class="n">{measure.percent}%</td>
                  {measureIndex === 0 && <td rowspan={duty.measures.length}>{duty.stateLabel}</td>}
                </tr>
              )),
            )}
          </tbody>
        </table>
      )}
      <Targets targets={department.targets} />
      <h4>活动统计</h4>
      <table class="counts">
        <tbody>
          <tr>
            <th>合计</th>
            <td>
              活动 {n(department.figures.activities)} 场次，参与 {n(department.figures.participants)} 人次，发放资料 {n(department.figures.materials)} 份
            </td>
          </tr>
          <tr>
            <th>按宣传形式</th>
            <td>{department.byKind.map((row) => `${row.label} ${row.activities}`).join('，') || '—'}</td>
          </tr>
          <tr>
            <th>按乡镇</th>
            <td>{department.byTownship.map((row) => `${row.label} ${row.activities}`).join('，') || '—'}</td>
          </tr>
          <tr>
            <th>按月份</th>
            <td>
              {department.byMonth
                .map((count, month) => (count > 0 ? `${month + 1}月 ${count}` : ''))
                .filter((text) => text !== '')
                .join('，') || '—'}
            </td>
          </tr>
        </tbody>
      </table>
      {department.activities.length > 0 && (
        <>
          <h4>活动明细</h4>
          <table class="activities">
            <thead>
              <tr>
                <th>日期</th>
                <th>乡镇</th>
                <th>宣传形式</th>
                <th>主题</th>
                <th>活动名称</th>
                <th class="n">参与人次</th>
                <th class="n">发放资料(份)</th>
              </tr>
            </thead>
            <tbody>
              {department.activities.map((activity) => (
                <tr>
                  <td style="white-space:nowrap">{activity.date}</td>
                  <td>{activity.townshipName}</td>
                  <td>{activity.kindLabel}</td>
                  <td>{activity.themeName}</td>
                  <td>{activity.title}</td>
                  <td class="n">{n(activity.participants)}</td>
                  <td class="n">{n(activity.materials)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}
