/**
 * The activity page's evidence in a real browser (Debian's Chromium): staff pick a photo and a
 * sign-in sheet, the page's script asks for the form, POSTs the file to it and confirms it, and
 * the thumbnail appears; a text file passed off as a PNG is refused with the reason shown; 删除
 * removes a file. The app is served in-process on the test's table (no `npm start` to spawn).
 */
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../functions/app.js';
import { loadPlan } from '../../functions/workflows/plans.js';
import { launchChromium, screenshot } from '../support/browser.js';
import { aGrant, aToken } from '../support/builders.js';
import { freshTable, type TestDatabase } from '../support/db.js';
import { aPng } from '../support/images.js';
import { aPlan, sampleRegistry } from '../support/planning.js';
import { UI_WAIT_MS } from '../support/timeouts.js';

const county = 'testcounty';
let db: TestDatabase;
let server: ServerType;
let url = '';
let browser: Browser;
let page: Page;

beforeAll(async () => {
  db = await freshTable({ county, ownRecordings: true });
  db.setNow(new Date('2031-12-20T04:00:00Z'));
  const app = createApp(db.deps);
  const loaded = await loadPlan(
    { store: db.store, config: db.config, now: new Date('2021-01-01T00:00:00Z') },
    { plan: { ...aPlan(), county }, registry: sampleRegistry(), county, loader: { kind: 'system' }, actor: { tokenId: 't', name: 'n' }, dryRun: false },
  );
  expect(loaded.ok).toBe(true);
  const staff = await aToken(db.store, county, aGrant({ role: 'staff', name: '宣传员小王' }));
  const created = await app.request('/activities', {
    method: 'POST',
    headers: { ...staff.headers, 'Content-Type': 'application/json' },
    body: JSON.stringify({ id: 'act-315', date: '2031-03-15', township: 'chengxiang', theme: 'consumer-rights', kind: 'event', title: '3·15 广场咨询', participants: 120 }),
  });
  expect(created.status).toBe(201);
  server = await new Promise<ServerType>((started) => {
    const listening = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => started(listening));
  });
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await launchChromium();
  const context = await browser.newContext({ viewport: { width: 1200, height: 900 }, locale: 'zh-CN' });
  context.setDefaultTimeout(UI_WAIT_MS);
  page = await context.newPage();
  await page.goto(`${url}/app/login`);
  await page.getByLabel('访问令牌').fill(staff.secret);
  await page.getByRole('button', { name: '登录' }).click();
  await page.waitForLoadState('networkidle');
});

afterAll(async () => {
  await browser?.close();
  await new Promise<void>((closed) => (server ? server.close(() => closed()) : closed()));
  await db?.drop();
});

async function choose(kind: string, file: { name: string; mimeType: string; buffer: Buffer }): Promise<void> {
  await page.getByLabel('材料类别').selectOption({ label: kind });
  await page.getByLabel(/^文件/).setInputFiles(file);
  await page.getByRole('button', { name: '上传' }).click();
}

describe('evidence on the activity page', () => {
  it('uploads a photo through the page’s form, which reloads with its thumbnail', async () => {
    await page.goto(`${url}/app/activities`);
    await page.getByRole('link', { name: '3·15 广场咨询' }).click();
    await expect(page.getByRole('heading', { name: /佐证材料（0\/20）/ }).count()).resolves.toBe(1);

    await choose('活动照片', { name: '现场.png', mimeType: 'image/png', buffer: Buffer.from(aPng({ width: 640, height: 480, seed: 5 })) });
    const thumbnail = page.locator('figure.evidence img');
    await thumbnail.waitFor();
    // The thumbnail the browser loaded: 320 px on its long side.
    const width = await thumbnail.evaluate((image: { complete: boolean; naturalWidth: number; addEventListener(type: string, listener: () => void): void }) =>
      image.complete ? image.naturalWidth : new Promise<number>((loaded) => image.addEventListener('load', () => loaded(image.naturalWidth))),
    );
    expect(width).toBe(320);
    await expect(page.getByRole('heading', { name: /佐证材料（1\/20）/ }).count()).resolves.toBe(1);
    await screenshot(page, 'evidence-photo');
  });

  it('refuses a text file passed off as a PNG, saying why, and keeps nothing', async () => {
    await choose('签到表', { name: '签到表.png', mimeType: 'image/png', buffer: Buffer.from('不是图片') });
    await page.getByText(/未能保存：.*not the image\/png declared/).waitFor();
    expect(await page.locator('figure.evidence').count()).toBe(1);
  });

  it('removes a file with its 删除 button', async () => {
    await page.locator('figure.evidence').getByRole('button', { name: '删除' }).click();
    await page.getByText('已删除该份佐证材料。').waitFor();
    expect(await page.locator('figure.evidence').count()).toBe(0);
  });
});
