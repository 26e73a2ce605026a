/**
 * Broadcast recordings end to end on DynamoDB Local with the real local engine (espeak-ng | lame):
 * made when a broadcast is submitted, heard by the reviewer, approved as that exact file, fetched
 * by stations on a short-lived signed link and checked against its SHA-256; the same script is
 * synthesized once; a recording too long for its air window is refused at submit.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../functions/app.js';
import { contentHash } from '../../functions/domain/approval.js';
import { mp3Info } from '../../functions/domain/mp3.js';
import { speechCacheKey } from '../../functions/domain/speech-cache.js';
import { createEspeakEngine } from '../../functions/speech/espeak.js';
import { recordScript } from '../../functions/workflows/recordings.js';
import { aGrant, aToken } from '../support/builders.js';
import { freshTable, type TestDatabase } from '../support/db.js';
import { sendTo, type Send } from '../support/http.js';
import { aPlan, sampleRegistry } from '../support/planning.js';
import { aSession } from '../support/sessions.js';

let db: TestDatabase;
let app: ReturnType<typeof createApp>;
let send: Send;
const county = 'recordcounty';
type Headers = Record<string, string>;
let admin: Headers;
let staff: Headers;
let reviewer: Headers;
let station: Headers;
let reviewerSecret: string;

const script = '今天是国际消费者权益日。遇到消费纠纷，请拨打12315投诉举报。';

beforeAll(async () => {
  // Recordings of its own: the tests below say what is synthesized and what is found kept.
  db = await freshTable({ county, ownRecordings: true });
  app = createApp(db.deps);
  send = sendTo(app);
  admin = (await aToken(db.store, county, aGrant({ role: 'admin' }))).headers;
  staff = (await aToken(db.store, county, aGrant({ role: 'staff', name: '宣传员小王' }))).headers;
  const reviewerToken = await aToken(db.store, county, aGrant({ role: 'reviewer', name: '审核员老李' }));
  reviewer = reviewerToken.headers;
  reviewerSecret = reviewerToken.secret;
  station = (await aToken(db.store, county, aGrant({ role: 'station', stationId: 'st-xiangyang' }))).headers;
  expect((await send('PUT', '/registry', admin, sampleRegistry())).status).toBe(200);
  expect((await send('PUT', '/sms-templates', admin, { items: aPlan().smsTemplates })).status).toBe(200);
  expect((await send('POST', '/plans', staff, aPlan())).status).toBe(200);
});
afterAll(async () => db.drop());

const broadcast = (id: string, overrides: Record<string, unknown> = {}) => ({
  id,
  channel: 'broadcast',
  audience: { townships: ['chengxiang'] },
  schedule: { kind: 'key-date', days: 0, at: '07:30' },
  broadcast: { script, airWindows: [{ from: '07:00', to: '08:00' }], repeats: 2, ...overrides },
});

async function fetchBytes(url: string): Promise<{ status: number; type: string | null; bytes: Uint8Array }> {
  const response = await app.request(url);
  return { status: response.status, type: response.headers.get('content-type'), bytes: new Uint8Array(await response.arrayBuffer()) };
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

describe('a broadcast submitted for review', () => {
  let notice: Record<string, any>;

  beforeAll(async () => {
    expect((await send('POST', '/campaigns/c-0315/notices', staff, broadcast('rec-1'))).status).toBe(201);
    const submitted = await send('POST', '/campaigns/c-0315/notices/rec-1/submit', staff, {});
    expect(submitted.status, JSON.stringify(submitted.body)).toBe(200);
    notice = submitted.body.notice;
  });

  it('gets its recording: a real MP3 whose length is within reason for the script', async () => {
    expect(notice.audio).toMatchObject({ engine: 'espeak-ng', voice: 'cmn-latn-pinyin', key: expect.stringMatching(/^[0-9a-f]{64}$/) });
    const url = await (await db.deps.speech()).audio.url(notice.audio.key);
    const file = await fetchBytes(url);
    expect(file.status).toBe(200);
    expect(file.type).toBe('audio/mpeg');
    expect(sha256(file.bytes)).toBe(notice.audio.sha256);
    const info = mp3Info(file.bytes);
    expect(info.durationSeconds).toBeCloseTo(notice.audio.durationSeconds, 3);
    // 33 characters: a reader takes about 10 s; espeak-ng reads faster, never absurdly.
    expect(notice.audio.durationSeconds).toBeGreaterThan(2);
    expect(notice.audio.durationSeconds).toBeLessThan(40);
    expect(notice.audio.characters).toBeGreaterThanOrEqual(Array.from(script).length);
  });

  it('is synthesized once: the same script again finds the kept recording', async () => {
    const speech = await db.deps.speech();
    const again = await recordScript(speech, script, [], new Date());
    expect(again).toMatchObject({ made: false, audio: { key: notice.audio.key, sha256: notice.audio.sha256 } });
    expect((await send('POST', '/campaigns/c-0315/notices', staff, broadcast('rec-2'))).status).toBe(201);
    const second = await send('POST', '/campaigns/c-0315/notices/rec-2/submit', staff, {});
    expect(second.body.notice.audio.key).toBe(notice.audio.key);
    // Another script is another recording.
    const other = await recordScript(speech, '请拨打12348法律服务热线。', [], new Date());
    expect(other.made).toBe(true);
    expect(other.audio.key).not.toBe(notice.audio.key);
  });

  it('reads a lexicon word as the plan says: the same script with a lexicon entry is another recording', async () => {
    const speech = await db.deps.speech();
    const plain = await recordScript(speech, '银行行长', [], new Date());
    const corrected = await recordScript(speech, '银行行长', [{ word: '行长', pinyin: 'hang2 zhang3' }], new Date());
    expect(corrected.audio.key).not.toBe(plain.audio.key);
  });

  it('plays on the review page, and the reviewer approves that file', async () => {
    const page = await app.request('/app/review', { headers: { Cookie: (await aSession(db.store, reviewerSecret, new Date())).cookie } });
    const html = await page.text();
    const src = html.match(/<audio controls="" preload="metadata" src="([^"]+)"/)?.[1]?.replaceAll('&amp;', '&');
    expect(src).toBeDefined();
    const heard = await fetchBytes(src ?? '');
    expect(sha256(heard.bytes)).toBe(notice.audio.sha256);
    const approved = await send('POST', '/campaigns/c-0315/notices/rec-1/approve', reviewer, {});
    expect(approved.status).toBe(200);
    const withoutRecording = contentHash({ channel: 'broadcast', script: { text: script, airWindows: [{ from: '07:00', to: '08:00' }], repeats: 2 } });
    expect(approved.body.notice.review.approvedHash).not.toBe(withoutRecording);
    expect(approved.body.notice.review.approvedHash).toBe(
      contentHash({ channel: 'broadcast', script: { text: script, airWindows: [{ from: '07:00', to: '08:00' }], repeats: 2, audio: notice.audio } }),
    );
  });

  it('reaches stations with each script: a fresh absolute link, the SHA-256 and the length', async () => {
    expect((await send('POST', '/campaigns/c-0315/notices/rec-1/schedule', staff, {})).status).toBe(200);
    const scripts = await send('GET', '/stations/me/scripts', station);
    const item = scripts.body.items.find((candidate: { id: string }) => candidate.id.includes('rec-1'));
    expect(item.audio).toMatchObject({ sha256: notice.audio.sha256, durationSeconds: notice.audio.durationSeconds });
    expect(item.audio.url).toMatch(/^http:\/\/localhost\/audio\/[0-9a-f]{64}\.mp3\?expires=\d+&sig=/);
    const fetched = await fetchBytes(item.audio.url);
    expect(sha256(fetched.bytes)).toBe(item.audio.sha256);
  });

  it('is refused by a link that was altered, forged or has lapsed (401), and never by a token instead', async () => {
    const url = new URL(await (await db.deps.speech()).audio.url(notice.audio.key), 'http://localhost');
    const altered = new URL(url);
    altered.searchParams.set('expires', String(Number(url.searchParams.get('expires')) + 3600));
    expect((await app.request(altered.pathname + altered.search)).status).toBe(401);
    expect((await app.request(url.pathname)).status).toBe(401);
    expect((await app.request(url.pathname, { headers: staff })).status).toBe(401);
    db.setNow(new Date(Date.now() + 16 * 60_000));
    try {
      expect((await app.request(url.pathname + url.search)).status).toBe(401);
    } finally {
      db.setNow(undefined);
    }
    expect((await app.request(url.pathname + url.search)).status).toBe(200);
    // A path that is not a recording's key is bad input, named, before any signature is looked at.
    const bad = await app.request('/audio/..%2F..%2Fphone-key-secret.mp3?expires=1&sig=x');
    expect(bad.status).toBe(400);
    expect(JSON.stringify(await bad.json())).toContain('path.file');
  });

  it('goes with an edit: the edited notice has no recording until it is submitted again', async () => {
    const edited = await send('PUT', '/campaigns/c-0315/notices/rec-2', staff, broadcast('rec-2', { script: `${script}谢谢收听。` }));
    expect(edited.status).toBe(200);
    expect(edited.body.notice.audio).toBeUndefined();
    const resubmitted = await send('POST', '/campaigns/c-0315/notices/rec-2/submit', staff, {});
    expect(resubmitted.body.notice.audio.key).not.toBe(notice.audio.key);
  });
});

describe('what text-to-speech reads, in the preview and the tallies', () => {
  it('shows the characters in the preview, and counts them when a recording is made — not when a kept one is found', async () => {
    const countyOffice = (await aToken(db.store, county, aGrant({ role: 'county' }))).headers;
    const text = '遇到家庭暴力，请拨打110报警，或到司法所咨询。';
    const preview = await send('POST', '/campaigns/c-0315/notices/preview', staff, broadcast('preview', { script: text }));
    expect(preview.status).toBe(200);
    expect(preview.body.broadcast.speechCharacters).toBeGreaterThanOrEqual(Array.from(text).length);

    const year = new Date().getFullYear();
    const characters = async () => (await send('GET', `/tallies?year=${year}`, countyOffice)).body.current.totals.speechCharacters ?? 0;
    const before = await characters();
    expect((await send('POST', '/campaigns/c-0315/notices', staff, broadcast('counted', { script: text }))).status).toBe(201);
    const made = await send('POST', '/campaigns/c-0315/notices/counted/submit', staff, {});
    expect(made.body.notice.audio.characters).toBe(preview.body.broadcast.speechCharacters);
    expect(await characters()).toBe(before + made.body.notice.audio.characters);
    // The same script again: the kept recording, nothing read, nothing counted.
    expect((await send('POST', '/campaigns/c-0315/notices', staff, broadcast('counted-again', { script: text }))).status).toBe(201);
    expect((await send('POST', '/campaigns/c-0315/notices/counted-again/submit', staff, {})).status).toBe(200);
    expect(await characters()).toBe(before + made.body.notice.audio.characters);

    // Reconciliation cannot recount them from records: it leaves them, and repairs the rest of the cell.
    const counted = await characters();
    const cells = await db.store.tallies.year(county, year);
    const cell = cells.find((candidate) => candidate.dimension === 'total' && (candidate.counts.speechCharacters ?? 0) > 0);
    expect(cell).toBeDefined();
    if (!cell) return;
    await db.store.tallies.overwrite(county, { ...cell, counts: { ...cell.counts, activities: 5 } });
    const found = await send('POST', `/tallies/reconcile?year=${year}`, admin);
    expect(found.body.differences).toEqual([expect.objectContaining({ counter: 'activities', stored: 5, expected: 0 })]);
    expect((await send('POST', `/tallies/reconcile?year=${year}&repair=true`, admin)).status).toBe(200);
    expect((await send('POST', `/tallies/reconcile?year=${year}`, admin)).body.differences).toEqual([]);
    expect(await characters()).toBe(counted);
  });
});

describe('an engine that fails', () => {
  it('makes the submit answer 503, to be tried again, and keeps nothing', async () => {
    const broken = { ...(await db.deps.speech()), engine: createEspeakEngine({ espeakCommand: 'no-such-espeak-ng' }) };
    await expect(recordScript(broken, '这段稿子读不出来。', [], new Date())).rejects.toMatchObject({ name: 'Unavailable', retryAfterSeconds: 30 });
    const key = speechCacheKey({ engine: 'espeak-ng', voice: broken.engine.voice, text: '这段稿子读不出来。', lexicon: [] });
    expect(await broken.audio.head(key)).toBeUndefined();
  });
});

describe('the plan’s pronunciation lexicon', () => {
  it('sends back to review the broadcasts whose recording a changed word would change, and no others', async () => {
    expect((await send('POST', '/campaigns/c-0315/notices', staff, broadcast('rec-3', { script: '请拨打12348法律服务热线。' }))).status).toBe(201);
    expect((await send('POST', '/campaigns/c-0315/notices/rec-3/submit', staff, {})).status).toBe(200);
    expect((await send('GET', '/campaigns/c-0315/notices/rec-2', staff)).body.notice.state).toBe('submitted');

    const loaded = await send('POST', '/plans', staff, aPlan({ lexicon: [{ word: '纠纷', pinyin: 'jiu1 fen1' }] }));
    expect(loaded.status, JSON.stringify(loaded.body)).toBe(200);
    expect(loaded.body.backToReview).toEqual([{ campaignId: 'c-0315', id: 'rec-2' }]);
    expect((await send('GET', '/campaigns/c-0315/notices/rec-2', staff)).body.notice.state).toBe('draft');
    expect((await send('GET', '/campaigns/c-0315/notices/rec-3', staff)).body.notice.state).toBe('submitted');
    // Submitted again, it is read with the lexicon: another recording.
    const before = (await send('GET', '/campaigns/c-0315/notices/rec-2', staff)).body.notice.audio.key;
    const again = await send('POST', '/campaigns/c-0315/notices/rec-2/submit', staff, {});
    expect(again.body.notice.audio.key).not.toBe(before);
  });

  it('is refused, naming the field, when a word’s pinyin does not fit it', async () => {
    const refused = await send('POST', '/plans?dryRun=true', staff, { ...aPlan(), lexicon: [{ word: '银行', pinyin: 'yin2' }] });
    expect(refused.status).toBe(400);
    expect(JSON.stringify(refused.body.errors)).toContain('lexicon.0.pinyin');
  });
});

describe('a broadcast submitted before recordings existed', () => {
  it('cannot be approved (409): there is nothing to hear; rejected and submitted again, it gets its recording', async () => {
    expect((await send('POST', '/campaigns/c-0315/notices', staff, broadcast('legacy', { script: '旧稿：请遵守交通规则。' }))).status).toBe(201);
    expect((await send('POST', '/campaigns/c-0315/notices/legacy/submit', staff, {})).status).toBe(200);
    // As a notice submitted by an earlier version was stored: no recording.
    const stored = await db.store.notices.require(county, 'c-0315', 'legacy');
    await db.store.notices.transition(stored, { from: 'submitted', to: 'submitted' }, { audio: undefined }, new Date());
    const refused = await send('POST', '/campaigns/c-0315/notices/legacy/approve', reviewer, {});
    expect(refused.status).toBe(409);
    expect((await send('POST', '/campaigns/c-0315/notices/legacy/reject', reviewer, { reason: '请重新提交以生成录音' })).status).toBe(200);
    const again = await send('POST', '/campaigns/c-0315/notices/legacy/submit', staff, {});
    expect(again.body.notice.audio).toBeDefined();
    expect((await send('POST', '/campaigns/c-0315/notices/legacy/approve', reviewer, {})).status).toBe(200);
  });
});

describe('an approval holds for what the reviewer was shown', () => {
  it('is refused (409) when the notice was edited and submitted again since, on the page and through the API', async () => {
    expect((await send('POST', '/campaigns/c-0315/notices', staff, broadcast('heard', { script: '第一稿：请遵守交通规则。' }))).status).toBe(201);
    const first = await send('POST', '/campaigns/c-0315/notices/heard/submit', staff, {});
    const seenFirst = first.body.contentHash as string;
    // The reviewer's page shows the first recording and carries its fingerprint in the approve form.
    const cookie = (await aSession(db.store, reviewerSecret, new Date())).cookie;
    const page = await (await app.request('/app/review', { headers: { Cookie: cookie } })).text();
    expect(page).toContain(`name="seen" value="${seenFirst}"`);
    // Meanwhile the writer edits and submits again: another text, another recording.
    expect((await send('PUT', '/campaigns/c-0315/notices/heard', staff, broadcast('heard', { script: '第二稿：请遵守交通规则，文明出行。' }))).status).toBe(200);
    const second = await send('POST', '/campaigns/c-0315/notices/heard/submit', staff, {});
    expect(second.body.contentHash).not.toBe(seenFirst);

    const form = new URLSearchParams({ seen: seenFirst });
    const stale = await app.request('/app/review/c-0315/heard/approve', { method: 'POST', headers: { Cookie: cookie, 'Content-Type': 'application/x-www-form-urlencoded', Origin: 'http://localhost' }, body: form.toString() });
    expect(stale.status).toBe(409);
    expect((await send('POST', '/campaigns/c-0315/notices/heard/approve', reviewer, { seen: seenFirst })).status).toBe(409);
    expect((await send('GET', '/campaigns/c-0315/notices/heard', staff)).body.notice.state).toBe('submitted');
    const approved = await send('POST', '/campaigns/c-0315/notices/heard/approve', reviewer, { seen: second.body.contentHash });
    expect(approved.status).toBe(200);
    expect(approved.body.notice.review.approvedHash).toBe(second.body.contentHash);
  });
});

describe('a recording that does not fit its air window', () => {
  it('is refused at submit, naming the script, and the notice stays a draft', async () => {
    // Ten readings in one minute: the estimate only warns; the real length refuses.
    expect((await send('POST', '/campaigns/c-0315/notices', staff, broadcast('too-long', { airWindows: [{ from: '07:00', to: '07:01' }], repeats: 10 }))).status).toBe(201);
    const refused = await send('POST', '/campaigns/c-0315/notices/too-long/submit', staff, {});
    expect(refused.status).toBe(400);
    expect(refused.body.errors).toEqual([expect.objectContaining({ field: 'notice.broadcast.script', message: expect.stringMatching(/^录音长 .*超过 07:00-07:01 播出时段/) })]);
    expect((await send('GET', '/campaigns/c-0315/notices/too-long', staff)).body.notice.state).toBe('draft');
  });

  it('still counts what the engine read, once: the submit that fits later finds the kept recording', async () => {
    const countyOffice = (await aToken(db.store, county, aGrant({ role: 'county' }))).headers;
    const year = new Date().getFullYear();
    const characters = async () => (await send('GET', `/tallies?year=${year}`, countyOffice)).body.current.totals.speechCharacters ?? 0;
    const before = await characters();
    const text = '防范电信诈骗：不轻信、不透露、不转账，有疑问请拨打110。';
    expect((await send('POST', '/campaigns/c-0315/notices', staff, broadcast('refused-then-fits', { script: text, airWindows: [{ from: '07:00', to: '07:01' }], repeats: 10 }))).status).toBe(201);
    expect((await send('POST', '/campaigns/c-0315/notices/refused-then-fits/submit', staff, {})).status).toBe(400);
    const read = (await send('POST', '/campaigns/c-0315/notices/preview', staff, broadcast('x', { script: text }))).body.broadcast.speechCharacters;
    expect(await characters()).toBe(before + read);
    expect((await send('PUT', '/campaigns/c-0315/notices/refused-then-fits', staff, broadcast('refused-then-fits', { script: text }))).status).toBe(200);
    expect((await send('POST', '/campaigns/c-0315/notices/refused-then-fits/submit', staff, {})).status).toBe(200);
    expect(await characters()).toBe(before + read);
  });
});
