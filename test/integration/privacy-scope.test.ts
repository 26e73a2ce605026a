/**
 * Phone numbers stay private and township-limited staff stay in their township, on every path
 * that reaches the data through the API: subscriber keys that cannot be turned back into numbers,
 * masks by role, audited reveals, an opt-out that says nothing about who is registered, and
 * subscriber and activity reads limited to the token's township.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../functions/app.js';
import { aGrant, aToken } from '../support/builders.js';
import { freshTable, type TestDatabase } from '../support/db.js';
import { sendTo, type Send } from '../support/http.js';
import { load2021 } from '../support/planning.js';

let db: TestDatabase;
let send: Send;
const county = 'testcounty';
type Headers = Record<string, string>;
let admin: Headers;
let staff: Headers;
let staffOfChengxiang: Headers;

const subscriberIn = (phone: string, township: string, village: string) => ({ phone, township, village, groups: [] });

beforeAll(async () => {
  db = await freshTable({ county });
  db.setNow(new Date('2021-12-20T04:00:00Z'));
  const app = createApp(db.deps);
  send = sendTo(app);
  const loaded = await load2021(db, county);
  expect(loaded.ok).toBe(true);
  admin = (await aToken(db.store, county, aGrant({ role: 'admin' }))).headers;
  staff = (await aToken(db.store, county, aGrant({ role: 'staff', name: '县级宣传员' }))).headers;
  staffOfChengxiang = (await aToken(db.store, county, aGrant({ role: 'staff', name: '城厢宣传员', township: 'chengxiang' }))).headers;
  for (const [phone, township, village] of [
    ['19900001111', 'chengxiang', 'chengxiang-xiangyang'],
    ['19900002222', 'chengxiang', 'chengxiang-dongfeng'],
    ['19900003333', 'shiyang', 'shiyang-qiaotou'],
  ] as const) {
    expect((await send('POST', '/subscribers', admin, subscriberIn(phone, township, village))).status).toBe(200);
  }
});
afterAll(async () => db.drop());

/** The unkeyed hash pufa's source once used: anyone who read the code could compute it. */
const publicHash = (e164: string) => createHash('sha256').update(`pufa-phone:${e164}`).digest('base64url').slice(0, 22);

describe('a subscriber key', () => {
  it('cannot be turned back into its number by trying every number its mask leaves open', async () => {
    const listed = await send('GET', '/subscribers?township=chengxiang&village=chengxiang-xiangyang', staff);
    const [item] = listed.body.items as { phone: string; phoneKey: string }[];
    expect(item?.phoneKey).toMatch(/^[A-Za-z0-9_-]{22}$/);
    // Grant the attacker pufa's source, the key, the mask staff see, and the number's first three digits.
    const mask = /^\+86 (\d{3})?\**(\d{4})$/.exec(String(item?.phone));
    expect(mask).not.toBeNull();
    const prefix = mask?.[1] ?? '199';
    const suffix = mask?.[2];
    const found: string[] = [];
    for (let middle = 0; middle < 10_000; middle += 1) {
      const candidate = `+86${prefix}${String(middle).padStart(4, '0')}${suffix}`;
      if (publicHash(candidate) === item?.phoneKey) found.push(candidate);
    }
    expect(found).toEqual([]);
  });

  it('still addresses its subscriber in a URL (DELETE /subscribers/{key})', async () => {
    const added = await send('POST', '/subscribers', admin, subscriberIn('19900004444', 'xiaohe', 'xiaohe-chayuan'));
    const key = String(added.body.subscriber.phoneKey);
    expect(key).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect((await send('DELETE', `/subscribers/${key}`, admin)).status).toBe(200);
    expect((await send('DELETE', `/subscribers/${key}`, admin)).status).toBe(404);
  });
});

describe('who sees which digits', () => {
  it('shows staff the last four digits only', async () => {
    const listed = await send('GET', '/subscribers?township=chengxiang', staff);
    expect(listed.status).toBe(200);
    expect(listed.body.items.map((item: { phone: string }) => item.phone).sort()).toEqual(['+86 *******1111', '+86 *******2222']);
    expect(listed.text).not.toMatch(/199\d{4}/);
  });

  it('shows admins a mask by default, never the full number', async () => {
    const listed = await send('GET', '/subscribers?township=chengxiang', admin);
    expect(listed.body.items.map((item: { phone: string }) => item.phone).sort()).toEqual(['+86 199****1111', '+86 199****2222']);
    expect(listed.text).not.toMatch(/199\d{8}/);
  });

  it('shows an admin full numbers on ?reveal=true and files who read which keys', async () => {
    const revealed = await send('GET', '/subscribers?township=chengxiang&reveal=true', admin);
    expect(revealed.status).toBe(200);
    const items = revealed.body.items as { phone: string; phoneKey: string }[];
    expect(items.map((item) => item.phone).sort()).toEqual(['+8619900001111', '+8619900002222']);
    const audit = await send('GET', '/audit?date=2021-12-20&action=subscriber.reveal', admin);
    expect(audit.status).toBe(200);
    expect(audit.body.items).toHaveLength(1);
    expect(audit.body.items[0]).toMatchObject({ action: 'subscriber.reveal', actor: { role: 'admin' }, after: { township: 'chengxiang' } });
    expect([...audit.body.items[0].after.keys].sort()).toEqual(items.map((item) => item.phoneKey).sort());
    expect(audit.text).not.toMatch(/199\d{8}/);
  });

  it('refuses ?reveal=true to staff with 403, revealing and filing nothing', async () => {
    const refused = await send('GET', '/subscribers?township=chengxiang&reveal=true', staff);
    expect(refused.status).toBe(403);
    expect(refused.text).not.toMatch(/199\d{8}/);
    const audit = await send('GET', '/audit?date=2021-12-20&action=subscriber.reveal', admin);
    expect(audit.body.items.every((entry: { actor: { role: string } }) => entry.actor.role === 'admin')).toBe(true);
  });
});

describe('opting out', () => {
  it('answers the same whether or not the number is registered, in or out of the caller’s township', async () => {
    const registered = await send('POST', '/subscribers/opt-out', staffOfChengxiang, { phone: '19900003333' });
    const unknown = await send('POST', '/subscribers/opt-out', staffOfChengxiang, { phone: '19900009876' });
    expect(registered.status).toBe(200);
    expect(unknown.status).toBe(200);
    expect(registered.body).toEqual(unknown.body);
    expect(registered.text).not.toContain(String(db.deps.phoneKeys.keyOf('+8619900003333')));
    // Both are honoured: opting out is the person's, account-wide.
    const keys = ['+8619900003333', '+8619900009876'].map((phone) => db.deps.phoneKeys.keyOf(phone));
    expect(await db.store.subscribers.optedOut(keys)).toEqual(new Set(keys));
  });
});

describe('a staff token limited to a township', () => {
  it('lists its own township’s subscribers and is refused another’s with 403', async () => {
    expect((await send('GET', '/subscribers?township=chengxiang', staffOfChengxiang)).status).toBe(200);
    const other = await send('GET', '/subscribers?township=shiyang', staffOfChengxiang);
    expect(other.status).toBe(403);
    expect(other.headers.get('content-type')).toBe('application/problem+json');
    expect(other.text).not.toContain('3333');
  });

  describe('activities', () => {
    let ofShiyang: string;
    beforeAll(async () => {
      const activity = (township: string, village: string, id: string) => ({
        id,
        date: '2021-03-15',
        township,
        village,
        theme: 'consumer-rights',
        kind: 'event',
        title: '3·15 咨询',
        participants: 10,
        materials: [],
      });
      expect((await send('POST', '/activities', staff, activity('chengxiang', 'chengxiang-xiangyang', 'act-cx'))).status).toBe(201);
      expect((await send('POST', '/activities', staff, activity('shiyang', 'shiyang-qiaotou', 'act-sy'))).status).toBe(201);
      ofShiyang = 'act-sy';
    });

    it('lists only its own township’s activities when it names none', async () => {
      const listed = await send('GET', '/activities?year=2021', staffOfChengxiang);
      expect(listed.status).toBe(200);
      expect(listed.body.items.map((item: { id: string }) => item.id)).toEqual(['act-cx']);
      // A county-wide token still sees every township.
      expect((await send('GET', '/activities?year=2021', staff)).body.items).toHaveLength(2);
    });

    it('is refused another township’s activities, listed or one by one, with 403', async () => {
      expect((await send('GET', '/activities?year=2021&township=shiyang', staffOfChengxiang)).status).toBe(403);
      expect((await send('GET', '/activities?year=2021&township=chengxiang', staffOfChengxiang)).status).toBe(200);
      const one = await send('GET', `/activities/${ofShiyang}`, staffOfChengxiang);
      expect(one.status).toBe(403);
      expect(one.text).not.toContain('shiyang-qiaotou');
    });
  });
});
