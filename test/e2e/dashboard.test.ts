/**
 * The dashboard's 目标完成情况 in a real browser (Debian's Chromium): a plan with targets and a
 * responsibility list, a few activities, and the bars on a given date — their texts, states,
 * colours, widths and the even pace's marker. The app runs in this process on DynamoDB Local.
 */
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../functions/app.js';
import { launchChromium, screenshot } from '../support/browser.js';
import { aGrant, aToken } from '../support/builders.js';
import { freshTable, type TestDatabase } from '../support/db.js';
import { sendTo } from '../support/http.js';
import { aPlan, sampleRegistry } from '../support/planning.js';
import { SLOW_TEST_MS, UI_WAIT_MS } from '../support/timeouts.js';

const county = 'dashcounty';
let db: TestDatabase;
let server: ServerType;
let url: string;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  db = await freshTable({ county });
  const app = createApp(db.deps);
  const send = sendTo(app);
  const admin = (await aToken(db.store, county, aGrant({ role: 'admin' }))).headers;
  const staff = (await aToken(db.store, county, aGrant({ role: 'staff' }))).headers;
  expect((await send('PUT', '/registry', admin, sampleRegistry())).status).toBe(200);
  expect((await send('PUT', '/sms-templates', admin, { items: aPlan().smsTemplates })).status).toBe(200);
  const plan = {
    ...aPlan(),
    targets: {
      county: { activities: 4, participants: 400, months: { 3: { activities: 2 } } },
      townships: { chengxiang: { activities: 2 }, shiyang: { activities: 4 } },
      departments: { shichang: { activities: 2 } },
    },
    responsibilities: [{ department: 'shichang', duty: '3·15 食品安全宣传', targets: { activities: 3 }, months: [3] }],
  };
  expect((await send('POST', '/plans', staff, plan)).status).toBe(200);
  db.setNow(new Date('2031-07-02T04:00:00Z'));
  const activity = (id: string, date: string, township: string, departments: string[]) =>
    send('POST', '/activities', staff, { id, date, township, theme: 'consumer-rights', kind: 'event', participants: 100, materials: [], departments });
  for (const made of [activity('a1', '2031-03-05', 'chengxiang', ['shichang']), activity('a2', '2031-03-15', 'chengxiang', ['shichang']), activity('a3', '2031-05-10', 'shiyang', [])]) {
    expect((await made).status).toBe(201);
  }
  const countyToken = await aToken(db.store, county, aGrant({ role: 'county' }));
  url = await new Promise((resolve) => {
    server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info: AddressInfo) => resolve(`http://127.0.0.1:${info.port}`));
  });
  browser = await launchChromium();
  const context = await browser.newContext({ viewport: { width: 1200, height: 900 }, locale: 'zh-CN' });
  context.setDefaultTimeout(UI_WAIT_MS);
  page = await context.newPage();
  await page.goto(`${url}/app/login`);
  await page.getByLabel('访问令牌').fill(countyToken.secret);
  await page.getByRole('button', { name: '登录' }).click();
  await page.waitForURL(/\/app\/dashboard/);
}, SLOW_TEST_MS);

afterAll(async () => {
  await browser?.close();
  await new Promise((done) => (server ? server.close(() => done(undefined)) : done(undefined)));
  await db?.drop();
}, SLOW_TEST_MS);

/** The few DOM members used in the page (the DOM's types are not in this project's lib). */
interface PageElement {
  getAttribute(name: string): string | null;
  querySelector(selector: string): PageElement | null;
  getBoundingClientRect(): { left: number; width: number };
  textContent: string | null;
}
declare const getComputedStyle: (element: PageElement) => { backgroundColor: string };

/** Each bar as the page draws it: its label, text, state, fill colour, and fill and pace marker as shares of the track. */
function bars(table: string) {
  return page.locator(`#${table} tbody tr`).evaluateAll((rows: PageElement[]) =>
    rows.map((row) => {
      const bar = row.querySelector('[role=progressbar]');
      const fill = row.querySelector('.pfill');
      const pace = row.querySelector('.ppace');
      const track = bar?.getBoundingClientRect().width ?? 1;
      const share = (element: PageElement | null, edge: 'width' | 'left') =>
        element ? Math.round(((edge === 'width' ? element.getBoundingClientRect().width : element.getBoundingClientRect().left - (bar?.getBoundingClientRect().left ?? 0)) / track) * 100) : -1;
      return {
        label: bar?.getAttribute('aria-label'),
        text: bar?.getAttribute('aria-valuetext'),
        shown: row.querySelector('.ptext')?.textContent,
        state: row.getAttribute('data-state'),
        colour: fill ? getComputedStyle(fill).backgroundColor : '',
        width: share(fill, 'width'),
        pace: share(pace, 'left'),
      };
    }),
  );
}

const green = 'rgb(26, 127, 55)';
const amber = 'rgb(212, 167, 44)';
const red = 'rgb(207, 34, 46)';

describe('the dashboard’s 目标完成情况', () => {
  it('draws each target and duty as a bar on the date asked: text, state, colour, width and the even pace', async () => {
    const response = await page.goto(`${url}/app/dashboard?date=2031-07-02`);
    expect(response?.status()).toBe(200);
    await expect.poll(() => page.locator('#progress-title').textContent(), { timeout: UI_WAIT_MS }).toContain('截至 2031-07-02');

    // 2031-07-02 is day 183 of 365: half of each yearly target is due (the marker near the middle).
    const countyBars = await bars('targets-county');
    expect(countyBars).toEqual([
      { label: '全县 全年 活动', text: '3/4 场次 75% 进度正常', shown: '3/4 场次 75% 进度正常', state: 'on-track', colour: green, width: 75, pace: 50 },
      { label: '全县 全年 受众', text: '300/400 人次 75% 进度正常', shown: '300/400 人次 75% 进度正常', state: 'on-track', colour: green, width: 75, pace: 50 },
      { label: '全县 3月 活动', text: '2/2 场次 100% 已完成', shown: '2/2 场次 100% 已完成', state: 'done', colour: green, width: 100, pace: 100 },
    ]);
    const townships = await bars('targets-townships');
    expect(townships.map(({ label, text, state, colour, width, pace }) => ({ label, text, state, colour, width, pace }))).toEqual([
      { label: '城厢镇 全年 活动', text: '2/2 场次 100% 已完成', state: 'done', colour: green, width: 100, pace: 50 },
      { label: '始阳镇 全年 活动', text: '1/4 场次 25% 进度滞后', state: 'behind', colour: amber, width: 25, pace: 50 },
    ]);
    expect((await bars('targets-departments')).map((bar) => [bar.label, bar.text, bar.colour])).toEqual([['县市场监督管理局 全年 活动', '2/2 场次 100% 已完成', green]]);
    // The duty ran in March: past its time and unmet, it is overdue (and its marker at the end).
    expect(await bars('duties')).toEqual([
      { label: '县市场监督管理局：3·15 食品安全宣传 03-01 至 03-31 活动', text: '2/3 场次 66% 逾期未完成', shown: '2/3 场次 66% 逾期未完成', state: 'overdue', colour: red, width: 66, pace: 100 },
    ]);
    // Reachable by role and name, with the percent as its value.
    expect(await page.getByRole('progressbar', { name: '始阳镇 全年 活动' }).getAttribute('aria-valuenow')).toBe('25');
    await screenshot(page, 'dashboard-targets');

    // Before the year, nothing has started: grey bars, no marker ahead of zero.
    await page.goto(`${url}/app/dashboard?date=2030-12-31&year=2031`);
    const before = await bars('targets-townships');
    expect(before.map((bar) => [bar.text, bar.state, bar.colour, bar.pace])).toEqual([
      ['0/2 场次 0% 未开始', 'not-started', 'rgb(140, 149, 159)', 0],
      ['0/4 场次 0% 未开始', 'not-started', 'rgb(140, 149, 159)', 0],
    ]);

    // A date that is not one is refused in words, and today's progress shown instead.
    expect((await page.goto(`${url}/app/dashboard?date=2031-13-01`))?.status()).toBe(400);
    expect(await page.getByRole('alert').textContent()).toContain('日期“2031-13-01”无效');
    expect(await page.locator('#progress-title').textContent()).toContain('截至 2031-07-02');
  }, SLOW_TEST_MS);
});
