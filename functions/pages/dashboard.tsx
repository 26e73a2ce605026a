/**
 * @module pages/dashboard
 * The county office's dashboard (依法治县办): the year's totals, charts by month, township,
 * department (when any department has activities), kind and theme (last year drawn beside),
 * the targets' and duties' progress as bars (目标完成情况, on `?date=`, default today),
 * export buttons and the report paragraph with a copy button.
 */
import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { localDateSchema, utcToLocal } from '../domain/schedule.js';
import { Invalid } from '../domain/errors.js';
import { smsDeliveryRate, usdFromMicro } from '../domain/tally.js';
import type { AppEnv } from '../http/env.js';
import { exportCsv, exportQuery, exportXlsx, readProgress, readTallies, workbookQuery } from '../routes/tallies.js';
import { smsBudgetInputSchema } from '../domain/sms-budget.js';
import { readBudget, setBudget } from '../workflows/sms-budget.js';
import { stationContacts } from '../workflows/stations.js';
import { BudgetCard } from './budget.js';
import { BarChart } from './charts.js';
import { Layout } from './layout.js';
import { ProgressSection } from './progress-bars.js';
import { pageFor } from './session.js';

const COPY_SCRIPT = `document.getElementById('copy').addEventListener('click',function(){var t=document.getElementById('paragraph').textContent;navigator.clipboard.writeText(t).then(function(){document.getElementById('copied').textContent='已复制';},function(){document.getElementById('copied').textContent='复制失败，请手动选择文字复制';});});`;

type Flash = { kind: 'ok' | 'err'; text: string };

export function dashboardPages() {
  const pages = new Hono<AppEnv>();
  pages.use('/dashboard', pageFor('county', 'admin'));
  pages.use('/dashboard/*', pageFor('county', 'admin'));

  pages.get('/dashboard', (c) => dashboard(c, c.req.query('done') === 'budget' ? { kind: 'ok', text: '本月短信预算已保存；提高预算后，暂停的短信在下一轮发送时自动恢复。' } : undefined));

  // The exports for a browser: the API's /tallies/export.* take a token, these the page's session.
  pages.get('/dashboard/export.csv', async (c) => exportCsv(c, parsedQuery(exportQuery, c.req.query())));
  pages.get('/dashboard/export.xlsx', async (c) => exportXlsx(c, parsedQuery(workbookQuery, c.req.query())));

  // The county office sets its monthly SMS budget from the dashboard (the same workflow as PUT /sms-budget).
  pages.post('/dashboard/sms-budget', async (c) => {
    const form = await c.req.parseBody();
    const raw = typeof form.monthlyYuan === 'string' ? form.monthlyYuan.trim() : '';
    const parsed = smsBudgetInputSchema.safeParse({ monthlyYuan: raw === '' ? null : Number(raw) });
    if (!parsed.success || (raw !== '' && !/^\d+(\.\d{1,2})?$/.test(raw))) {
      return dashboard(c, { kind: 'err', text: `月度短信预算：请填写不小于 0 的金额（元，最多两位小数），或留空表示使用部署默认值。（${parsed.success ? 'not a plain amount' : (parsed.error.issues[0]?.message ?? 'invalid')}）` }, 400);
    }
    const { store, config, clock } = c.var.deps;
    await setBudget({ store, config, now: clock() }, c.var.caller, parsed.data);
    return c.redirect('/app/dashboard?done=budget', 303);
  });
  return pages;
}

async function dashboard(c: Context<AppEnv>, flash?: Flash, status: 200 | 400 = 200) {
  const { clock, config } = c.var.deps;
  // `?date=YYYY-MM-DD` shows the targets' progress on that day (and its year, unless `year` says otherwise).
  const dateQuery = c.req.query('date');
  const date = dateQuery ? localDateSchema.safeParse(dateQuery).data : undefined;
  if (dateQuery && !date && !flash) {
    flash = { kind: 'err', text: `日期“${dateQuery}”无效：请按 YYYY-MM-DD 填写（例如 2021-06-30）。下面是截至今天的完成情况。` };
    status = 400;
  }
  const thisYear = Number(date?.slice(0, 4) ?? utcToLocal(clock().toISOString(), config.timeZone).slice(0, 4));
  const year = z.coerce.number().int().min(2000).max(2100).catch(thisYear).parse(c.req.query('year') ?? thisYear);
  const [{ current, previous, names, paragraph }, progress, stations, numbersToCheck, budget] = await Promise.all([
    readTallies(c, { year, period: 'year' }),
    readProgress(c, year, date),
    stationContacts({ store: c.var.deps.store, config, now: clock() }, c.var.caller.county),
    c.var.deps.store.subscribers.numbersToCheck(c.var.caller.county),
    readBudget({ store: c.var.deps.store, config, now: clock() }, c.var.caller.county),
  ]);
  const silent = stations.filter((station) => !station.contactedToday);
  const totals = current.totals;
  const before = previous.totals;
  const name = (dimension: string, value: string) => names[dimension]?.[value] ?? value;
  const change = (now: number, then: number) => (then === 0 ? '' : `（同比 ${now >= then ? '+' : ''}${Math.round(((now - then) / then) * 100)}%）`);
  const previousBy = (rows: typeof current.byTheme) => new Map(rows.map((row) => [row.value, row.counts]));
  const lastYearTownships = previousBy(previous.byTownship);
  const lastYearDepartments = previousBy(previous.byDepartment);
  // Naming departments is optional: a county that does not is not shown an empty chart.
  const departmentsCounted = current.byDepartment.some((row) => row.counts.activities > 0);
  const deliveryRate = smsDeliveryRate(totals);
  return c.html(
    <Layout title={`${year} 年法治宣传统计`} caller={c.var.caller} path="/app/dashboard" flash={flash}>
      <form method="get" action="/app/dashboard" style="display:flex;gap:.5rem;align-items:flex-end;margin-bottom:1rem">
        <div>
          <label for="year">年份</label>
          <input id="year" name="year" type="number" min={2000} max={2100} value={String(year)} style="width:8rem" />
        </div>
        <div>
          <label for="date">进度截至日期（默认今天）</label>
          <input id="date" name="date" type="date" value={date ?? ''} style="width:11rem" />
        </div>
        <button type="submit">查看</button>
        <a class="button" href={`/app/dashboard/export.csv?year=${year}&breakdown=month`}>导出 CSV</a>
        <a class="button" href={`/app/dashboard/export.xlsx?year=${year}${date ? `&date=${date}` : ''}`}>导出 Excel</a>
        <a class="button" href={`/app/reports/duties?year=${year}`}>履职情况报告</a>
      </form>
      <BudgetCard budget={budget}>
        <form method="post" action="/app/dashboard/sms-budget" style="display:flex;gap:.5rem;align-items:flex-end;flex-wrap:wrap">
          <div>
            <label for="monthlyYuan">月度短信预算（元，留空为部署默认值）</label>
            <input id="monthlyYuan" name="monthlyYuan" inputmode="decimal" value={budget.source === 'county' && budget.monthlyYuan !== undefined ? String(budget.monthlyYuan) : ''} style="width:10rem" />
          </div>
          <button type="submit">保存预算</button>
        </form>
      </BudgetCard>
      <section class="totals" aria-label="年度合计">
        <div>
          活动<strong>{totals.activities.toLocaleString('zh-CN')}</strong>次{change(totals.activities, before.activities)}
        </div>
        <div>
          发放资料<strong>{totals.materials.toLocaleString('zh-CN')}</strong>份{change(totals.materials, before.materials)}
        </div>
        <div>
          参与<strong>{totals.participants.toLocaleString('zh-CN')}</strong>人次
        </div>
        <div id="with-evidence">
          有佐证材料<strong>{totals.activitiesWithEvidence.toLocaleString('zh-CN')}</strong>次
          {totals.activities > 0 && <span class="muted">（占 {Math.round((totals.activitiesWithEvidence / totals.activities) * 100)}%）</span>}
        </div>
        <div>
          短信发送<strong>{totals.smsSent.toLocaleString('zh-CN')}</strong>条
        </div>
        <div>
          短信送达<strong>{totals.smsDelivered.toLocaleString('zh-CN')}</strong>条
          {deliveryRate === undefined ? '（暂无回执）' : `（送达率 ${deliveryRate}%）`}
        </div>
        <div>
          短信实际费用<strong>{usdFromMicro(totals.smsCostMicroUsd)}</strong>
        </div>
        <div>
          广播播出<strong>{totals.airings.toLocaleString('zh-CN')}</strong>次
        </div>
        <div>
          微信群发<strong>{totals.wechatPushes.toLocaleString('zh-CN')}</strong>期
          {totals.wechatFailed > 0 ? `（失败 ${totals.wechatFailed.toLocaleString('zh-CN')} 次）` : ''}
        </div>
        <div>
          送达粉丝<strong>{totals.wechatReached.toLocaleString('zh-CN')}</strong>人次
        </div>
      </section>
      <div style="margin-top:1rem">
        <ProgressSection year={year} date={progress?.date ?? date ?? utcToLocal(clock().toISOString(), config.timeZone).slice(0, 10)} targets={progress?.targets} duties={progress?.duties ?? []} planLoaded={progress !== undefined} />
      </div>
      <div class="card" style="margin-top:1rem">
        <h2 style="font-size:1.1rem;margin-top:0">年度报告用语</h2>
        <p id="paragraph">{paragraph}</p>
        <button type="button" id="copy">
          复制
        </button>{' '}
        <span id="copied" role="status" class="muted" />
        <script nonce={c.get('secureHeadersNonce')} dangerouslySetInnerHTML={{ __html: COPY_SCRIPT }} />
      </div>
      {numbersToCheck > 0 && (
        <section class="card" aria-labelledby="numbers-title">
          <h2 id="numbers-title" style="font-size:1.1rem;margin-top:0">
            待核对号码：<span id="numbers-to-check">{numbersToCheck}</span> 个
          </h2>
          <p class="muted">这些号码连续多次未能送达（运营商回执），可能已停机或更换，请核对后修改或删除（订阅者接口 GET /subscribers 中带有 checkNumberSince 的号码）。</p>
        </section>
      )}
      {stations.length > 0 && (
        <section class="card" aria-labelledby="stations-title">
          <h2 id="stations-title" style="font-size:1.1rem;margin-top:0">
            广播站今日联系情况：{stations.length - silent.length}/{stations.length} 个站今天已取稿
          </h2>
          {silent.length === 0 ? (
            <p class="muted">所有广播站今天都已取稿。</p>
          ) : (
            <>
              <p class="muted">以下广播站今天还没有取稿，请联系管理员确认设备在线：</p>
              <ul id="silent-stations">
                {silent.map((station) => (
                  <li>
                    {station.name}
                    <span class="muted">{station.lastContactAt ? ` 上次联系 ${utcToLocal(station.lastContactAt, config.timeZone).slice(0, 16).replace('T', ' ')}` : ' 从未联系'}</span>
                  </li>
                ))}
              </ul>
            </>
          )}
        </section>
      )}
      <div class="grid" style="grid-template-columns:repeat(auto-fill,minmax(20rem,1fr))">
        <BarChart id="by-month" title="每月活动次数（灰色为上年同期）" unit="次" bars={current.byMonth.map((month, index) => ({ label: `${month.month}月`, value: month.counts.activities, compare: previous.byMonth[index]?.counts.activities ?? 0 }))} />
        <BarChart id="materials-by-month" title="每月发放资料（份）" unit="份" bars={current.byMonth.map((month) => ({ label: `${month.month}月`, value: month.counts.materials }))} />
        <BarChart id="by-township" title="各乡镇活动次数（灰色为上年）" unit="次" bars={current.byTownship.map((row) => ({ label: name('township', row.value), value: row.counts.activities, compare: lastYearTownships.get(row.value)?.activities ?? 0 }))} />
        {departmentsCounted && (
          <BarChart
            id="by-department"
            title="各部门活动次数（灰色为上年）"
            unit="次"
            bars={current.byDepartment.map((row) => ({ label: name('department', row.value), value: row.counts.activities, compare: lastYearDepartments.get(row.value)?.activities ?? 0 }))}
          />
        )}
        <BarChart id="by-kind" title="各宣传形式活动次数" unit="次" bars={current.byKind.map((row) => ({ label: name('kind', row.value), value: row.counts.activities }))} />
        <BarChart id="by-theme" title="各主题活动次数" unit="次" bars={current.byTheme.map((row) => ({ label: name('theme', row.value), value: row.counts.activities }))} />
        <BarChart
          id="delivery-rate"
          title="各乡镇短信送达率（%，运营商回执）"
          unit="%"
          bars={current.byTownship.flatMap((row) => {
            const rate = smsDeliveryRate(row.counts);
            return rate === undefined ? [] : [{ label: name('township', row.value), value: rate }];
          })}
        />
        <BarChart id="airings" title="各乡镇广播播出次数" unit="次" bars={current.byTownship.filter((row) => row.counts.airings > 0).map((row) => ({ label: name('township', row.value), value: row.counts.airings }))} />
      </div>
    </Layout>,
    status,
  );
}

/** A download link's query, checked as the API checks it: 400 naming the field. */
function parsedQuery<T extends z.ZodType>(schema: T, query: Record<string, string>): z.infer<T> {
  const parsed = schema.safeParse(query);
  if (!parsed.success) throw new Invalid('Invalid query.', parsed.error.issues.map((issue) => ({ field: ['query', ...issue.path].join('.'), message: issue.message })));
  return parsed.data;
}
