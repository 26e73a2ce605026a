/**
 * The web pages' sessions and the cross-site rules, through the app on a fresh table: a session is
 * its own secret (no API credential), lives on the server, ends at sign-out, with its token, after a
 * working day or two idle hours; the API answers bearer tokens only; every unsafe page request must
 * come from the pages' own origin. Time moves through the injected clock, never by sleeping.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createApp } from '../../functions/app.js';
import { loadPlan } from '../../functions/workflows/plans.js';
import { aGrant, aToken, must } from '../support/builders.js';
import { freshTable, type TestDatabase } from '../support/db.js';
import { anSmsNotice } from '../support/dispatch.js';
import { sendTo, type Send } from '../support/http.js';
import { aPlan, sampleRegistry } from '../support/planning.js';
import { tableItems } from '../support/table-snapshot.js';

const county = 'testcounty';
const ORIGIN = 'http://127.0.0.1:8787';
/** Another port of the same host: another origin, but the same site, so SameSite=Strict cookies go along. */
const OTHER_ORIGIN = 'http://127.0.0.1:9999';
const START = new Date('2031-03-01T01:00:00Z');
const HOUR = 3600 * 1000;

let db: TestDatabase;
let app: ReturnType<typeof createApp>;
let send: Send;
let clock = START;
const tokens: Record<'admin' | 'staff' | 'reviewer', { secret: string; id: string; headers: Record<string, string> }> = {} as never;

beforeAll(async () => {
  db = await freshTable({ county });
  app = createApp({ ...db.deps, clock: () => clock });
  send = sendTo({ request: (path, init) => app.request(`${ORIGIN}${path}`, init) });
  for (const role of ['admin', 'staff', 'reviewer'] as const) {
    const { secret, record, headers } = await aToken(db.store, county, aGrant({ role }));
    tokens[role] = { secret, id: record.id, headers };
  }
  const loaded = await loadPlan(
    { store: db.store, config: db.config, now: START },
    { plan: aPlan(), registry: sampleRegistry(), county, loader: { kind: 'system' }, actor: { tokenId: 'test', name: 'test' }, dryRun: false },
  );
  expect(loaded.ok).toBe(true);
});
afterAll(async () => db.drop());
beforeEach(() => {
  clock = START;
});

/** Signs in through the login form, as a browser would; returns the `Cookie` header value. */
async function signIn(tokenSecret: string): Promise<string> {
  const response = await app.request(`${ORIGIN}/app/login`, {
    method: 'POST',
    headers: { Origin: ORIGIN, 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ token: tokenSecret, next: '' }).toString(),
  });
  expect(response.status).toBe(303);
  const cookie = (response.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  expect(cookie).toMatch(/^pufa_session=\S+$/);
  return cookie;
}

/** Opens a page with the cookie: 200 when the session lets the caller in, 303 to sign in otherwise. */
async function openPage(cookie: string, path = '/app/review') {
  return app.request(`${ORIGIN}${path}`, { headers: { Cookie: cookie } });
}
const signedIn = async (cookie: string, path?: string) => (await openPage(cookie, path)).status === 200;

async function aSubmittedNotice(id: string): Promise<string> {
  const path = '/campaigns/c-0315/notices';
  expect((await send('POST', path, tokens.staff.headers, anSmsNotice({ id }))).status).toBe(201);
  expect((await send('POST', `${path}/${id}/submit`, tokens.staff.headers, {})).status).toBe(200);
  return `${path}/${id}`;
}

describe('the API and the page cookie', () => {
  it('refuses a cookie-only approve posted from another port of the same host, and the notice stays submitted', async () => {
    const notice = await aSubmittedNotice('cross-origin-approve');
    const cookie = await signIn(tokens.reviewer.secret);
    // What a page on 127.0.0.1:9999 can make the browser send: no body, the reviewer's cookie.
    const response = await app.request(`${ORIGIN}${notice}/approve`, { method: 'POST', headers: { Cookie: cookie, Origin: OTHER_ORIGIN } });
    expect([401, 403]).toContain(response.status);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect((await send('GET', notice, tokens.staff.headers)).body.notice.state).toBe('submitted');
  });

  it('answers 401 to an API call that carries only the page cookie, even from the pages’ own origin', async () => {
    const cookie = await signIn(tokens.reviewer.secret);
    expect((await send('GET', '/me', { Cookie: cookie, Origin: ORIGIN })).status).toBe(401);
  });

  it('does not take the cookie’s value as a bearer token', async () => {
    const cookie = await signIn(tokens.reviewer.secret);
    const value = cookie.replace('pufa_session=', '');
    expect(value).not.toBe(tokens.reviewer.secret);
    expect((await send('GET', '/me', { Authorization: `Bearer ${value}` })).status).toBe(401);
  });

  it('keeps no session secret in the table, only its hash', async () => {
    const value = (await signIn(tokens.reviewer.secret)).replace('pufa_session=', '');
    const items = await tableItems(db.client, db.tableName);
    expect(items.some((item) => item.includes('"SESSION#'))).toBe(true);
    expect(items.filter((item) => item.includes(value))).toEqual([]);
  });
});

describe('the page session', () => {
  it('ends at sign-out: the old cookie then opens no page and calls no API', async () => {
    const cookie = await signIn(tokens.reviewer.secret);
    expect(await signedIn(cookie)).toBe(true);
    const signOut = await app.request(`${ORIGIN}/app/logout`, { method: 'POST', headers: { Cookie: cookie, Origin: ORIGIN } });
    expect(signOut.status).toBe(303);

    const page = await openPage(cookie);
    expect(page.status).toBe(303);
    expect(page.headers.get('location')).toMatch(/^\/app\/login/);
    expect((await send('GET', '/me', { Cookie: cookie })).status).toBe(401);
    // Signing out again is harmless.
    expect((await app.request(`${ORIGIN}/app/logout`, { method: 'POST', headers: { Cookie: cookie, Origin: ORIGIN } })).status).toBe(303);
  });

  it('files signing in and signing out in the audit log, once each', async () => {
    const { secret, record } = await aToken(db.store, county, aGrant({ role: 'staff' }));
    const cookie = await signIn(secret);
    clock = new Date(START.getTime() + 60_000);
    await app.request(`${ORIGIN}/app/logout`, { method: 'POST', headers: { Cookie: cookie, Origin: ORIGIN } });
    await app.request(`${ORIGIN}/app/logout`, { method: 'POST', headers: { Cookie: cookie, Origin: ORIGIN } });
    const entries = (await send('GET', '/audit?date=2031-03-01', tokens.admin.headers)).body.items as { action: string; actor: { tokenId: string } }[];
    const mine = entries.filter((entry) => entry.actor.tokenId === record.id);
    expect(mine.map((entry) => entry.action)).toEqual(['session.start', 'session.end']);
  });

  it('ends when its token is revoked', async () => {
    const { secret, record } = await aToken(db.store, county, aGrant({ role: 'reviewer' }));
    const cookie = await signIn(secret);
    expect(await signedIn(cookie)).toBe(true);
    expect((await send('DELETE', `/tokens/${record.id}`, tokens.admin.headers)).status).toBe(200);
    expect(await signedIn(cookie)).toBe(false);
  });

  it('ends when its token expires, even within the working day', async () => {
    const { secret } = await aToken(db.store, county, aGrant({ role: 'reviewer', expiresAt: new Date(START.getTime() + HOUR).toISOString() }), { now: START });
    const cookie = await signIn(secret);
    clock = new Date(START.getTime() + HOUR - 60_000);
    expect(await signedIn(cookie)).toBe(true);
    clock = new Date(START.getTime() + HOUR + 60_000);
    expect(await signedIn(cookie)).toBe(false);
  });

  it('ends after two idle hours', async () => {
    const cookie = await signIn(tokens.reviewer.secret);
    clock = new Date(START.getTime() + 2 * HOUR - 60_000);
    expect(await signedIn(cookie)).toBe(true);
    // Busy until then; idle from here.
    clock = new Date(clock.getTime() + 2 * HOUR + 60_000);
    expect(await signedIn(cookie)).toBe(false);
  });

  it('ends after a working day (12 hours), however busy', async () => {
    const cookie = await signIn(tokens.reviewer.secret);
    for (let hour = 1; hour <= 11; hour += 1) {
      clock = new Date(START.getTime() + hour * HOUR);
      expect(await signedIn(cookie), `after ${hour} h`).toBe(true);
    }
    clock = new Date(START.getTime() + 12 * HOUR + 60_000);
    expect(await signedIn(cookie)).toBe(false);
  });

  it('is refused for a cookie that holds an access token', async () => {
    expect(await signedIn(`pufa_session=${tokens.reviewer.secret}`)).toBe(false);
  });
});

describe('unsafe page requests', () => {
  it('refuses a page post from another origin whatever its body, and the notice stays submitted', async () => {
    const notice = await aSubmittedNotice('cross-origin-page');
    const cookie = await signIn(tokens.reviewer.secret);
    const bodies: Record<string, string>[] = [{}, { 'Content-Type': 'application/json' }, { 'Content-Type': 'application/x-www-form-urlencoded' }];
    for (const headers of bodies) {
      const response = await app.request(`${ORIGIN}/app/review/c-0315/cross-origin-page/approve`, {
        method: 'POST',
        headers: { Cookie: cookie, Origin: OTHER_ORIGIN, ...headers },
      });
      expect(response.status).toBe(403);
      expect(await response.text()).toContain('不是从本系统的页面发出的');
    }
    expect((await send('GET', notice, tokens.staff.headers)).body.notice.state).toBe('submitted');
  });

  it('lets the same page approve from its own origin', async () => {
    const notice = await aSubmittedNotice('same-origin-page');
    const cookie = await signIn(tokens.reviewer.secret);
    // The form as the review page gives it: with the fingerprint of what it showed.
    const page = await (await openPage(cookie, '/app/review')).text();
    const seen = must(page.match(/action="\/app\/review\/c-0315\/same-origin-page\/approve"><input type="hidden" name="seen" value="([0-9a-f]{64})"/)?.[1], 'the approve form’s fingerprint');
    const response = await app.request(`${ORIGIN}/app/review/c-0315/same-origin-page/approve`, {
      method: 'POST',
      headers: { Cookie: cookie, Origin: ORIGIN, 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ seen }).toString(),
    });
    expect(response.status).toBe(303);
    expect((await send('GET', notice, tokens.staff.headers)).body.notice.state).toBe('approved');
  });

  it('answers the composer’s live preview from its own origin, and refuses it from another', async () => {
    const cookie = await signIn(tokens.staff.secret);
    const composer = await (await openPage(cookie, '/app/campaigns/c-0315')).text();
    const previewPath = must(composer.match(/data-preview="([^"]+)"/)?.[1], 'the composer’s preview address');
    expect(previewPath.startsWith('/app/')).toBe(true);
    const preview = (origin: string) =>
      app.request(`${ORIGIN}${previewPath}`, {
        method: 'POST',
        headers: { Cookie: cookie, Origin: origin, 'Content-Type': 'application/json' },
        body: JSON.stringify(anSmsNotice()),
      });
    const answer = await preview(ORIGIN);
    expect(answer.status).toBe(200);
    expect(((await answer.json()) as { sms: { segments: { segments: number } } }).sms.segments.segments).toBe(1);
    expect((await preview(OTHER_ORIGIN)).status).toBe(403);
  });

  it('names the field of an unfinished notice in the preview, as problem+json', async () => {
    const cookie = await signIn(tokens.staff.secret);
    const response = await app.request(`${ORIGIN}/app/campaigns/c-0315/preview`, {
      method: 'POST',
      headers: { Cookie: cookie, Origin: ORIGIN, 'Content-Type': 'application/json' },
      body: JSON.stringify({ channel: 'sms' }),
    });
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    const problem = (await response.json()) as { errors: { field: string }[] };
    expect(problem.errors.map((error) => error.field)).toContain('body.audience');
  });
});
