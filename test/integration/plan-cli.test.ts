/**
 * `npm run plan` as a user runs it: checking prints the calendar, mistakes come back as
 * file:line messages with a non-zero exit, and --apply loads into the local data folder.
 * The shipped plan is checked through the real `npm run plan`; the other calls run the same entry
 * file's bundle (test/support/cli.ts), which starts in a fraction of tsx's time.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runNpmScript, runScript, type CliResult } from '../support/cli.js';
import { SLOW_TEST_MS } from '../support/timeouts.js';

const work = mkdtempSync(join(tmpdir(), 'pufa-plan-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const plan = (args: string[]) => runScript('plan', args);

/** `npm run plan -- campaigns/2021.yaml`, run once for the tests that read its output. */
let shipped: Promise<CliResult> | undefined;
const shippedPlan = () => (shipped ??= runNpmScript('plan', ['campaigns/2021.yaml']));

/** A copy of the shipped plan with one line changed, next to a copy of the sample registry. */
function editedPlan(name: string, from: string, to: string): string {
  const dir = mkdtempSync(join(work, 'edit-'));
  copyFileSync('campaigns/registry.sample.yaml', join(dir, 'registry.sample.yaml'));
  const text = readFileSync('campaigns/2021.yaml', 'utf8');
  expect(text).toContain(from);
  writeFileSync(join(dir, name), text.replace(from, to));
  return join(dir, name);
}

describe('npm run plan -- FILE', () => {
  it('checks the shipped 2021 plan and prints every send with its time, segments and cost', async () => {
    const result = await shippedPlan();
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(' 3 月主题: 消费者权益保护');
    expect(result.stdout).toMatch(/短信 sms-eve → 全县 {2}\d 段 \(\d+ 字符\) {2}¥0\.\d{3}\/人/);
    expect(result.stdout).toContain('2021-03-14 10:00');
    expect(result.stdout).toMatch(/广播 broadcast-day → 全县 {2}朗读 \S+ × 3 遍/);
    expect(result.stdout).toMatch(/OK: 16 campaigns, \d+ notices, \d+ sends\./);
    // A campaign's public events, with time and place.
    expect(result.stdout).toContain('◆ 2021-03-15 09:00–12:00  集中宣传  @ 城厢镇文化广场');
    // The responsibility list, each duty by its department's name, with its targets and months.
    expect(result.stdout).toContain('普法责任清单 (5 项)');
    expect(result.stdout).toMatch(/县市场监督管理局 {2}围绕 3·15 \S+ {2}目标: 活动 6 次、受众 3000 人次 {2}集中宣传活动 咨询服务 \[消费者权益保护\] {2}\(3 月, 截止 2021-03-31\)/);
  }, SLOW_TEST_MS);

  it('lists sends kept on a holiday as warnings, and shows each moved or skipped send with the holiday', async () => {
    const kept = await shippedPlan();
    expect(kept.stdout).toContain('⚠ 2021-04-05 是 清明节：这次发送照常进行（onHoliday: keep）');

    const moved = await plan([editedPlan('2021.yaml', '  maxSendsPerNotice: 40\n', '  maxSendsPerNotice: 40\n  onHoliday: next-workday\n')]);
    expect(moved.code).toBe(0);
    expect(moved.stdout).toContain('2021-04-06 07:30  (原定 2021-04-05 07:30，移至 2021-04-06，因 清明节)');
    expect(moved.stdout).not.toContain('是 清明节：这次发送照常进行');

    const skipped = await plan([editedPlan('2021.yaml', '  maxSendsPerNotice: 40\n', '  maxSendsPerNotice: 40\n  onHoliday: skip\n')]);
    expect(skipped.stdout).toContain('2021-04-05 07:30  ✗ 跳过 2021-04-05，因 清明节');
  }, SLOW_TEST_MS);

  it('reports an unknown holiday policy as file:line and exits 1', async () => {
    const result = await plan([editedPlan('2021.yaml', '  maxSendsPerNotice: 40\n', '  maxSendsPerNotice: 40\n  onHoliday: sometimes\n')]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/2021\.yaml:\d+:\d+ {2}settings\.onHoliday: /);
  }, SLOW_TEST_MS);

  it.each([
    ['an unknown theme', 'theme: consumer-rights\n    keyDate', 'theme: consumer-wrongs\n    keyDate', /:\d+:\d+ {2}campaigns\.12\.theme: unknown theme "consumer-wrongs"/],
    ['a date that does not exist', 'start: 2021-02-01, end: 2021-02-28', 'start: 2021-02-01, end: 2021-02-30', /campaigns\.1\.window\.end: not a real date/],
    ['an unknown month', '  12: constitution', '  13: constitution', /months\.13: unknown month "13"/],
    ['an unknown township', 'audience: { groups: [企业] }', 'audience: { townships: [atlantis] }', /audience\.townships\.0: unknown township "atlantis"/],
    ['an event outside its window', 'date: 2021-12-02, from', 'date: 2021-12-22, from', /campaigns\.\d+\.events\.1\.date: 2021-12-22 is outside the campaign window/],
    ['an event in an unknown township', 'place: 始阳镇中心小学, township: shiyang', 'place: 始阳镇中心小学, township: atlantis', /events\.1\.township: unknown township "atlantis"/],
    ['a lexicon word whose pinyin does not fit it', 'word: 始阳, pinyin: shi3 yang2', 'word: 始阳, pinyin: shi3', /lexicon\.1\.pinyin: must have one syllable for each character of word/],
    ['an offset outside the window', 'days: -1, at: \'10:00\'', 'days: -30, at: \'10:00\'', /schedule\.days: lands on/],
  ])('reports %s as file:line and exits 1', async (_case, from, to, message) => {
    const file = editedPlan('2021.yaml', from, to);
    const result = await plan([file]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).toMatch(/^\S*2021\.yaml:\d+:\d+ {2}/m);
    expect(result.stderr).not.toMatch(/\bat .*\.(ts|m?js):\d+/);
  }, SLOW_TEST_MS);

  it('reports a YAML syntax error with its line', async () => {
    const file = editedPlan('2021.yaml', 'year: 2021', 'year: [2021');
    const result = await plan([file]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/2021\.yaml:\d+:\d+ {2}/);
  }, SLOW_TEST_MS);

  it('exits 1 with one line pointing at --help on a wrong call', async () => {
    for (const args of [[], ['--dry-run', 'campaigns/2021.yaml']]) {
      const result = await plan(args);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/^error: .*npm run plan -- --help shows how to call it\)\n$/);
    }
  });
});

describe('npm run plan -- FILE with a responsibility list', () => {
  it('refuses a duty of a department the registry does not have, at its line', async () => {
    const file = editedPlan('2021.yaml', '  - department: gongan\n', '  - department: police\n');
    const result = await plan([file]);
    expect(result.code).toBe(1);
    const line = readFileSync(file, 'utf8').split('\n').findIndex((text) => text.includes('department: police')) + 1;
    expect(result.stderr).toContain(`2021.yaml:${line}:`);
    expect(result.stderr).toContain('responsibilities.1.department: unknown department "police"');
  }, SLOW_TEST_MS);
});

describe('npm run plan -- FILE with WeChat articles', () => {
  const article = (id: string, at: string) =>
    [
      `      - id: ${id}`,
      '        channel: wechat',
      '        audience: { all: true }',
      `        schedule: { kind: fixed, at: '${at}' }`,
      '        wechat:',
      `          title: 民法典一日一问 ${id}`,
      "          body: '<p>问：民法典什么时候施行？答：2021年1月1日。</p>'",
      `          cover: ${'c'.repeat(64)}`,
      '',
    ].join('\n');
  /** The shipped plan as a 订阅号's county, with articles added to January's campaign. */
  function withArticles(...articles: string[]): string {
    const dir = mkdtempSync(join(work, 'wechat-'));
    copyFileSync('campaigns/registry.sample.yaml', join(dir, 'registry.sample.yaml'));
    const text = readFileSync('campaigns/2021.yaml', 'utf8')
      .replace('  maxSendsPerNotice: 40\n', '  maxSendsPerNotice: 40\n  wechat: { accountType: subscription }\n')
      .replace('    notices:\n', `    notices:\n${articles.join('')}`);
    writeFileSync(join(dir, '2021.yaml'), text);
    return join(dir, '2021.yaml');
  }

  it('refuses two mass sends on one day for a 订阅号, at the lines of both, and loads nothing', async () => {
    const file = withArticles(article('ask-1', '2021-01-05T08:00'), article('ask-2', '2021-01-05T20:00'));
    const result = await plan(['--apply', file]);
    expect(result.code).toBe(1);
    const lines = readFileSync(file, 'utf8').split('\n');
    const lineOf = (id: string) => lines.findIndex((line) => line.includes(`id: ${id}`)) + 4; // the schedule line
    for (const id of ['ask-1', 'ask-2']) {
      expect(result.stderr).toContain(`2021.yaml:${lineOf(id)}:`);
    }
    expect(result.stderr).toContain('2021-01-05 安排了 2 次群发（2021-01-civil-code/ask-1、2021-01-civil-code/ask-2）：订阅号每天只能群发 1 次');
    expect(result.stderr).toContain('nothing was loaded');
  }, SLOW_TEST_MS);

  it('prints an article a day with its followers and the day’s quota used', async () => {
    const result = await plan([withArticles(article('ask-1', '2021-01-05T08:00'), article('ask-2', '2021-01-06T08:00'))]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/微信公众号 ask-1 → 全部粉丝 {2}《民法典一日一问 ask-1》 \d+ 字/);
    expect(result.stdout).toContain('⚠ 2021-01-06 已有 1 次群发（2021-01-civil-code/ask-2）：订阅号每天只能群发 1 次，当天不能再发');
  }, SLOW_TEST_MS);
});

describe('npm run plan -- --apply', () => {
  it('loads into the local data folder once, then finds nothing to change', async () => {
    const dataDir = join(work, 'data');
    const dry = await plan(['--apply', '--dry-run', '--quiet', '--data-dir', dataDir, 'campaigns/2021.yaml']);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/Would load the 2021 plan \(新建\)/);
    const first = await plan(['--apply', '--quiet', '--data-dir', dataDir, 'campaigns/2021.yaml']);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/campaigns: 16 create/);
    expect(first.stdout).toMatch(/registry: {2}\d+ new/);
    const second = await plan(['--apply', '--quiet', '--data-dir', dataDir, 'campaigns/2021.yaml']);
    expect(second.stdout).toMatch(/campaigns: 16 unchanged/);
    expect(second.stdout).toMatch(/0 writes\./);
  }, SLOW_TEST_MS);
});
