/**
 * The web pages in a real browser (Debian's Chromium) against the local server on DynamoDB Local:
 * each role signs in and does its main task, from plan to the county dashboard showing the airing.
 */
import { readFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';
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

/** CRC-32 as PNG chunks use it (ISO 3309), for the test's own image. */
function crc32(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let bit = 0; bit < 8; bit += 1) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

/** A real PNG, a few hundred bytes: a width × height picture in one colour, made here rather than kept as a file. */
function aPng(width: number, height: number, rgb: readonly [number, number, number]): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const typed = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(typed));
    return Buffer.concat([length, typed, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8 bits per channel, RGB, deflate, no filter method, no interlace
  const row = Buffer.concat([Buffer.from([0]), Buffer.from(Array.from({ length: width }, () => rgb).flat())]);
  const pixels = Buffer.concat(Array.from({ length: height }, () => row));
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', header), chunk('IDAT', deflateSync(pixels)), chunk('IEND', Buffer.alloc(0))]);
}

/** Whether the page's image loaded: its natural width, 0 while it has not (or could not). */
function loadedWidth(page: Page, selector: string): Promise<number> {
  return page.locator(selector).first().evaluate((image: { complete: boolean; naturalWidth: number }) => (image.complete ? image.naturalWidth : 0));
}

// Last in the file: it gives the year's plan a WeChat account, which the walks above do not expect.
// The uploads go to the images route (POST /images, raw bytes, answered with the image's SHA-256),
// which must take the page's session from a page of this origin, as GET /images/{sha256} does.
describe('a WeChat article from the composer to the review page', () => {
  it('uploads the cover, saves and submits the article, and the reviewer sees it as followers will, sanitised', async () => {
    // The year's plan names the county's official account (a subscription account: one mass send a day).
    const planText = readFileSync('campaigns/2026.yaml', 'utf8');
    const withAccount = planText.replace('  maxSendsPerNotice: 40\n', '  maxSendsPerNotice: 40\n  wechat: { accountType: subscription }\n');
    expect(withAccount).not.toBe(planText);
    const loaded = await fetch(`${server.url}/plans`, { method: 'POST', headers: { Authorization: `Bearer ${server.adminToken}`, 'Content-Type': 'application/yaml' }, body: withAccount });
    expect(loaded.status, await loaded.clone().text()).toBe(200);
    const campaign = await api('POST', '/campaigns', tokens.staff ?? '', {
      id: 'e2e-wechat', title: '微信测试', theme: 'constitution', window: { start: soon(0).slice(0, 10), end: '2026-12-31' },
    });
    expect(campaign.status).toBe(201);

    const staff = await signedIn(tokens.staff ?? '');
    await staff.goto(`${server.url}/app/campaigns/e2e-wechat`);
    await staff.getByLabel('微信公众号').check();
    // The township pickers are not for a WeChat article: it goes to the account's followers.
    await expect.poll(() => staff.locator('#audience-fields').isHidden(), { timeout: UI_WAIT_MS }).toBe(true);
    await staff.getByLabel('标题', { exact: true }).fill('宪法知识问答');
    await staff.getByLabel('作者（可不填）').fill('县司法局');
    await staff.getByLabel('摘要（可不填，不填时微信取正文前 54 字）').fill('国家宪法日，一起学宪法');
    await staff.getByLabel('文章正文（HTML）').fill('<p>宪法是<strong>根本法</strong>。</p><script>window.pwned=1</script><p>欢迎参加活动。</p>');
    await staff.getByLabel('指定时间').fill(soon(120));
    // The cover: a real PNG, uploaded as its bytes; its SHA-256 fills the hidden cover field and the picture shows.
    await staff.getByLabel('封面（JPEG 或 PNG，小于 1 MB）').setInputFiles({ name: 'cover.png', mimeType: 'image/png', buffer: aPng(24, 16, [139, 26, 26]) });
    await expect.poll(() => staff.locator('#upload-status').textContent(), { timeout: UI_WAIT_MS }).toContain('已上传 cover.png');
    expect(await staff.locator('input[name=cover]').inputValue()).toMatch(/^[0-9a-f]{64}$/);
    await expect.poll(() => loadedWidth(staff, '#cover-preview'), { timeout: UI_WAIT_MS }).toBe(24);
    // A body image goes in where the cursor is, as an uploaded image's pufa-image: source.
    const body = staff.getByLabel('文章正文（HTML）');
    await body.evaluate((area: { value: string; setSelectionRange(start: number, end: number): void }) => area.setSelectionRange(area.value.indexOf('<p>欢迎'), area.value.indexOf('<p>欢迎')));
    await staff.getByLabel('在光标处插入图片（JPEG 或 PNG，小于 1 MB）').setInputFiles({ name: 'body.png', mimeType: 'image/png', buffer: aPng(8, 8, [26, 127, 55]) });
    await expect.poll(() => body.inputValue(), { timeout: UI_WAIT_MS }).toMatch(/<\/script><img src="pufa-image:[0-9a-f]{64}"><p>欢迎/);
    // The preview says what sanitising takes out, as it says the SMS's cost.
    await expect.poll(() => staff.locator('#preview').textContent(), { timeout: UI_WAIT_MS }).toContain('正文中的 <script> 标签及其内容 已去掉');
    expect(await staff.locator('#preview').textContent()).toContain('微信文章：正文');
    await screenshot(staff, '10-composer-wechat');
    await staff.getByRole('button', { name: '保存为草稿' }).click();
    await expect.poll(() => staff.getByRole('status').textContent(), { timeout: UI_WAIT_MS }).toContain('已保存为草稿');
    expect(await staff.textContent('main')).toContain('《宪法知识问答》');
    await staff.getByRole('button', { name: '提交审核' }).click();
    await expect.poll(() => staff.getByRole('status').textContent(), { timeout: UI_WAIT_MS }).toContain('已提交审核');

    // The reviewer sees the article: cover, title, author, digest, the body sanitised, its image from this origin.
    const reviewer = await signedIn(tokens.reviewer ?? '');
    const article = reviewer.locator('figure.article', { hasText: '宪法知识问答' });
    expect(await article.locator('.article-title').textContent()).toBe('宪法知识问答');
    expect(await article.textContent()).toContain('作者：县司法局');
    expect(await article.textContent()).toContain('摘要：国家宪法日，一起学宪法');
    await expect.poll(() => loadedWidth(reviewer, 'figure.article .article-cover'), { timeout: UI_WAIT_MS }).toBe(24);
    await expect.poll(() => loadedWidth(reviewer, 'figure.article .article-body img'), { timeout: UI_WAIT_MS }).toBe(8);
    expect(await article.locator('.article-body strong').textContent()).toBe('根本法');
    const shownBody = await article.locator('.article-body').innerHTML();
    expect(shownBody).not.toContain('script');
    expect(shownBody).not.toContain('pufa-image:');
    expect(await reviewer.evaluate<unknown>('window.pwned')).toBeUndefined();
    expect(await reviewer.getByRole('button', { name: '通过' }).count()).toBeGreaterThan(0);
    await screenshot(reviewer, '11-review-wechat');
  }, SLOW_TEST_MS);
});
