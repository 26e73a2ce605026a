/**
 * The web pages in a real browser (Debian's Chromium) against the local server on DynamoDB Local:
 * each role signs in and does its main task, from plan to the county dashboard showing the airing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { freePort } from '../../functions/local/dynamodb-local.js';
import { launchChromium, screenshot } from '../support/browser.js';
import { startLocalServer, type RunningLocalServer } from '../support/local-server.js';
import { SLOW_TEST_MS, UI_WAIT_MS } from '../support/timeouts.js';

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
  context.setDefaultTimeout(UI_WAIT_MS);
  contexts.push(context);
  const page = await context.newPage();
  await page.goto(`${server.url}/app/login`);
  await page.getByLabel('访问令牌').fill(token);
  await page.getByRole('button', { name: '登录' }).click();
  await page.waitForLoadState('networkidle');
  return page;
}

/** The page's recording as the browser loads it: its length in seconds, or -1 if it would not load. */
function playableSeconds(page: Page): Promise<number> {
  return page.locator('figure.recording audio').first().evaluate(
    // The DOM's types are not in this project's lib: the few members used, spelled out.
    (audio: { readyState: number; duration: number; load(): void; addEventListener(type: string, listener: () => void, options: { once: boolean }): void }) =>
      new Promise<number>((done) => {
        if (audio.readyState >= 1) return done(audio.duration);
        audio.addEventListener('loadedmetadata', () => done(audio.duration), { once: true });
        audio.addEventListener('error', () => done(-1), { once: true });
        audio.load();
      }),
  );
}

/**
 * The server runs as if it were 10:00 on 1 December 2026 in the county (and moves on from there),
 * so the walk never meets midnight, quiet hours or a year without a plan, whenever CI runs it.
 */
const SERVER_CLOCK = Date.parse('2026-12-01T10:00:00+08:00');
let clockOffset = 0;

/** A local date-time (Asia/Shanghai, UTC+8) a little ahead on the server's clock. */
function soon(minutes: number): string {
  const local = new Date(Date.now() + clockOffset + 8 * 3600_000 + minutes * 60_000);
  return local.toISOString().slice(0, 16);
}

beforeAll(async () => {
  clockOffset = SERVER_CLOCK - Date.now();
  server = await startLocalServer(['--port', String(await freePort()), '--in-memory', '--tick', '1', '--clock', new Date(SERVER_CLOCK).toISOString()]);
  browser = await launchChromium();
  tokens.staff = await issue('staff', '宣传员小王');
  tokens.reviewer = await issue('reviewer', '审核员老李');
  tokens.station = await issue('station', '向阳村广播站', { stationId: 'st-xiangyang' });
  tokens.county = await issue('county', '依法治县办');
}, SLOW_TEST_MS);

afterAll(async () => {
  for (const context of contexts) await context.close();
  await browser?.close();
  await server?.stop('SIGINT');
}, SLOW_TEST_MS);

describe('signing in', () => {
  it('refuses a wrong token in Chinese and sends each role to its page', async () => {
    const context = await browser.newContext();
    context.setDefaultTimeout(UI_WAIT_MS);
    contexts.push(context);
    const page = await context.newPage();
    await page.goto(`${server.url}/app/dashboard`);
    expect(new URL(page.url()).pathname).toBe('/app/login');
    await page.getByLabel('访问令牌').fill('pufa_wrong');
    await page.getByRole('button', { name: '登录' }).click();
    await expect.poll(() => page.getByRole('alert').textContent(), { timeout: UI_WAIT_MS }).toContain('令牌无效');
    await screenshot(page, '01-login-error');

    const reviewer = await signedIn(tokens.reviewer ?? '');
    expect(new URL(reviewer.url()).pathname).toBe('/app/review');
    const cookies = await reviewer.context().cookies();
    expect(cookies.find((cookie) => cookie.name === 'pufa_session')).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
    expect(await reviewer.evaluate<string>('document.cookie')).not.toContain('pufa_');
  }, SLOW_TEST_MS);

  it('keeps each role out of the others’ pages', async () => {
    const station = await signedIn(tokens.station ?? '', { width: 360, height: 740 });
    for (const path of ['/app/dashboard', '/app/review', '/app/plan']) {
      const response = await station.goto(`${server.url}${path}`);
      expect(response?.status(), path).toBe(403);
      expect(await station.textContent('main')).toContain('无权打开此页面');
    }
    const county = await signedIn(tokens.county ?? '');
    expect((await county.goto(`${server.url}/app/station`))?.status()).toBe(403);
  }, SLOW_TEST_MS);
});

describe('plan → review → dispatch → station → dashboard', () => {
  it('walks a notice from the calendar to the county dashboard', async () => {
    // Staff: the year's plan is on the calendar.
    const staff = await signedIn(tokens.staff ?? '');
    expect(new URL(staff.url()).pathname).toBe('/app/plan');
    expect(await staff.textContent('main')).toContain('主题：宪法宣传');
    expect(await staff.locator('.keydate').allTextContents()).toContain('12.04 国家宪法日');
    await screenshot(staff, '02-plan');

    // Staff open the campaign and compose a broadcast in the page: the live preview answers.
    const campaign = await api('POST', '/campaigns', tokens.staff ?? '', {
      id: 'e2e', title: '网页测试', theme: 'constitution', window: { start: soon(0).slice(0, 10), end: '2026-12-31' },
    });
    expect(campaign.status).toBe(201);
    await staff.goto(`${server.url}/app/campaigns/e2e`);
    await staff.getByLabel('村（可多选）').selectOption('chengxiang-xiangyang');
    await staff.getByLabel('短信正文（签名和退订提示会自动加上）').fill('明天是国家宪法日，欢迎参加宪法宣传活动。');
    await staff.getByLabel('指定时间').fill(soon(1));
    await expect.poll(() => staff.locator('#preview').textContent(), { timeout: UI_WAIT_MS }).toContain('短信 1 条计费');
    await screenshot(staff, '03-composer-sms');
    await staff.getByLabel('村村通广播').check();
    await staff.getByLabel('标题').fill('<script>window.pwned=1</script>宪法广播');
    await staff.getByLabel('广播稿').fill('宪法宣传，人人有责。<b>不是粗体</b>');
    await staff.getByLabel('播出时段开始').fill('00:00');
    await staff.getByLabel('播出时段结束').fill('23:59');
    await expect.poll(() => staff.locator('#preview').textContent(), { timeout: UI_WAIT_MS }).toContain('朗读约');
    await staff.getByRole('button', { name: '保存为草稿' }).click();
    await expect.poll(() => staff.getByRole('status').textContent(), { timeout: UI_WAIT_MS }).toContain('已保存为草稿');
    expect(await staff.textContent('main')).toContain('<script>window.pwned=1</script>宪法广播');
    expect(await staff.evaluate<unknown>('window.pwned')).toBeUndefined();
    await staff.getByRole('button', { name: '提交审核' }).click();
    await expect.poll(() => staff.getByRole('status').textContent(), { timeout: UI_WAIT_MS }).toContain('已提交审核');
    await screenshot(staff, '04-campaign');

    // Reviewer approves on the review page; the markup shows as text.
    const reviewer = await signedIn(tokens.reviewer ?? '');
    expect(await reviewer.textContent('main')).toContain('<script>window.pwned=1</script>宪法广播');
    expect(await reviewer.evaluate<unknown>('window.pwned')).toBeUndefined();
    // The reviewer hears the recording made at submit: the player loads a real MP3 (the browser decodes its length).
    expect(await playableSeconds(reviewer)).toBeGreaterThan(0.5);
    expect(await reviewer.locator('figure.recording figcaption').textContent()).toMatch(/^请先试听录音，通过即批准这段录音：\d/);
    await screenshot(reviewer, '05-review');
    await reviewer.getByRole('button', { name: '通过' }).click();
    await expect.poll(() => reviewer.getByRole('status').textContent(), { timeout: UI_WAIT_MS }).toContain('已通过审核');

    // Staff schedule it from the campaign page; the ticker sends it within a minute or so.
    await staff.reload();
    await staff.getByRole('button', { name: '排期发送' }).click();
    await expect.poll(() => staff.getByRole('status').textContent(), { timeout: UI_WAIT_MS }).toContain('已排期');
    const noticeId = (await api('GET', '/campaigns/e2e', tokens.staff ?? '')).body.notices[0].id as string;
    await expect
      .poll(async () => (await api('GET', `/campaigns/e2e/notices/${noticeId}/deliveries?state=sent`, tokens.staff ?? '')).body.counts?.sent, { timeout: UI_WAIT_MS, interval: 2_000 })
      .toBe(1);

    // The station, on a 360-pixel phone, confirms the airing with one big button.
    const station = await signedIn(tokens.station ?? '', { width: 360, height: 740 });
    expect(await station.textContent('main')).toContain('宪法宣传，人人有责。<b>不是粗体</b>');
    expect(await station.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(360);
    expect(await playableSeconds(station)).toBeGreaterThan(0.5);
    await screenshot(station, '06-station');
    await station.getByRole('button', { name: '已播出，确认' }).click();
    await expect.poll(() => station.getByRole('status').textContent(), { timeout: UI_WAIT_MS }).toContain('已记录本次播出');
    expect(await station.textContent('main')).toContain('确认播出');

    // The county office sees the airing on the dashboard.
    const county = await signedIn(tokens.county ?? '');
    expect(new URL(county.url()).pathname).toBe('/app/dashboard');
    expect(await county.locator('.totals').textContent()).toMatch(/广播播出1次/);
    expect(await county.locator('#paragraph').textContent()).toContain('村村通普法广播播出1次');
    expect(await county.locator('svg').count()).toBeGreaterThan(0);
    await screenshot(county, '07-dashboard');
  }, SLOW_TEST_MS);
});

describe('activity entry and the outbox', () => {
  it('lets staff record an activity (mistakes shown in Chinese) that the dashboard then counts', async () => {
    const staff = await signedIn(tokens.staff ?? '');
    await staff.goto(`${server.url}/app/activities/new`);
    const field = (label: string) => staff.getByLabel(label, { exact: true });
    await field('乡镇').selectOption('chengxiang');
    await field('主题').selectOption('constitution');
    // A year typed wrong: refused, said in Chinese with what to do, the themes still offered.
    await field('日期').fill('2031-01-01');
    await staff.getByRole('button', { name: '保存', exact: true }).click();
    await expect.poll(() => staff.getByRole('alert').textContent(), { timeout: UI_WAIT_MS }).toContain('日期：请填写活动实际举行的日期');
    expect(await field('主题').locator('option').allTextContents()).toContain('宪法宣传');
    await screenshot(staff, '08-activity-error');
    await field('日期').fill(soon(0).slice(0, 10));
    await field('主题').selectOption('constitution');
    await field('参与人数').fill('150');
    await field('资料种类 1').fill('宣传单');
    await staff.locator('#materialCount0').fill('69000');
    await staff.getByRole('button', { name: '保存', exact: true }).click();
    await expect.poll(() => staff.getByRole('status').textContent(), { timeout: UI_WAIT_MS }).toContain('已保存');
    const county = await signedIn(tokens.county ?? '');
    expect(await county.locator('#paragraph').textContent()).toContain('发放宣传资料6.9万份');
  }, SLOW_TEST_MS);

  it('shows admins what went out, and only admins', async () => {
    const admin = await signedIn(server.adminToken);
    await admin.goto(`${server.url}/app/outbox`);
    expect(await admin.textContent('main')).toContain('宪法宣传，人人有责。');
    await screenshot(admin, '09-outbox');
    const staff = await signedIn(tokens.staff ?? '');
    expect((await staff.goto(`${server.url}/app/outbox`))?.status()).toBe(403);
  }, SLOW_TEST_MS);
});
