/**
 * @module pages/plan
 * The year plan (staff, reviewer): twelve months, each with its theme (一月一主题), its key dates
 * highlighted, and the campaigns touching it with their notices and states.
 */
import { Hono } from 'hono';
import { z } from 'zod';
import { buildCalendar } from '../domain/calendar.js';
import { markSpans } from '../domain/holidays.js';
import { planHolidays } from '../domain/plan.js';
import { channelLabels, publicEventKindLabels } from '../domain/planning.js';
import { utcToLocal } from '../domain/schedule.js';
import type { AppEnv } from '../http/env.js';
import { Layout, StateBadge } from './layout.js';
import { pageFor } from './session.js';

/** 10-01 → 10.1 */
const dayText = (date: string) => `${Number(date.slice(5, 7))}.${Number(date.slice(8, 10))}`;

export function planPages() {
  const pages = new Hono<AppEnv>();
  pages.use('/plan', pageFor('staff', 'reviewer'));

  pages.get('/plan', async (c) => {
    const { store, clock, config } = c.var.deps;
    const county = c.var.caller.county;
    const thisYear = Number(utcToLocal(clock().toISOString(), config.timeZone).slice(0, 4));
    const year = z.coerce.number().int().min(2000).max(2100).catch(thisYear).parse(c.req.query('year') ?? thisYear);
    const [plan, campaigns] = await Promise.all([store.plans.getYear(county, year), store.campaigns.listByYear(county, year)]);
    const notices = new Map(await Promise.all(campaigns.map(async (campaign) => [campaign.id, await store.notices.listByCampaign(county, campaign.id)] as const)));
    const calendar = buildCalendar(year, plan, campaigns, notices, planHolidays(plan));
    return c.html(
      <Layout title={`${year} 年普法宣传计划`} caller={c.var.caller} path="/app/plan">
        <nav aria-label="年份" style="display:flex;gap:1rem;margin-bottom:1rem">
          <a href={`/app/plan?year=${year - 1}`}>← {year - 1} 年</a>
          <a href={`/app/plan?year=${year + 1}`}>{year + 1} 年 →</a>
        </nav>
        {!calendar.planned && (
          <div class="card">
            <p>{year} 年还没有载入计划。</p>
            <p class="muted">
              用 <code>npm run plan -- --apply campaigns/{year}.yaml</code> 载入年度计划（格式见 campaigns/README.md），或请管理员通过接口 <code>POST /plans</code> 载入。
            </p>
          </div>
        )}
        {!calendar.holidayData && (
          <p class="card" role="note">
            {year} 年没有法定节假日与调休数据（国务院通知通常在前一年 11 月发布）：节假日不会被标出，也不会被检查。可在年度计划中用 holidays / workdays 补充。
          </p>
        )}
        <div class="grid">
          {calendar.months.map((month) => (
            <section class="card" aria-labelledby={`m${month.month}`}>
              <h2 id={`m${month.month}`} style="font-size:1.1rem;margin:0">
                {month.month} 月 <span class="muted" style="font-weight:normal">{month.theme ? `主题：${month.theme.name}` : '主题未定'}</span>
              </h2>
              {month.keyDates.map((keyDate) => (
                <p class="keydate">
                  {keyDate.date.slice(5).replace('-', '.')} {keyDate.name}
                </p>
              ))}
              {month.holidays.length > 0 && (
                <ul class="holidays" aria-label={`${month.month} 月节假日与调休`} style="list-style:none;padding:0;margin:.25rem 0">
                  {markSpans(month.holidays).map((span) => (
                    <li class={span.kind === 'holiday' ? 'holiday' : 'makeup-workday'}>
                      {dayText(span.from)}
                      {span.to !== span.from && `–${dayText(span.to)}`} {span.kind === 'holiday' ? `${span.name} 放假` : `${span.name} 调休上班`}
                    </li>
                  ))}
                </ul>
              )}
              {month.campaigns.length === 0 ? (
                <p class="muted">本月暂无活动安排</p>
              ) : (
                <ul style="padding-left:1.1rem;margin:.5rem 0 0">
                  {month.campaigns.map((campaign) => (
                    <li>
                      {/* Reviewers read notices in their queue; the campaign page is where staff write. */}
                      {c.var.caller.role === 'staff' ? <a href={`/app/campaigns/${campaign.id}`}>{campaign.title}</a> : <span>{campaign.title}</span>}
                      {campaign.state === 'cancelled' && <StateBadge label="已取消" />}
                      <ul style="padding-left:1rem">
                        {campaign.events.map((event) => (
                          <li class="event">
                            {event.date.slice(5)}
                            {event.from ? ` ${event.from}` : ''} {event.title ?? publicEventKindLabels[event.kind]} · {event.place}
                          </li>
                        ))}
                        {campaign.notices.map((notice) => (
                          <li>
                            {notice.title ? `${channelLabels[notice.channel]} ${notice.title}` : notice.name} <StateBadge label={notice.stateLabel} />
                          </li>
                        ))}
                      </ul>
                    </li>
                  ))}
                </ul>
              )}
            </section>
          ))}
        </div>
      </Layout>,
    );
  });
  return pages;
}
