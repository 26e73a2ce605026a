/**
 * The city's roll-up page in a real browser (Debian's Chromium): a city token signs in and lands
 * on /app/rollup; the counties' table is found by its caption, with row headers and the totals
 * row; the charts are named images; a month is chosen from the form; the CSV downloads with the
 * page's session. Two counties of the city and one of another, counted straight into the store.
 */
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../functions/app.js';
import { DEPLOYMENT_SCOPE } from '../../functions/domain/access.js';
import { newCountyRecord } from '../../functions/domain/county.js';
import { activityDelta } from '../../functions/domain/tally.js';
import { launchChromium, screenshot } from '../support/browser.js';
import { aGrant, anActivity, aToken } from '../support/builders.js';
import { freshTable, type TestDatabase } from '../support/db.js';
import { SLOW_TEST_MS, UI_WAIT_MS } from '../support/timeouts.js';

let db: TestDatabase;
let server: ServerType;
let url: string;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  db = await freshTable({ county: 'tianquan' });
  db.setNow(new Date('2031-06-30T04:00:00Z'));
  const now = new Date('2031-06-30T04:00:00Z');
  const made: [string, string, string, number][] = [
    ['tianquan', '天全县', 'yaan', 2],
    ['lushan', '芦山县', 'yaan', 1],
    ['jinniu', '金牛区', 'chengdu', 5],
  ];
  for (const [id, name, city, activities] of made) {
    await db.store.counties.create(newCountyRecord({ id, name, city, province: 'sichuan' }, now, 'Asia/Shanghai'), { audits: [], now });
    for (let index = 0; index < activities; index += 1) {
      await db.store.tallies.add(id, activityDelta(undefined, anActivity({ county: id, date: `2031-0${3 + index}-10`, participants: 100 })));
    }
  }
  const city = await aToken(db.store, DEPLOYMENT_SCOPE, aGrant({ role: 'city', city: 'yaan', name: '雅安市依法治市办' }));
  const app = createApp(db.deps);
  url = await new Promise((resolve) => {
    server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info: AddressInfo) => resolve(`http://127.0.0.1:${info.port}`));
  });
  browser = await launchChromium();
  const context = await browser.newContext({ viewport: { width: 1200, height: 900 }, locale: 'zh-CN', acceptDownloads: true });
  context.setDefaultTimeout(UI_WAIT_MS);
  page = await context.newPage();
  await page.goto(`${url}/app/login`);
  await page.getByLabel('访问令牌').fill(city.secret);
  await page.getByRole('button', { name: '登录' }).click();
  await page.waitForURL(/\/app\/rollup$/);
}, SLOW_TEST_MS);

afterAll(async () => {
  await browser?.close();
  await new Promise((done) => (server ? server.close(() => done(undefined)) : done(undefined)));
  await db?.drop();
}, SLOW_TEST_MS);

describe('the roll-up page in a browser', () => {
  it('shows the city’s counties side by side in a captioned table with a totals row, and the charts as named images', async () => {
    const table = page.getByRole('table', { name: /各县\(区\)法治宣传统计/ });
    await expect(table.getByRole('rowheader').allTextContents()).resolves.toEqual(['芦山县', '天全县', '合计']);
    await expect(table.locator('#rollup-totals td[data-measure="activities"]').textContent()).resolves.toBe('3');
    await expect(page.getByRole('img', { name: '各县(区)活动次数' }).count()).resolves.toBe(1);
    await expect(page.locator('#paragraph').textContent()).resolves.toContain('全市2个县(区)共开展普法宣传活动3场次');
    await expect(page.content()).resolves.not.toContain('金牛区');
    await screenshot(page, 'rollup');
  });

  it('reads one month chosen in the form, and downloads its CSV with the page’s session', async () => {
    await page.getByLabel('月份').selectOption('4');
    await page.getByRole('button', { name: '查看' }).click();
    await page.waitForURL(/month=4/);
    await expect(page.locator('#rollup-totals td[data-measure="activities"]').textContent()).resolves.toBe('1');
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: '导出 CSV' }).click()]);
    expect(download.suggestedFilename()).toBe('pufa-rollup-2031-04.csv');
    const chunks: Buffer[] = [];
    for await (const chunk of await download.createReadStream()) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks).toString('utf8')).toContain('合计,1,100');
  });
});
