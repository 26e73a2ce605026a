/**
 * The delivery API: subscribers (masked numbers, opt-out), notice delivery status, the outbox,
 * pause and resume over HTTP — and audience expansion as resumable work.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../functions/app.js';
import { advanceExpansion } from '../../functions/workflows/expand.js';
import { aGrant, aToken } from '../support/builders.js';
import { freshTable, type TestDatabase } from '../support/db.js';
import { aBench, anSmsNotice, testPhone, type Bench } from '../support/dispatch.js';
import { sendTo, type Send } from '../support/http.js';

let db: TestDatabase;
let bench: Bench;
let app: ReturnType<typeof createApp>;
let send: Send;
const county = 'testcounty';
type Headers = Record<string, string>;
let admin: Headers;
let staff: Headers;
let reviewer: Headers;
let station: Headers;

beforeAll(async () => {
  db = await freshTable({ county });
  bench = await aBench(db);
  app = createApp({ ...db.deps, clock: bench.clock.read, outbox: bench.sink.outbox });
  send = sendTo(app);
  admin = (await aToken(db.store, county, aGrant({ role: 'admin' }))).headers;
  staff = (await aToken(db.store, county, aGrant({ role: 'staff', name: '宣传员甲' }))).headers;
  reviewer = (await aToken(db.store, county, aGrant({ role: 'reviewer', name: '审核员乙' }))).headers;
  station = (await aToken(db.store, county, aGrant({ role: 'station', stationId: 'st-xiangyang' }))).headers;
});
afterAll(async () => {
  await bench.stop();
  await db.drop();
});

describe('subscribers', () => {
  it('are stored with numbers normalised, and shown masked (admins see more digits)', async () => {
    const added = await send('POST', '/subscribers', admin, { phone: '199 0000 1234', township: 'chengxiang', village: 'chengxiang-xiangyang', groups: ['企业'] });
    expect(added.status).toBe(200);
    expect(added.body).toMatchObject({ result: 'created', subscriber: { phone: '+86 199****1234', groups: ['企业'], optedOut: false } });
    expect((await db.store.subscribers.findByPhoneKey(county, db.deps.phoneKeys.keyOf('+8619900001234')))?.phone).toBe('+8619900001234');
    expect((await send('POST', '/subscribers', admin, { phone: '+86 19900001234', township: 'chengxiang', village: 'chengxiang-xiangyang', groups: ['企业'] })).body.result).toBe('unchanged');

    const asStaff = await send('GET', '/subscribers?township=chengxiang', staff);
    expect(asStaff.body.items[0].phone).toBe('+86 *******1234');
    expect(asStaff.text).not.toContain('19900001234');
    const asAdmin = await send('GET', '/subscribers?township=chengxiang', admin);
    expect(asAdmin.body.items[0].phone).toBe('+86 199****1234');
    expect((await send('GET', '/subscribers?township=chengxiang', reviewer)).status).toBe(403);
  });

  it.each([
    [{ phone: '010-12345678', township: 'chengxiang', village: 'chengxiang-xiangyang' }, 'body.phone'],
    [{ phone: '19900001235', township: 'atlantis', village: 'chengxiang-xiangyang' }, 'body.township'],
    [{ phone: '19900001235', township: 'shiyang', village: 'chengxiang-xiangyang' }, 'body.village'],
    [{ phone: '19900001235', township: 'chengxiang', village: 'chengxiang-xiangyang', groups: ['渔民'] }, 'body.groups'],
    [{ township: 'chengxiang', village: 'chengxiang-xiangyang' }, 'body.phone'],
  ])('refuse %j naming %s, writing nothing', async (body, field) => {
    const response = await send('POST', '/subscribers', admin, body);
    expect(response.status).toBe(400);
    expect(response.body.errors.map((error: { field: string }) => error.field)).toContain(field);
    expect(await db.store.subscribers.findByPhoneKey(county, db.deps.phoneKeys.keyOf('+8619900001235'))).toBeUndefined();
  });

  it('opt out in one call, known or not, and are removed by key', async () => {
    const optedOut = await send('POST', '/subscribers/opt-out', staff, { phone: '19900001234' });
    expect(optedOut.body).toEqual({ optedOut: true });
    expect((await db.store.subscribers.findByPhoneKey(county, db.deps.phoneKeys.keyOf('+8619900001234')))?.optedOut).toBe(true);
    const stranger = await send('POST', '/subscribers/opt-out', staff, { phone: '19900009999' });
    expect(stranger.body).toEqual({ optedOut: true });
    expect(await db.store.subscribers.optedOut([db.deps.phoneKeys.keyOf('+8619900009999')])).toEqual(new Set([db.deps.phoneKeys.keyOf('+8619900009999')]));
    expect((await send('POST', '/subscribers/opt-out', staff, { phone: 'call me' })).status).toBe(400);

    const removed = await send('DELETE', `/subscribers/${db.deps.phoneKeys.keyOf('+8619900001234')}`, admin);
    expect(removed.status).toBe(200);
    expect((await send('DELETE', `/subscribers/${db.deps.phoneKeys.keyOf('+8619900001234')}`, admin)).status).toBe(404);
    expect((await send('DELETE', '/subscribers/short', admin)).status).toBe(400);
  });
});

describe('a notice being delivered', () => {
  it('shows counts and failures, lets staff pause and resume it, and the outbox shows what went out', async () => {
    await bench.addSubscribers(5);
    const { campaignId } = await bench.scheduled(anSmsNotice());
    const path = `/campaigns/${campaignId}/notices/n`;

    expect((await send('POST', `${path}/pause`, reviewer)).status).toBe(403);
    expect((await send('POST', `${path}/pause`, staff)).body.notice.state).toBe('paused');
    expect((await send('POST', `${path}/pause`, staff)).status).toBe(409);
    bench.clock.set('2031-03-15T01:00:30Z');
    expect((await bench.dispatch()).sent).toBe(0);
    expect((await send('POST', `${path}/resume`, staff)).body.notice.state).toBe('scheduled');
    expect((await bench.dispatch()).sent).toBe(5);

    const status = await send('GET', `${path}/deliveries?state=sent&limit=2`, reviewer);
    expect(status.status).toBe(200);
    expect(status.body.counts).toMatchObject({ total: 5, sent: 5, pending: 0 });
    expect(status.body.items).toHaveLength(2);
    expect(status.body.nextCursor).toBeDefined();
    expect(status.body.items[0].recipient.phone).toMatch(/^\+86 \*{7}\d{4}$/);
    expect(status.text).not.toMatch(/199\d{8}/);
    const failures = await send('GET', `${path}/deliveries`, staff);
    expect(failures.body.items).toEqual([]);
    expect((await send('GET', `${path}/deliveries?state=lost`, staff)).status).toBe(400);

    const outbox = await send('GET', '/outbox?kind=sms', admin);
    expect(outbox.body.total).toBe(5);
    expect(outbox.body.items[0]).toMatchObject({ kind: 'sms', phoneNumber: expect.stringMatching(/^\+86 199\*{4}/), message: expect.stringContaining('12315') });
    expect((await send('GET', '/outbox', staff)).status).toBe(403);
    expect((await createApp(db.deps).request('/outbox', { headers: admin })).status).toBe(404);
  });

  it('refuses stations other people’s business', async () => {
    expect((await send('GET', '/stations/me/scripts', staff)).status).toBe(403);
    expect((await send('POST', '/stations/me/scripts/not-an-id/aired', station)).status).toBe(400);
    expect((await send('POST', '/stations/me/scripts/c~n~0~sst-elsewhere/aired', station)).status).toBe(404);
  });
});

describe('audience expansion', () => {
  it('is resumable: a crash between steps loses nothing and creates nothing twice', async () => {
    // 900 subscribers in one township: three steps of a page each.
    bench.clock.set('2031-03-01T00:00:00Z');
    const now = bench.clock.read().toISOString();
    for (let index = 0; index < 900; index += 1) {
      const phone = testPhone(500_000 + index);
      await db.store.subscribers.upsert(
        { county, phone, phoneKey: db.deps.phoneKeys.keyOf(phone), township: 'xiaohe', village: 'xiaohe-chayuan', groups: [], consent: true, optedOut: false, createdAt: now, updatedAt: now },
        undefined,
      );
    }
    const { campaignId } = await bench.scheduled(anSmsNotice({ audience: { townships: ['xiaohe'] } }));
    const job = { county, campaignId, noticeId: 'n' };
    let counts = await db.store.deliveries.counts(county, campaignId, 'n');
    expect(counts.total).toBe(900); // small enough for the schedule request's own slice

    // Simulate a step that wrote its deliveries and crashed before moving the cursor: run again.
    const again = await advanceExpansion(db.store, job, { now: bench.clock.read, deadline: Date.now() + 10_000, timeZone: 'Asia/Shanghai' });
    expect(again.done).toBe(true);
    counts = await db.store.deliveries.counts(county, campaignId, 'n');
    expect(counts.total).toBe(900);
    const created = await db.store.deliveries.createMany(
      (await db.store.deliveries.page(county, campaignId, 'n', { limit: 100 })).items,
    );
    expect(created).toMatchObject({ created: 0, existed: 100 });
    expect((await db.store.deliveries.counts(county, campaignId, 'n')).total).toBe(900);
  }, 120_000);
});

describe('CSV import over the API', () => {
  const csv = (path: string, text: string, headers: Headers) =>
    app.request(path, { method: 'POST', headers: { ...headers, 'Content-Type': 'text/csv' }, body: text });

  it('imports subscribers, reports rejected lines, and changes nothing the second time', async () => {
    const text = '\ufeff手机号,乡镇,村,群体,同意\n19900003001,城厢镇,东风村,企业,是\n19900003002,小河镇,茶园村,,是\nabc,城厢镇,东风村,,是\n';
    const dry = await csv('/subscribers/import?dryRun=true', text, admin);
    expect(await dry.json()).toMatchObject({ dryRun: true, rows: 3, created: 2 });
    expect(await db.store.subscribers.findByPhoneKey(county, db.deps.phoneKeys.keyOf('+8619900003001'))).toBeUndefined();
    const first = (await (await csv('/subscribers/import', text, admin)).json()) as Record<string, unknown>;
    expect(first).toMatchObject({ rows: 3, created: 2, updated: 0, unchanged: 0, rejected: [{ line: 4, reason: expect.stringContaining('abc') }] });
    const second = (await (await csv('/subscribers/import', text, admin)).json()) as Record<string, unknown>;
    expect(second).toMatchObject({ created: 0, updated: 0, unchanged: 2 });
    expect((await csv('/subscribers/import', text, staff)).status).toBe(403);
    const wrongType = await app.request('/subscribers/import', { method: 'POST', headers: { ...admin, 'Content-Type': 'application/json' }, body: '{}' });
    expect(wrongType.status).toBe(400);
  });

  it('imports stations, and shows their contact masked to non-admins', async () => {
    const response = await csv('/stations/import', '编号,名称,所属村,管理员,联系电话\nst-imported,新站,向阳村（示例）,王五,19900004000\n', admin);
    expect(await response.json()).toMatchObject({ created: 1, rejected: [] });
    const registry = await send('GET', '/registry', staff);
    expect(registry.body.stations.find((item: { id: string }) => item.id === 'st-imported')).toMatchObject({ village: 'chengxiang-xiangyang', contact: '+86 *******4000' });
    expect(registry.text).not.toContain('19900004000');
  });
});
