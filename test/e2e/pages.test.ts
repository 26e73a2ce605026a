/**
 * The web pages in a real browser (Debian's Chromium) against the local server on DynamoDB Local:
 * each role signs in and does its main task, from plan to the county dashboard showing the airing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { freePort } from '../../functions/local/dynamodb-local.js';
import { launchChromium, screenshot } from '../support/browser.js';
import { startLocalServer, type RunningLocalServer } from '../support/local-server.js';

let server: RunningLocalServer;
let browser: Browser;
const tokens: Record<string, string> = {};
const contexts: BrowserContext[] = [];

async function api(method: string, path: string, token: string, body?: unknown) {
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, ...(body ? { 'Content-Type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return { status: response.status, body: (await response.json()) as Record<string, any> };
}

async function issue(role: string, name: string, extra: Record<string, string> = {}) {
  const issued = await api('POST', '/tokens', server.adminToken, { role, name, ...extra });
  expect(issued.status).toBe(201);
  return String(issued.body.secret);
}

async function signedIn(token: string, viewport = { width: 1200, height: 900 }): Promise<Page> {
  const context = await browser.newContext({ viewport, locale: 'zh-CN' });
  contexts.push(context);
  const page = await context.newPage();
  await page.goto(`${server.url}/app/login`);
  await page.getByLabel('访问令牌').fill(token);
  await page.getByRole('button', { name: '登录' }).click();
  await page.waitForLoadState('networkidle');
  return page;
}

/** A local date-time a little ahead, in the county's zone (Asia/Shanghai). */
function soon(minutes: number): string {
  const local = new Date(Date.now() + 8 * 3600_000 + minutes * 60_000);
  return local.toISOString().slice(0, 16);
}

beforeAll(async () => {
  server = await startLocalServer(['--port', String(await freePort()), '--in-memory', '--tick', '1']);
  browser = await launchChromium();
  tokens.staff = await issue('staff', '宣传员小王');
  tokens.reviewer = await issue('reviewer', '审核员老李');
  tokens.station = await issue('station', '向阳村广播站', { stationId: 'st-xiangyang' });
  tokens.county = await issue('county', '依法治县办');
}, 120_000);

afterAll(async () => {
  for (const context of contexts) await context.close();
  await browser?.close();
  await server?.stop('SIGINT');
});

describe('signing in', () => {
  it('refuses a wrong token in Chinese and sends each role to its page', async () => {
    const context = await browser.newContext();
    contexts.push(context);
    const page = await context.newPage();
    await page.goto(`${server.url}/app/dashboard`);
    expect(new URL(page.url()).pathname).toBe('/app/login');
    await page.getByLabel('访问令牌').fill('pufa_wrong');
    await page.getByRole('button', { name: '登录' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('令牌无效');
    await screenshot(page, '01-login-error');

    const reviewer = await signedIn(tokens.reviewer ?? '');
    expect(new URL(reviewer.url()).pathname).toBe('/app/review');
    const cookies = await reviewer.context().cookies();
    expect(cookies.find((cookie) => cookie.name === 'pufa_session')).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
    expect(await reviewer.evaluate<string>('document.cookie')).not.toContain('pufa_');
  });

  it('keeps each role out of the others’ pages', async () => {
    const station = await signedIn(tokens.station ?? '', { width: 360, height: 740 });
    for (const path of ['/app/dashboard', '/app/review', '/app/plan']) {
      const response = await station.goto(`${server.url}${path}`);
      expect(response?.status(), path).toBe(403);
      expect(await station.textContent('main')).toContain('无权打开此页面');
    }
    const county = await signedIn(tokens.county ?? '');
    expect((await county.goto(`${server.url}/app/station`))?.status()).toBe(403);
  });
});

describe('plan → review → dispatch → station → dashboard', () => {
  it('walks a notice from the calendar to the county dashboard', async () => {
    // Staff: the year's plan is on the calendar.
    const staff = await signedIn(tokens.staff ?? '');
    expect(new URL(staff.url()).pathname).toBe('/app/plan');
    expect(await staff.textContent('main')).toContain('主题：宪法宣传');
    expect(await staff.locator('.keydate').allTextContents()).toContain('12.04 国家宪法日');
    await screenshot(staff, '02-plan');

    // Staff write a broadcast (its title carries markup, which must stay text) and submit it.
    const campaign = await api('POST', '/campaigns', tokens.staff ?? '', {
      id: 'e2e', title: '网页测试', theme: 'constitution', window: { start: soon(0).slice(0, 10), end: '2026-12-31' },
    });
    expect(campaign.status).toBe(201);
    const notice = await api('POST', '/campaigns/e2e/notices', tokens.staff ?? '', {
      id: 'bc',
      title: '<script>window.pwned=1</script>宪法广播',
      channel: 'broadcast',
      audience: { villages: ['chengxiang-xiangyang'] },
      schedule: { kind: 'fixed', at: soon(1) },
      broadcast: { script: '宪法宣传，人人有责。<b>不是粗体</b>', airWindows: [{ from: '00:00', to: '23:59' }] },
    });
    expect(notice.status).toBe(201);
    expect((await api('POST', '/campaigns/e2e/notices/bc/submit', tokens.staff ?? '')).status).toBe(200);

    // Reviewer approves on the review page; the markup shows as text.
    const reviewer = await signedIn(tokens.reviewer ?? '');
    expect(await reviewer.textContent('main')).toContain('<script>window.pwned=1</script>宪法广播');
    expect(await reviewer.evaluate<unknown>('window.pwned')).toBeUndefined();
    await screenshot(reviewer, '03-review');
    await reviewer.getByRole('button', { name: '通过' }).click();
    await expect.poll(() => reviewer.getByRole('status').textContent()).toContain('已通过审核');

    // Staff schedule it; the ticker sends it within a minute or so.
    expect((await api('POST', '/campaigns/e2e/notices/bc/schedule', tokens.staff ?? '')).status).toBe(200);
    await expect
      .poll(async () => (await api('GET', '/campaigns/e2e/notices/bc/deliveries?state=sent', tokens.staff ?? '')).body.counts?.sent, { timeout: 120_000, interval: 2_000 })
      .toBe(1);

    // The station, on a 360-pixel phone, confirms the airing with one big button.
    const station = await signedIn(tokens.station ?? '', { width: 360, height: 740 });
    expect(await station.textContent('main')).toContain('宪法宣传，人人有责。<b>不是粗体</b>');
    expect(await station.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(360);
    await screenshot(station, '04-station');
    await station.getByRole('button', { name: '已播出，确认' }).click();
    await expect.poll(() => station.getByRole('status').textContent()).toContain('已记录本次播出');
    expect(await station.textContent('main')).toContain('确认播出');

    // The county office sees the airing on the dashboard.
    const county = await signedIn(tokens.county ?? '');
    expect(new URL(county.url()).pathname).toBe('/app/dashboard');
    expect(await county.locator('.totals').textContent()).toMatch(/广播播出1次/);
    expect(await county.locator('#paragraph').textContent()).toContain('村村通普法广播播出1次');
    expect(await county.locator('svg').count()).toBeGreaterThan(0);
    await screenshot(county, '05-dashboard');
  }, 240_000);
});
