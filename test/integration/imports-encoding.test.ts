/**
 * CSV files as county staff really save them — GBK from Excel on Chinese Windows, UTF-16 from other
 * tools, UTF-8 with or without a BOM — imported through the API as raw bytes and through
 * `npm run import`: names arrive as written, a replacement character (U+FFFD) is never stored, a
 * file that fits no encoding is refused naming the encodings, and a file without a consent column
 * is refused. A refusal writes nothing. The CLIs run their entry files' bundles (test/support/cli.ts).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../functions/app.js';
import type { Registry } from '../../functions/domain/registry.js';
import { aGrant, aToken } from '../support/builders.js';
import { runScript } from '../support/cli.js';
import { freshTable, type TestDatabase } from '../support/db.js';
import { gbk, utf16le, utf8 } from '../support/encodings.js';
import { tableItems } from '../support/table-snapshot.js';
import { SLOW_TEST_MS } from '../support/timeouts.js';

const county = 'testcounty';
const registry: Registry = {
  townships: [{ id: 'chengxiang', name: '城厢镇' }],
  villages: [{ id: 'xiangyang', township: 'chengxiang', name: '向阳村' }],
  stations: [],
  groups: [],
  departments: [],
  placements: [],
};
let db: TestDatabase;
let app: ReturnType<typeof createApp>;
let admin: Record<string, string>;

beforeAll(async () => {
  db = await freshTable({ county });
  app = createApp(db.deps);
  await db.store.registry.upsert(county, registry);
  admin = (await aToken(db.store, county, aGrant({ role: 'admin' }))).headers;
});
afterAll(async () => db.drop());

const importBytes = (bytes: Uint8Array) =>
  app.request('/subscribers/import', { method: 'POST', headers: { ...admin, 'Content-Type': 'text/csv' }, body: bytes });

async function names(): Promise<Map<string, string | undefined>> {
  const page = await db.store.subscribers.page(county, 'chengxiang', { limit: 100 });
  return new Map(page.items.map((item) => [item.phone, item.name]));
}

async function nothingDamagedStored() {
  const items = await tableItems(db.client, db.tableName);
  expect(items.join('\n')).not.toContain('\ufffd');
}

describe('POST /subscribers/import with the file as saved', () => {
  it.each([
    ['GBK with Chinese headers', gbk('手机号,乡镇,村,同意,姓名\r\n19900000101,城厢镇,向阳村,是,张三\r\n'), '+8619900000101', '张三', 'gb18030'],
    ['GBK with English headers', gbk('phone,township,village,consent,name\r\n19900000102,chengxiang,xiangyang,是,李四\r\n'), '+8619900000102', '李四', 'gb18030'],
    ['UTF-16LE with a BOM', utf16le('手机号,乡镇,村,同意,姓名\r\n19900000103,城厢镇,向阳村,是,王五\r\n'), '+8619900000103', '王五', 'utf-16le'],
    ['UTF-8 with a BOM', utf8('手机号,乡镇,村,同意,姓名\n19900000104,城厢镇,向阳村,否,张三\n', true), '+8619900000104', '张三', 'utf-8'],
    ['UTF-8 without a BOM', utf8('手机号,乡镇,村,同意,姓名\n19900000105,城厢镇,向阳村,是,李四\n'), '+8619900000105', '李四', 'utf-8'],
  ])('imports %s with the names as written', async (_case, bytes, phone, name, encoding) => {
    const response = await importBytes(bytes);
    const report = (await response.json()) as Record<string, unknown>;
    expect(response.status, JSON.stringify(report)).toBe(200);
    expect(report).toMatchObject({ created: 1, rejected: [], encoding });
    expect((await names()).get(phone)).toBe(name);
    await nothingDamagedStored();
  });

  it('refuses a file that fits no encoding, naming the encodings, and writes nothing', async () => {
    const before = await tableItems(db.client, db.tableName);
    const response = await importBytes(Uint8Array.from([...utf8('phone,township,village,consent,name\n19900000106,chengxiang,xiangyang,是,'), 0xff, 0xfe, 0xff, 0x0a]));
    expect(response.status).toBe(400);
    const problem = (await response.json()) as { errors: { field: string; message: string }[] };
    expect(problem.errors).toEqual([{ field: 'body', message: expect.stringContaining('not text in UTF-8 or GB18030/GBK') }]);
    expect(await tableItems(db.client, db.tableName)).toEqual(before);
  });

  it('refuses a subscriber file without a consent column: silence is not consent', async () => {
    const before = await tableItems(db.client, db.tableName);
    const response = await importBytes(utf8('手机号,乡镇,村,姓名\n19900000107,城厢镇,向阳村,张三\n'));
    expect(response.status).toBe(400);
    expect(((await response.json()) as { errors: { message: string }[] }).errors[0]?.message).toContain('同意 (consent)');
    expect(await tableItems(db.client, db.tableName)).toEqual(before);
  });
});

describe('npm run import with the file as saved', () => {
  const work = mkdtempSync(join(tmpdir(), 'pufa-import-'));
  const dataDir = join(work, 'data');
  afterAll(() => rmSync(work, { recursive: true, force: true }));
  const env = { ...process.env, PUFA_COUNTY: 'tianquan' }; // the shipped plan's county
  const run = (args: string[]) => runScript('import', [...args, '--data-dir', dataDir], { env });

  it('imports a GBK file with the names as written, and refuses bad files with each reason on one line, exit 1', async () => {
    // The sample registry (城厢镇, 向阳村…) comes with the shipped plan.
    const plan = await runScript('plan', ['--apply', '--quiet', '--data-dir', dataDir, 'campaigns/2021.yaml'], { env });
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stdout).toMatch(/registry: +\d+ new/);

    const subscribers = join(work, 'subscribers.csv');
    writeFileSync(subscribers, gbk('手机号,乡镇,村,同意,姓名\r\n19900000201,城厢镇,向阳村,是,张三\r\n'));
    const imported = await run(['subscribers', subscribers]);
    expect(imported.stderr).not.toMatch(/error/);
    expect(imported.stdout).toMatch(/Imported subscribers from \S+ \(read as gb18030\): 1 rows — 1 new/);

    const noConsent = join(work, 'no-consent.csv');
    writeFileSync(noConsent, gbk('手机号,乡镇,村,姓名\r\n19900000202,城厢镇,向阳村,李四\r\n'));
    const refused = await run(['subscribers', noConsent]);
    expect(refused.code).toBe(1);
    expect(refused.stderr.trim().split('\n')).toEqual(['error: The file cannot be imported. body: the header row lacks: 同意 (consent)']);

    const garbage = join(work, 'garbage.csv');
    writeFileSync(garbage, Uint8Array.from([0x41, 0x2c, 0xff, 0xff, 0x0a]));
    const undecodable = await run(['subscribers', garbage]);
    expect(undecodable.code).toBe(1);
    expect(undecodable.stderr.trim().split('\n')).toEqual([expect.stringContaining('not text in UTF-8 or GB18030/GBK')]);
  }, SLOW_TEST_MS);
});
