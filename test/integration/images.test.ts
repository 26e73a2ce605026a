/**
 * Images for WeChat articles through the real app on DynamoDB Local: staff and reviewers upload a
 * JPEG or a PNG under 1 MB as the raw body and get its SHA-256 and `pufa-image:` source; the same
 * image again is 200, not a second copy; the bytes come back to a token or to a page of this
 * origin, never to a session cookie sent from elsewhere; whatever is not such an image is refused
 * naming `body`; and each upload is recorded with who made it.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../functions/app.js';
import { MAX_IMAGE_BYTES } from '../../functions/images/image-store.js';
import { aGrant, aToken } from '../support/builders.js';
import { freshTable, type TestDatabase } from '../support/db.js';
import { aJpeg, aPng } from '../support/images.js';
import { aSession } from '../support/sessions.js';

const county = 'testcounty';
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

let db: TestDatabase;
let app: ReturnType<typeof createApp>;
const secrets: Record<'staff' | 'reviewer' | 'limitedStaff' | 'station' | 'county' | 'admin', string> = { staff: '', reviewer: '', limitedStaff: '', station: '', county: '', admin: '' };
const tokenIds: Record<string, string> = {};

beforeAll(async () => {
  // A folder of its own: whether an image is "already kept" must not depend on other files' uploads.
  db = await freshTable({ county, ownRecordings: true });
  app = createApp(db.deps);
  for (const [label, grant] of [
    ['staff', aGrant({ role: 'staff' })],
    ['reviewer', aGrant({ role: 'reviewer' })],
    ['limitedStaff', aGrant({ role: 'staff', township: 'chengxiang' })],
    ['station', aGrant({ role: 'station', stationId: 'st-xiangyang' })],
    ['county', aGrant({ role: 'county' })],
    ['admin', aGrant({ role: 'admin' })],
  ] as const) {
    const token = await aToken(db.store, county, grant);
    secrets[label] = token.secret;
    tokenIds[label] = token.record.id;
  }
});
afterAll(async () => db.drop());

const bearer = (secret: string) => ({ Authorization: `Bearer ${secret}` });

async function upload(bytes: Uint8Array, contentType: string, secret = secrets.staff, headers: Record<string, string> = {}) {
  const response = await app.request('/images', { method: 'POST', headers: { ...bearer(secret), 'Content-Type': contentType, ...headers }, body: bytes });
  return { status: response.status, type: response.headers.get('content-type'), body: (await response.json()) as Record<string, any> };
}

/** The audit table's image uploads today (in the county's zone), oldest first. */
async function uploads(): Promise<Record<string, any>[]> {
  const today = new Intl.DateTimeFormat('en-CA', { timeZone: db.config.timeZone }).format(new Date());
  return (await db.store.audit.page(county, today, { action: 'image.upload', limit: 100 })).items as unknown as Record<string, any>[];
}

describe('uploading an image', () => {
  it('keeps a PNG (201) and answers the same image again with 200, the same description and no second record of it as new', async () => {
    const png = aPng({ width: 120, height: 80, seed: 11 });
    const first = await upload(png, 'image/png');
    const expected = { sha256: sha256(png), contentType: 'image/png', bytes: png.length, width: 120, height: 80, src: `pufa-image:${sha256(png)}` };
    expect(first).toEqual({ status: 201, type: 'application/json', body: expected });
    expect(await upload(png, 'image/png')).toMatchObject({ status: 200, body: expected });
    expect(await upload(png, 'image/png', secrets.reviewer)).toMatchObject({ status: 200, body: expected });
    // One audit entry: the upload that kept it; the two that found it kept changed nothing.
    const recorded = (await uploads()).filter((entry) => entry.subject.id === expected.sha256);
    expect(recorded.map((entry) => entry.actor.tokenId)).toEqual([tokenIds.staff]);
    expect(recorded[0]).toMatchObject({ county, actor: { role: 'staff' }, subject: { kind: 'image' }, after: { contentType: 'image/png', bytes: png.length } });
  });

  it('keeps a JPEG from a reviewer and from a staff member limited to a township (an image is no township’s data)', async () => {
    const fromReviewer = aJpeg({ width: 64, height: 48, comment: 'reviewer' });
    expect(await upload(fromReviewer, 'image/jpeg', secrets.reviewer)).toMatchObject({ status: 201, body: { contentType: 'image/jpeg', width: 64, height: 48 } });
    const fromTownship = aJpeg({ width: 8, height: 8, comment: 'chengxiang' });
    expect(await upload(fromTownship, 'image/jpeg; charset=binary', secrets.limitedStaff)).toMatchObject({ status: 201, body: { sha256: sha256(fromTownship) } });
  });

  it('takes an image above the API’s usual body limit, up to 999,999 bytes', async () => {
    expect(db.config.bodyLimitBytes).toBeLessThan(300_000);
    for (const padTo of [300_000, MAX_IMAGE_BYTES - 1]) {
      const png = aPng({ seed: padTo, padTo });
      expect(png.length).toBe(padTo);
      expect(await upload(png, 'image/png')).toMatchObject({ status: 201, body: { bytes: padTo } });
    }
  });

  it('refuses 1,000,000 bytes or more with 413 naming body, with or without a Content-Length, and keeps nothing', async () => {
    const png = aPng({ seed: 77, padTo: MAX_IMAGE_BYTES });
    for (const headers of [{ 'Content-Length': String(png.length) }, {}] as Record<string, string>[]) {
      const refused = await upload(png, 'image/png', secrets.staff, headers);
      expect(refused).toMatchObject({ status: 413, type: 'application/problem+json', body: { errors: [{ field: 'body' }] } });
      expect(refused.body.detail).toContain('1 MB');
    }
    expect((await app.request(`/images/${sha256(png)}`, { headers: bearer(secrets.staff) })).status).toBe(404);
  });

  it('still holds every other route to the API’s body limit', async () => {
    const response = await app.request('/campaigns', {
      method: 'POST',
      headers: { ...bearer(secrets.staff), 'Content-Type': 'application/json' },
      body: JSON.stringify({ title: 'x'.repeat(db.config.bodyLimitBytes) }),
    });
    expect(response.status).toBe(413);
  });

  it.each([
    ['nothing', new Uint8Array(), 'image/png'],
    ['text sent as a PNG', new TextEncoder().encode('<html>not an image</html>'), 'image/png'],
    ['a GIF sent as a PNG', new Uint8Array([...Buffer.from('GIF89a'), 1, 0, 1, 0, 0, 0, 0, 0, 0, 0]), 'image/png'],
    ['a PNG sent as a JPEG', aPng({ seed: 5 }), 'image/jpeg'],
    ['a PNG cut short', aPng({ seed: 6 }).subarray(0, 20), 'image/png'],
  ])('refuses %s with 400 naming body, in Chinese and English', async (_what, bytes, contentType) => {
    const refused = await upload(bytes, contentType);
    expect(refused).toMatchObject({ status: 400, type: 'application/problem+json', body: { type: '/docs#problem-invalid', errors: [{ field: 'body' }] } });
    expect(refused.body.errors[0].message).toMatch(/[\u4e00-\u9fff].*[A-Za-z]{4,}/);
  });

  it('answers 415 to a body not sent as image/jpeg or image/png', async () => {
    for (const contentType of ['image/gif', 'application/octet-stream', 'application/json']) {
      expect(await upload(aPng({ seed: 8 }), contentType)).toMatchObject({ status: 415, body: { type: '/docs#problem-unsupported-media-type' } });
    }
  });

  it('lets only staff and reviewers upload: 403 to other roles, 401 without a token', async () => {
    const png = aPng({ seed: 21 });
    for (const role of ['station', 'county', 'admin'] as const) expect((await upload(png, 'image/png', secrets[role])).status, role).toBe(403);
    const anonymous = await app.request('/images', { method: 'POST', headers: { 'Content-Type': 'image/png' }, body: png });
    expect(anonymous.status).toBe(401);
    expect((await app.request(`/images/${sha256(png)}`, { headers: bearer(secrets.staff) })).status).toBe(404);
  });
});

describe('getting an image back', () => {
  const jpeg = aJpeg({ width: 40, height: 24, comment: 'served' });
  beforeAll(async () => {
    expect((await upload(jpeg, 'image/jpeg')).status).toBe(201);
  });

  it('serves its bytes with its type, cached privately for a day and never sniffed', async () => {
    for (const secret of [secrets.staff, secrets.reviewer, secrets.limitedStaff]) {
      const response = await app.request(`/images/${sha256(jpeg)}`, { headers: bearer(secret) });
      expect(response.status).toBe(200);
      expect(new Uint8Array(await response.arrayBuffer())).toEqual(jpeg);
      expect(response.headers.get('content-type')).toBe('image/jpeg');
      expect(response.headers.get('content-length')).toBe(String(jpeg.length));
      expect(response.headers.get('cache-control')).toBe('private, max-age=86400');
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    }
  });

  it('answers 404 for an image it does not keep and 400 naming path.sha256 for a name that is not a SHA-256', async () => {
    const missing = await app.request(`/images/${'0'.repeat(64)}`, { headers: bearer(secrets.staff) });
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toBe('application/problem+json');
    for (const name of ['ABC', sha256(jpeg).toUpperCase(), `${sha256(jpeg)}.jpg`, '..%2F..%2Fphone-key-secret']) {
      const malformed = await app.request(`/images/${name}`, { headers: bearer(secrets.staff) });
      expect(malformed.status, name).toBe(400);
      expect(((await malformed.json()) as { errors: { field: string }[] }).errors.map((error) => error.field)).toEqual(['path.sha256']);
    }
  });

  it('refuses other roles (403) and callers without a token (401)', async () => {
    for (const role of ['station', 'county', 'admin'] as const) expect((await app.request(`/images/${sha256(jpeg)}`, { headers: bearer(secrets[role]) })).status, role).toBe(403);
    expect((await app.request(`/images/${sha256(jpeg)}`)).status).toBe(401);
  });

  it('serves a page of this origin by its session, and not the same cookie sent from another site or port', async () => {
    const { cookie } = await aSession(db.store, secrets.reviewer, new Date());
    const asPage = await app.request(`http://localhost/images/${sha256(jpeg)}`, { headers: { Cookie: cookie, 'Sec-Fetch-Site': 'same-origin' } });
    expect(asPage.status).toBe(200);
    expect(new Uint8Array(await asPage.arrayBuffer())).toEqual(jpeg);
    for (const site of ['cross-site', 'same-site', 'none']) {
      expect((await app.request(`http://localhost/images/${sha256(jpeg)}`, { headers: { Cookie: cookie, 'Sec-Fetch-Site': site } })).status, site).toBe(401);
    }
    expect((await app.request(`http://localhost/images/${sha256(jpeg)}`, { headers: { Cookie: cookie } })).status).toBe(401);
    const station = await aSession(db.store, secrets.station, new Date());
    expect((await app.request(`http://localhost/images/${sha256(jpeg)}`, { headers: { Cookie: station.cookie, 'Sec-Fetch-Site': 'same-origin' } })).status).toBe(403);
  });

  it('is listed in the OpenAPI document with its roles and both image types', async () => {
    const document = (await (await app.request('/openapi.json')).json()) as { paths: Record<string, Record<string, Record<string, any>>> };
    expect(document.paths['/images']?.post?.['x-pufa-roles']).toEqual(['staff', 'reviewer']);
    expect(Object.keys(document.paths['/images']?.post?.requestBody.content ?? {})).toEqual(['image/jpeg', 'image/png']);
    expect(document.paths['/images/{sha256}']?.get?.['x-pufa-roles']).toEqual(['staff', 'reviewer']);
  });
});
