/**
 * @module pages/rollup
 * The city's or province's page (依法治市办 / 依法治省办, and the operator): its counties side by
 * side for a year or a month — a table with the totals row, a bar chart per measure, each
 * county's yearly target as a bar with its text, the roll-up paragraph with a copy button, and
 * CSV / Excel downloads that the page's session opens.
 */
import { Hono, type Context } from 'hono';
import { Invalid } from '../domain/errors.js';
import { rollupMeasureLabels, shareMeasures, type Rollup, type RollupMeasure } from '../domain/rollup.js';
import { utcToLocal } from '../domain/schedule.js';
import type { AppEnv } from '../http/env.js';
import { rollupCsv, rollupOf, rollupQuerySchema, rollupXlsx, type RollupQueryInput } from '../routes/rollup.js';
import { BarChart } from './charts.js';
import { Layout } from './layout.js';
import { BarTable, ProgressLegend, ProgressStyle } from './progress-bars.js';
import { pageFor } from './session.js';

const COPY_SCRIPT = `document.getElementById('copy').addEventListener('click',function(){var t=document.getElementById('paragraph').textContent;navigator.clipboard.writeText(t).then(function(){document.getElementById('copied').textContent='已复制';},function(){document.getElementById('copied').textContent='复制失败，请手动选择文字复制';});});`;

/** The table's columns: what a city compares its counties by. */
const columns: { measure: RollupMeasure; short: string; unit: string }[] = [
  { measure: 'activities', short: '活动', unit: '次' },
  { measure: 'participants', short: '参与', unit: '人次' },
  { measure: 'materials', short: '资料', unit: '份' },
  { measure: 'smsSent', short: '短信发送', unit: '条' },
  { measure: 'smsDelivered', short: '短信送达', unit: '条' },
  { measure: 'airings', short: '广播播出', unit: '次' },
  { measure: 'wechatPushes', short: '微信群发', unit: '期' },
  { measure: 'wechatReached', short: '微信送达', unit: '人次' },
  { measure: 'activitiesWithEvidence', short: '有佐证材料', unit: '次' },
];
const charted: RollupMeasure[] = ['activities', 'participants', 'materials', 'smsSent', 'airings', 'wechatPushes'];

export function rollupPages() {
  const pages = new Hono<AppEnv>();
  const readers = pageFor('operator', 'city', 'province');
  pages.use('/rollup', readers);
  pages.use('/rollup/*', readers);
  pages.get('/rollup', (c) => rollupPage(c));
  // The downloads for a browser: the API's /rollup/tallies.* take a token, these the page's session.
  pages.get('/rollup/export.csv', async (c) => rollupCsv(c, parsedQuery(c.req.query())));
  pages.get('/rollup/export.xlsx', async (c) => rollupXlsx(c, parsedQuery(c.req.query())));
  return pages;
}

/** A download link's query, checked as the API checks it: 400 naming the field. */
function parsedQuery(query: Record<string, string>): RollupQueryInput {
  const parsed = rollupQuerySchema.safeParse(withoutEmpty(query));
  if (!parsed.success) throw new Invalid('Invalid query.', parsed.error.issues.map((issue) => ({ field: ['query', ...issue.path].join('.'), message: issue.message })));
  return parsed.data;
}

/** A form sends an empty field for "none" (the whole year, no name): that is the field left out. */
function withoutEmpty(query: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(query).filter(([, value]) => value.trim() !== ''));
}

function searchOf(query: RollupQueryInput): string {
  const search = new URLSearchParams({ year: String(query.year) });
  if (query.month) search.set('month', String(query.month));
  if (query.date) search.set('date', query.date);
  if (query.name) search.set('name', query.name);
  return search.toString();
}

async function rollupPage(c: Context<AppEnv>) {
  const { clock, config } = c.var.deps;
  const thisYear = Number(utcToLocal(clock().toISOString(), config.timeZone).slice(0, 4));
  const asked = withoutEmpty(c.req.query());
  const parsed = rollupQuerySchema.safeParse({ year: String(thisYear), ...asked });
  const query: RollupQueryInput = parsed.success ? parsed.data : { year: thisYear };
  const flash = parsed.success
    ? undefined
    : { kind: 'err' as const, text: `查询条件有误（${parsed.error.issues.map((issue) => `${issue.path.join('.')}：${issue.message}`).join('；')}），下面是 ${thisYear} 年全年的汇总。` };
  const rollup = await rollupOf(c, query);
  const where = rollup.regionName ?? (rollup.level === 'city' ? '全市' : rollup.level === 'province' ? '全省' : '全部县(区)');
  const search = searchOf(query);
  return c.html(
    <Layout title={`${where}${rollup.period}法治宣传汇总`} caller={c.var.caller} path="/app/rollup" flash={flash}>
      <form method="get" action="/app/rollup" style="display:flex;gap:.5rem;align-items:flex-end;flex-wrap:wrap;margin-bottom:1rem">
        <div>
          <label for="year">年份</label>
          <input id="year" name="year" type="number" min={2000} max={2100} value={String(query.year)} style="width:7rem" />
        </div>
        <div>
          <label for="month">月份</label>
          <select id="month" name="month" style="width:7rem">
            <option value="" selected={!query.month}>
              全年
            </option>
            {Array.from({ length: 12 }, (_, index) => index + 1).map((month) => (
              <option value={String(month)} selected={query.month === month}>
                {month}月
              </option>
            ))}
          </select>
        </div>
        <div>
          <label for="name">地区名称（报告中使用，如 雅安市）</label>
          <input id="name" name="name" maxlength={20} value={query.name ?? ''} style="width:11rem" />
        </div>
        <div>
          <label for="date">目标进度截至日期（默认今天）</label>
          <input id="date" name="date" type="date" value={query.date ?? ''} style="width:11rem" />
        </div>
        <button type="submit">查看</button>
        <a class="button" id="export-csv" href={`/app/rollup/export.csv?${search}`}>
          导出 CSV
        </a>
        <a class="button" id="export-xlsx" href={`/app/rollup/export.xlsx?${search}`}>
          导出 Excel
        </a>
      </form>
      {rollup.counties.length === 0 ? (
        <div class="card" id="no-counties">
          <p>您的令牌范围内还没有县(区)。请平台管理员在县(区)资料中填写所属的市(city)或省(province)后再查看。</p>
        </div>
      ) : (
        <RollupBody rollup={rollup} nonce={c.get('secureHeadersNonce')} />
      )}
    </Layout>,
    flash ? 400 : 200,
  );
}

function RollupBody(props: { rollup: Rollup; nonce: string | undefined }) {
  const { rollup } = props;
  // A measure nobody has counted yet gets the chart's "no data" line, not a column of zero bars.
  const byValue = (measure: RollupMeasure) =>
    rollup.totals[measure] === 0
      ? []
      : [...rollup.counties].sort((a, b) => b.figures[measure] - a.figures[measure] || (a.name < b.name ? -1 : 1)).map((row) => ({ label: row.name, value: row.figures[measure] }));
  const withTargets = rollup.counties.filter((row) => row.target);
  return (
    <>
      <section class="totals" aria-label="合计">
        <div>
          县(区)<strong id="county-count">{rollup.counties.length}</strong>个
        </div>
        {columns.slice(0, 4).map((column) => (
          <div>
            {column.short}
            <strong>{rollup.totals[column.measure].toLocaleString('zh-CN')}</strong>
            {column.unit}
          </div>
        ))}
      </section>
      <div class="card" style="margin-top:1rem;overflow-x:auto">
        <table id="rollup-table">
          <caption style="text-align:left;font-weight:600;padding:.25rem 0">
            各县(区)法治宣传统计（{rollup.period}，占比为占合计的百分比）
          </caption>
          <thead>
            <tr>
              <th scope="col">县(区)</th>
              {columns.map((column) => (
                <th scope="col">{rollupMeasureLabels[column.measure]}</th>
              ))}
              {shareMeasures.map((measure) => (
                <th scope="col">{rollupMeasureLabels[measure]}占比(%)</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rollup.counties.map((row) => (
              <tr data-county={row.id}>
                <th scope="row" style="white-space:nowrap">
                  {row.name}
                </th>
                {columns.map((column) => (
                  <td data-measure={column.measure}>{row.figures[column.measure].toLocaleString('zh-CN')}</td>
                ))}
                {shareMeasures.map((measure) => (
                  <td>{row.share[measure]}</td>
                ))}
              </tr>
            ))}
          </tbody>
          <tfoot>
            <tr id="rollup-totals">
              <th scope="row">合计</th>
              {columns.map((column) => (
                <td data-measure={column.measure}>
                  <strong>{rollup.totals[column.measure].toLocaleString('zh-CN')}</strong>
                </td>
              ))}
              {shareMeasures.map((measure) => (
                <td>{rollup.totals[measure] === 0 ? 0 : 100}</td>
              ))}
            </tr>
          </tfoot>
        </table>
      </div>
      <section class="card" aria-labelledby="targets-title" id="rollup-targets">
        <ProgressStyle />
        <h2 id="targets-title" style="font-size:1.1rem;margin-top:0">
          各县(区)年度目标完成情况<span class="muted" style="font-weight:normal">（截至 {rollup.date}）</span>
        </h2>
        {withTargets.length === 0 ? (
          <p class="muted">{rollup.year} 年各县(区)计划中都没有全县年度目标（targets.county）。</p>
        ) : (
          <>
            <p>
              设定年度目标的县(区) {rollup.targets.counties} 个：已完成 {rollup.targets.states.done} 个，进度正常 {rollup.targets.states['on-track']} 个，进度滞后 {rollup.targets.states.behind} 个，逾期未完成{' '}
              {rollup.targets.states.overdue} 个，未开始 {rollup.targets.states['not-started']} 个。
            </p>
            <ProgressLegend />
            <BarTable
              id="targets-counties"
              caption="各县(区)全县年度目标"
              first="县(区)"
              rows={withTargets.flatMap((row) => (row.target?.measures ?? []).map((measure) => ({ name: row.name, period: '全年', measure })))}
            />
          </>
        )}
      </section>
      <div class="card">
        <h2 style="font-size:1.1rem;margin-top:0">汇总报告用语</h2>
        <p id="paragraph">{rollup.paragraph}</p>
        <button type="button" id="copy">
          复制
        </button>{' '}
        <span id="copied" role="status" class="muted" />
        <script nonce={props.nonce} dangerouslySetInnerHTML={{ __html: COPY_SCRIPT }} />
      </div>
      <div class="grid" style="grid-template-columns:repeat(auto-fill,minmax(20rem,1fr))">
        {charted.map((measure) => {
          const column = columns.find((item) => item.measure === measure);
          return <BarChart id={`chart-${measure}`} title={`各县(区)${rollupMeasureLabels[measure]}`} unit={column?.unit ?? ''} bars={byValue(measure)} />;
        })}
      </div>
    </>
  );
}
