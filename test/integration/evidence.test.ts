/**
 * Evidence for activities (台账) through the real app on DynamoDB Local and the local store: a
 * presigned form, the browser's multipart POST of the file to it, a confirmation that checks the
 * bytes by their magic numbers; images get a JPEG thumbnail of at most 320 px, PDFs are offered as
 * downloads; a file that is not what it was declared as, or over 10 MB, is refused (at the form and
 * at the upload); tokens limited to another township or department get 403; the tallies count the
 * activities with evidence; the activity page shows the thumbnails.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../functions/app.js';
import { MAX_EVIDENCE_BYTES } from '../../functions/domain/evidence.js';
import { aGrant, aToken } from '../support/builders.js';
import { freshTable, type TestDatabase } from '../support/db.js';
import { sendTo, type Send } from '../support/http.js';
import { aJpeg, aPng } from '../support/images.js';
import { load2021 } from '../support/planning.js';
import { aSession } from '../support/sessions.js';

const county = 'testcounty';
type Headers = Record<string, string>;
let db: TestDatabase;
let app: ReturnType<typeof createApp>;
let send: Send;
const as: Record<'staff' | 'countyOffice' | 'otherTownship' | 'otherDepartment' | 'ownDepartment', Headers> = { staff: {}, countyOffice: {}, otherTownship: {}, otherDepartment: {}, ownDepartment: {} };
let staffSecret = '';

beforeAll(async () => {
  db = await freshTable({ county, ownRecordings: true });
  db.setNow(new Date('2021-12-20T04:00:00Z'));
  app = createApp(db.deps);
  send = sendTo(app);
  const loaded = await load2021(db, county);
  expect(loaded.ok).toBe(true);
  const staff = await aToken(db.store, county, aGrant({ role: 'staff' }));
  staffSecret = staff.secret;
  as.staff = staff.headers;
  as.countyOffice = (await aToken(db.store, county, aGrant({ role: 'county' }))).headers;
  as.otherTownship = (await aToken(db.store, county, aGrant({ role: 'staff', township: 'shiyang' }))).headers;
  as.otherDepartment = (await aToken(db.store, county, aGrant({ role: 'staff', department: 'gongan' }))).headers;
  as.ownDepartment = (await aToken(db.store, county, aGrant({ role: 'staff', department: 'shichang' }))).headers;
  const created = await send('POST', '/activities', as.staff, {
    id: 'act-315',
    date: '2021-03-15',
    township: 'chengxiang',
    theme: 'consumer-rights',
    kind: 'event',
    title: '3·15 广场咨询',
    participants: 120,
    departments: ['shichang'],
  });
  expect(created.status).toBe(201);
});
afterAll(async () => db.drop());

interface Declared {
  contentType: string;
  bytes: number;
  fileName: string;
  kind?: string;
}

const presign = (declared: Declared, headers = as.staff, activity = 'act-315') => send('POST', `/activities/${activity}/evidence/uploads`, headers, declared);

/** What a browser does with the form: every field, then the file, as multipart/form-data. */
async function post(form: { url: string; fields: Record<string, string> }, file: Uint8Array, fileName = 'upload.bin'): Promise<{ status: number; body: Record<string, any> | undefined }> {
  const body = new FormData();
  for (const [name, value] of Object.entries(form.fields)) body.append(name, value);
  body.append('file', new Blob([file as Uint8Array<ArrayBuffer>]), fileName);
  const response = await app.request(form.url, { method: 'POST', body });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as Record<string, any>) : undefined };
}

/** Presign, upload, confirm: the three calls the page's script makes. */
async function upload(bytes: Uint8Array, declared: Omit<Declared, 'bytes'>, activity = 'act-315') {
  const form = await presign({ ...declared, bytes: bytes.length }, as.staff, activity);
  expect(form.status).toBe(201);
  expect((await post(form.body.upload, bytes)).status).toBe(204);
  return { key: form.body.upload.key as string, confirmed: await send('POST', `/activities/${activity}/evidence`, as.staff, { key: form.body.upload.key }) };
}

/** Width and height from a baseline JPEG's frame header. */
function jpegSize(bytes: Uint8Array): { width: number; height: number } {
  for (let at = 2; at + 9 < bytes.length; ) {
    const marker = bytes[at + 1] ?? 0;
    const length = ((bytes[at + 2] ?? 0) << 8) | (bytes[at + 3] ?? 0);
    if (marker === 0xc0 || marker === 0xc2) return { height: ((bytes[at + 5] ?? 0) << 8) | (bytes[at + 6] ?? 0), width: ((bytes[at + 7] ?? 0) << 8) | (bytes[at + 8] ?? 0) };
    at += 2 + length;
  }
  throw new Error('no frame header');
}

const tallies = async () => (await send('GET', '/tallies?year=2021', as.countyOffice)).body.current;

describe('evidence for an activity', () => {
  let photoId = '';
  let pdfId = '';

  it('keeps a photo uploaded through the form, with a JPEG thumbnail of at most 320 px, and counts the activity as having evidence', async () => {
    expect((await tallies()).totals.activitiesWithEvidence).toBe(0);
    const png = aPng({ width: 800, height: 400, seed: 3 });
    const { confirmed } = await upload(png, { contentType: 'image/png', fileName: '现场照片.png', kind: 'photo' });
    expect(confirmed.status).toBe(201);
    expect(confirmed.body).toMatchObject({ kind: 'photo', contentType: 'image/png', bytes: png.length, fileName: '现场照片.png', width: 800, height: 400, thumbnail: true });
    photoId = confirmed.body.id;

    const listed = await send('GET', '/activities/act-315/evidence', as.countyOffice);
    expect(listed.body.items.map((item: { id: string }) => item.id)).toEqual([photoId]);

    const thumbnail = await app.request(`/activities/act-315/evidence/${photoId}/thumbnail`, { headers: as.countyOffice });
    expect(thumbnail.status).toBe(200);
    expect(thumbnail.headers.get('content-type')).toBe('image/jpeg');
    expect(thumbnail.headers.get('x-content-type-options')).toBe('nosniff');
    const thumb = new Uint8Array(await thumbnail.arrayBuffer());
    expect([...thumb.subarray(0, 3)]).toEqual([0xff, 0xd8, 0xff]);
    expect(jpegSize(thumb)).toEqual({ width: 320, height: 160 });

    const original = await app.request(`/activities/act-315/evidence/${photoId}`, { headers: as.staff });
    expect(original.headers.get('content-type')).toBe('image/png');
    expect(original.headers.get('content-disposition')).toContain(`filename*=UTF-8''${encodeURIComponent('现场照片.png')}`);
    expect(new Uint8Array(await original.arrayBuffer())).toEqual(png);

    const after = await tallies();
    expect(after.totals.activitiesWithEvidence).toBe(1);
    expect(after.byTownship.find((row: { value: string }) => row.value === 'chengxiang').counts.activitiesWithEvidence).toBe(1);
    expect(after.byDepartment.find((row: { value: string }) => row.value === 'shichang').counts.activitiesWithEvidence).toBe(1);
  });

  it('keeps an image too large to decode here without a thumbnail, saying why', async () => {
    // 5000×4000 (20 million pixels) of one colour: small to send, too big to thumbnail in the function.
    const big = aPng({ width: 5000, height: 4000, data: new Uint8Array(4000 * (1 + 5000 * 3)) });
    expect((await send('POST', '/activities', as.staff, { id: 'act-big', date: '2021-06-26', township: 'chengxiang', theme: 'anti-drug-aids', kind: 'event' })).status).toBe(201);
    const { confirmed } = await upload(big, { contentType: 'image/png', fileName: '大幅扫描.png', kind: 'signin-sheet' }, 'act-big');
    expect(confirmed.status, JSON.stringify(confirmed.body)).toBe(201);
    expect(confirmed.body).toMatchObject({ width: 5000, height: 4000, thumbnail: false, thumbnailProblem: expect.stringContaining('too large for a thumbnail') });
    expect((await send('GET', `/activities/act-big/evidence/${confirmed.body.id}/thumbnail`, as.staff)).status).toBe(404);
    // Gone again with its record, so the other tests' counts stay theirs.
    expect((await send('DELETE', '/activities/act-big', as.staff)).status).toBe(200);
  });

  it('keeps a JPEG and a PDF sign-in sheet, the PDF without a thumbnail and offered as a download; the activity still counts once', async () => {
    const jpeg = aJpeg({ width: 64, height: 48 });
    const photo = await upload(jpeg, { contentType: 'image/jpeg', fileName: 'IMG_0001.jpg' });
    expect(photo.confirmed.body).toMatchObject({ contentType: 'image/jpeg', width: 64, height: 48, thumbnail: true });

    const pdf = new TextEncoder().encode('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');
    const sheet = await upload(pdf, { contentType: 'application/pdf', fileName: '签到表.pdf', kind: 'signin-sheet' });
    expect(sheet.confirmed.status).toBe(201);
    expect(sheet.confirmed.body).toMatchObject({ kind: 'signin-sheet', contentType: 'application/pdf', thumbnail: false });
    pdfId = sheet.confirmed.body.id;
    // Confirming again answers what was kept.
    expect(await send('POST', '/activities/act-315/evidence', as.staff, { key: sheet.key })).toMatchObject({ status: 200, body: { id: pdfId } });

    const file = await app.request(`/activities/act-315/evidence/${pdfId}`, { headers: as.staff });
    expect(file.headers.get('content-type')).toBe('application/pdf');
    expect(file.headers.get('content-disposition')).toMatch(/^attachment; /);
    expect((await app.request(`/activities/act-315/evidence/${pdfId}/thumbnail`, { headers: as.staff })).status).toBe(404);
    expect((await tallies()).totals.activitiesWithEvidence).toBe(1);
  });

  it('refuses a file whose bytes are not the type declared — a text file named .png, declared image/png — and deletes it', async () => {
    const text = new TextEncoder().encode('这不是图片，只是一段文字。');
    const { key, confirmed } = await upload(text, { contentType: 'image/png', fileName: 'photo.png' });
    expect(confirmed.status).toBe(400);
    expect(confirmed.body.errors).toEqual([{ field: 'body.key', message: expect.stringContaining('not the image/png declared') }]);
    // Deleted: confirming again finds nothing.
    const again = await send('POST', '/activities/act-315/evidence', as.staff, { key });
    expect(again.status).toBe(400);
    expect(again.body.errors[0].message).toContain('Nothing was uploaded');
    // A PDF declared as a JPEG is refused alike.
    const pdfAsJpeg = await upload(new TextEncoder().encode('%PDF-1.7\n'), { contentType: 'image/jpeg', fileName: 'scan.jpg' });
    expect(pdfAsJpeg.confirmed.body.errors[0].message).toContain('The bytes are application/pdf');
  });

  it('refuses another type or more than 10 MB at the form, naming the field', async () => {
    const gif = await presign({ contentType: 'image/gif', bytes: 100, fileName: 'a.gif' });
    expect(gif.status).toBe(400);
    expect(gif.body.errors.map((error: { field: string }) => error.field)).toEqual(['body.contentType']);
    const large = await presign({ contentType: 'image/jpeg', bytes: MAX_EVIDENCE_BYTES + 1, fileName: 'big.jpg' });
    expect(large.status).toBe(400);
    expect(large.body.errors.map((error: { field: string }) => error.field)).toEqual(['body.bytes']);
  });

  it('refuses at the upload a file over 10 MB (declared smaller), an altered form, and a lapsed one, writing nothing', async () => {
    const form = await presign({ contentType: 'image/jpeg', bytes: 1000, fileName: 'big.jpg' });
    const tooLarge = await post(form.body.upload, new Uint8Array(MAX_EVIDENCE_BYTES + 1).fill(0xff));
    expect(tooLarge.status).toBe(400);
    expect(tooLarge.body?.errors).toEqual([{ field: 'file', message: expect.stringContaining('over 10485760 bytes') }]);
    expect((await send('POST', '/activities/act-315/evidence', as.staff, { key: form.body.upload.key })).body.errors[0].message).toContain('Nothing was uploaded');

    const altered = await post({ ...form.body.upload, fields: { ...form.body.upload.fields, 'Content-Type': 'text/html' } }, aJpeg());
    expect(altered.status).toBe(401);
    db.setNow(new Date('2021-12-20T04:11:00Z'));
    try {
      expect((await post(form.body.upload, aJpeg())).status).toBe(401);
    } finally {
      db.setNow(new Date('2021-12-20T04:00:00Z'));
    }
  });

  it('is out of reach of staff limited to another township or another department, and open to the activity’s own department', async () => {
    const declared = { contentType: 'image/jpeg', bytes: 100, fileName: 'a.jpg' };
    for (const headers of [as.otherTownship, as.otherDepartment]) {
      expect((await presign(declared, headers)).status).toBe(403);
      expect((await send('POST', '/activities/act-315/evidence', headers, { key: `evidence-incoming/${county}/act-315/ev_x` })).status).toBe(403);
      expect((await send('GET', '/activities/act-315/evidence', headers)).status).toBe(403);
      expect((await app.request(`/activities/act-315/evidence/${photoId}/thumbnail`, { headers })).status).toBe(403);
      expect((await send('DELETE', `/activities/act-315/evidence/${photoId}`, headers)).status).toBe(403);
    }
    expect((await presign(declared, as.ownDepartment)).status).toBe(201);
    expect((await send('GET', '/activities/act-315/evidence', as.ownDepartment)).body.items).toHaveLength(3);
  });

  it('stays on the activity when the record is changed, and is shown on the activity page with thumbnails and the PDF as a link', async () => {
    const current = (await send('GET', '/activities/act-315', as.staff)).body;
    const { id: _id, county: _county, year: _year, month: _month, version: _version, createdBy: _by, createdAt: _at, updatedAt: _updated, evidence: kept, ...input } = current;
    const changed = await send('PUT', '/activities/act-315', as.staff, { ...input, participants: 150 });
    expect(changed.status).toBe(200);
    expect(changed.body.evidence).toEqual(kept);

    const { cookie } = await aSession(db.store, staffSecret, new Date('2021-12-20T04:00:00Z'));
    const page = await app.request('/app/activities/act-315', { headers: { Cookie: cookie } });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('佐证材料');
    expect(html).toContain(`src="/activities/act-315/evidence/${photoId}/thumbnail"`);
    expect(html).toContain(`href="/activities/act-315/evidence/${pdfId}"`);
    // A page's own image request, by its session.
    const viaSession = await app.request(`/activities/act-315/evidence/${photoId}/thumbnail`, { headers: { Cookie: cookie, 'Sec-Fetch-Site': 'same-origin' } });
    expect(viaSession.status).toBe(200);
    // …but not from another site.
    expect((await app.request(`/activities/act-315/evidence/${photoId}/thumbnail`, { headers: { Cookie: cookie, 'Sec-Fetch-Site': 'cross-site' } })).status).toBe(401);
  });

  it('is removed with its files, audited, and the activity leaves the count when its last evidence goes', async () => {
    const items = (await send('GET', '/activities/act-315/evidence', as.staff)).body.items as { id: string }[];
    for (const { id } of items) expect((await send('DELETE', `/activities/act-315/evidence/${id}`, as.staff)).status).toBe(200);
    expect((await app.request(`/activities/act-315/evidence/${photoId}`, { headers: as.staff })).status).toBe(404);
    expect((await tallies()).totals.activitiesWithEvidence).toBe(0);
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: db.config.timeZone }).format(new Date('2021-12-20T04:00:00Z'));
    const audited = async (action: 'evidence.add' | 'evidence.remove') => (await db.store.audit.page(county, today, { action, limit: 100 })).items.length;
    // Three on this activity, and the large scan on one deleted since.
    expect(await audited('evidence.add')).toBe(4);
    expect(await audited('evidence.remove')).toBe(3);
  });

  it('leaves no kept file behind when two confirmations race for the last place, the loser refused', async () => {
    expect((await send('POST', '/activities', as.staff, { id: 'act-full', date: '2021-03-21', township: 'chengxiang', theme: 'consumer-rights', kind: 'event' })).status).toBe(201);
    for (let index = 0; index < 19; index += 1) expect((await upload(aPng({ width: 8, height: 8, seed: index }), { contentType: 'image/png', fileName: `p${index}.png` }, 'act-full')).confirmed.status).toBe(201);
    // Two forms while there is room for one more; both files arrive; both are confirmed at once.
    const racers = [];
    for (const seed of [100, 101]) {
      const bytes = aPng({ width: 8, height: 8, seed });
      const form = await presign({ contentType: 'image/png', bytes: bytes.length, fileName: `r${seed}.png` }, as.staff, 'act-full');
      expect(form.status).toBe(201);
      expect((await post(form.body.upload, bytes)).status).toBe(204);
      racers.push({ key: form.body.upload.key as string, id: form.body.evidenceId as string });
    }
    const outcomes = await Promise.all(racers.map((racer) => send('POST', '/activities/act-full/evidence', as.staff, { key: racer.key })));
    expect(outcomes.map((outcome) => outcome.status).sort()).toEqual([201, 409]);
    const loser = racers[outcomes.findIndex((outcome) => outcome.status === 409)]!;
    const files = await (db.deps.evidence ?? (() => Promise.reject(new Error('no evidence store'))))();
    expect(await files.read(`evidence/${county}/act-full/${loser.id}`, 4)).toBeUndefined();
    expect(await files.read(`evidence/${county}/act-full/${loser.id}.thumb.jpg`, 4)).toBeUndefined();
    expect((await send('GET', '/activities/act-full/evidence', as.staff)).body.items).toHaveLength(20);
    expect((await send('DELETE', '/activities/act-full', as.staff)).status).toBe(200);
  });

  it('goes with its activity: deleting the record deletes its files', async () => {
    const created = await send('POST', '/activities', as.staff, { id: 'act-gone', date: '2021-03-20', township: 'chengxiang', theme: 'consumer-rights', kind: 'event', participants: 10 });
    expect(created.status).toBe(201);
    const { confirmed } = await upload(aPng({ width: 40, height: 40 }), { contentType: 'image/png', fileName: 'p.png' }, 'act-gone');
    expect(confirmed.status).toBe(201);
    const files = await (db.deps.evidence ?? (() => Promise.reject(new Error('no evidence store'))))();
    const kept = `evidence/${county}/act-gone/${confirmed.body.id}`;
    expect(await files.read(kept, 4)).toBeDefined();
    expect((await send('DELETE', '/activities/act-gone', as.staff)).status).toBe(200);
    expect(await files.read(kept, 4)).toBeUndefined();
    expect(await files.read(`${kept}.thumb.jpg`, 4)).toBeUndefined();
  });
});
