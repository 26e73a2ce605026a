/**
 * Who may call what, generated from the route table: every operation in `/openapi.json`, with the
 * roles it declares (`x-pufa-roles`), called by every role and by callers without a valid token.
 * A route the matrix has no expectation for fails the first test, so a new route cannot be
 * forgotten. The web pages under /app are not in the OpenAPI document: they are listed here with
 * their roles, and a page the list does not know fails the same first test.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../functions/app.js';
import { roles, type Role } from '../../functions/domain/access.js';
import { aGrant, aToken, must } from '../support/builders.js';
import { freshTable, type TestDatabase } from '../support/db.js';
import { aBench, aBroadcastNotice, type Bench } from '../support/dispatch.js';
import { fillPath, operationKey, routeTable, servedRoutes, type Operation, type RouteTable } from '../support/route-table.js';
import { aSession } from '../support/sessions.js';

const county = 'testcounty';
const ORIGIN = 'http://localhost';
const STATION_A = 'st-xiangyang';
const STATION_B = 'st-qiaotou';

/** Plausible values for path parameters; they name nothing that exists, so no call changes much. */
const pathFixtures: Record<string, string> = {
  id: 'nothing-here',
  noticeId: 'nothing-here',
  year: '2031',
  kind: 'townships',
  key: 'A'.repeat(22),
};
/** Values for required query parameters, so a permitted call gets past validation where it can. */
const queryFixtures: Record<string, string> = { year: '2031', township: 'chengxiang' };

/** Routes the app serves outside the OpenAPI document, all public. */
const undocumentedPublicRoutes = ['GET /openapi.json', 'GET /docs', 'GET /'];

interface PageRule {
  method: 'GET' | 'POST';
  /** As `servedRoutes` spells it: parameters in braces. */
  route: string;
  /** A concrete path to call. */
  path: string;
  access: 'public' | Role[];
}

/** The web pages and who may open them (functions/pages/*: `pageFor(...)`). */
const pages: PageRule[] = [
  { method: 'GET', route: '/app', path: '/app', access: 'public' },
  { method: 'GET', route: '/app/login', path: '/app/login', access: 'public' },
  { method: 'POST', route: '/app/login', path: '/app/login', access: 'public' },
  { method: 'POST', route: '/app/logout', path: '/app/logout', access: 'public' },
  { method: 'GET', route: '/app/plan', path: '/app/plan', access: ['staff', 'reviewer'] },
  { method: 'GET', route: '/app/campaigns/{id}', path: '/app/campaigns/nothing-here', access: ['staff'] },
  { method: 'POST', route: '/app/campaigns/{id}/notices', path: '/app/campaigns/nothing-here/notices', access: ['staff'] },
  { method: 'POST', route: '/app/campaigns/{id}/preview', path: '/app/campaigns/nothing-here/preview', access: ['staff'] },
  { method: 'POST', route: '/app/campaigns/{id}/notices/{noticeId}/{action}', path: '/app/campaigns/nothing-here/notices/n/submit', access: ['staff'] },
  { method: 'GET', route: '/app/review', path: '/app/review', access: ['reviewer'] },
  { method: 'POST', route: '/app/review/{campaignId}/{noticeId}/{action}', path: '/app/review/nothing-here/n/approve', access: ['reviewer'] },
  { method: 'GET', route: '/app/station', path: '/app/station', access: ['station'] },
  { method: 'POST', route: '/app/station/aired/{id}', path: '/app/station/aired/not-a-script', access: ['station'] },
  { method: 'GET', route: '/app/dashboard', path: '/app/dashboard', access: ['county', 'admin'] },
  { method: 'GET', route: '/app/activities/new', path: '/app/activities/new', access: ['staff'] },
  { method: 'POST', route: '/app/activities/new', path: '/app/activities/new', access: ['staff'] },
  { method: 'GET', route: '/app/outbox', path: '/app/outbox', access: ['admin'] },
];

/** A caller: a role's token, or one that must not get in. */
interface Identity {
  label: string;
  /** The token's role when the token is good; undefined for no, expired or revoked tokens. */
  role: Role | undefined;
  secret: string | undefined;
}

let db: TestDatabase;
let bench: Bench;
let app: ReturnType<typeof createApp>;
let table: RouteTable;
const identities: Identity[] = [];
const secretOf: Partial<Record<Role, string>> = {};
let otherStation: Identity;

beforeAll(async () => {
  db = await freshTable({ county });
  bench = await aBench(db);
  app = createApp({ ...db.deps, clock: bench.clock.read });
  table = await routeTable(app);

  for (const role of roles) {
    const grant = role === 'station' ? aGrant({ role, stationId: STATION_A }) : aGrant({ role });
    const { secret } = await aToken(db.store, county, grant);
    secretOf[role] = secret;
    identities.push({ label: role, role, secret });
  }
  const other = await aToken(db.store, county, aGrant({ role: 'station', stationId: STATION_B }));
  otherStation = { label: `station (${STATION_B})`, role: 'station', secret: other.secret };
  identities.push(otherStation);

  // The clock reads 2031-03-01; this admin token ran out the year before.
  const expired = await aToken(db.store, county, aGrant({ role: 'admin', expiresAt: '2030-01-01T00:00:00Z' }), { now: new Date('2029-06-01T00:00:00Z') });
  const revoked = await aToken(db.store, county, aGrant({ role: 'admin' }));
  await db.store.tokens.revoke(county, revoked.record.id, new Date());
  identities.push(
    { label: 'no token', role: undefined, secret: undefined },
    { label: 'expired admin token', role: undefined, secret: expired.secret },
    { label: 'revoked admin token', role: undefined, secret: revoked.secret },
  );
});
afterAll(async () => {
  await bench.stop();
  await db.drop();
});

/** What a call must get: past the access check, or refused with this status. */
type Expectation = 'allowed' | 401 | 403;

function expectation(access: 'public' | Role[], identity: Identity): Expectation {
  if (access === 'public') return 'allowed';
  if (!identity.role) return 401;
  return access.includes(identity.role) ? 'allowed' : 403;
}

function apiRequest(operation: Operation, identity: Identity): [string, RequestInit] {
  const query = new URLSearchParams();
  for (const parameter of operation.parameters) {
    const value = queryFixtures[parameter.name];
    if (parameter.in === 'query' && parameter.required && value !== undefined) query.set(parameter.name, value);
  }
  const headers: Record<string, string> = identity.secret ? { Authorization: `Bearer ${identity.secret}` } : {};
  const init: RequestInit = { method: operation.method, headers };
  const mediaTypes = Object.keys(operation.body?.content ?? {});
  // The smallest body the route could take: `{}` for JSON, an empty file for CSV.
  if (mediaTypes.includes('application/json')) Object.assign(init, { headers: { ...headers, 'Content-Type': 'application/json' }, body: '{}' });
  else if (mediaTypes[0]) Object.assign(init, { headers: { ...headers, 'Content-Type': mediaTypes[0] }, body: '' });
  const search = query.size > 0 ? `?${query.toString()}` : '';
  return [`${fillPath(operation.path, pathFixtures)}${search}`, init];
}

/** Calls every operation as `identity`; returns a line for each answer that breaks the rule. */
async function mismatches(identity: Identity, only: (expected: Expectation) => boolean): Promise<string[]> {
  const found: string[] = [];
  for (const operation of table.operations) {
    const expected = expectation(must(operation.access, `x-pufa-roles on ${operationKey(operation)}`), identity);
    if (!only(expected)) continue;
    const [url, init] = apiRequest(operation, identity);
    const response = await app.request(url, init);
    const problem = response.status >= 400 ? ((await response.json()) as { type?: string }) : undefined;
    const line = `${operationKey(operation)} as ${identity.label}: ${response.status}`;
    if (expected === 'allowed') {
      if (response.status === 401 || response.status === 403 || response.status >= 500) found.push(`${line}, expected to pass the access check`);
    } else if (response.status !== expected) {
      found.push(`${line}, expected ${expected}`);
    } else if (response.headers.get('content-type') !== 'application/problem+json' || !problem?.type?.startsWith('/docs#problem-')) {
      found.push(`${line}, but not as application/problem+json`);
    }
  }
  return found;
}

describe('the route table', () => {
  it('has an access rule for every route the app serves', () => {
    expect(table.operations.length).toBeGreaterThan(0);
    expect(table.operations.filter((operation) => operation.access === undefined).map(operationKey)).toEqual([]);
    const known = new Set([
      ...table.operations.map(operationKey),
      ...pages.map((page) => `${page.method} ${page.route}`),
      ...undocumentedPublicRoutes,
    ]);
    expect(servedRoutes(app).filter((route) => !known.has(route))).toEqual([]);
  });
});

describe('authorization of the API', () => {
  it('refuses every role a route does not list, with 403', async () => {
    const tokens = identities.filter((identity) => identity.role !== undefined);
    const refusals = table.operations.filter((operation) => tokens.some((identity) => expectation(must(operation.access), identity) === 403));
    expect(refusals.length).toBeGreaterThan(0);
    for (const identity of tokens) expect(await mismatches(identity, (expected) => expected === 403)).toEqual([]);
  });

  it('lets every role a route lists past the access check', async () => {
    for (const identity of identities.filter((candidate) => candidate.role !== undefined)) {
      expect(await mismatches(identity, (expected) => expected === 'allowed')).toEqual([]);
    }
  });

  it('answers 401 to no token, an expired token and a revoked token on every secured route', async () => {
    for (const identity of identities.filter((candidate) => candidate.role === undefined)) {
      expect(await mismatches(identity, () => true)).toEqual([]);
    }
  });

  it('answers the public routes without a token', async () => {
    const nobody = must(identities.find((identity) => identity.label === 'no token'));
    expect(table.operations.some((operation) => operation.access === 'public')).toBe(true);
    expect(await mismatches(nobody, (expected) => expected === 'allowed')).toEqual([]);
    for (const path of ['/health', '/docs', '/openapi.json', '/app/login']) {
      expect((await app.request(path)).status, path).toBe(200);
    }
    expect((await app.request('/')).status).toBe(303);
  });
});

describe('a station token', () => {
  let scriptsOf: (secret: string) => Promise<{ id: string; aired: boolean }[]>;
  let ofB: { id: string; aired: boolean }[];

  beforeAll(async () => {
    // A broadcast to every station, through review and scheduling: each station gets its script.
    await bench.scheduled(aBroadcastNotice());
    scriptsOf = async (secret) => {
      const response = await app.request('/stations/me/scripts', { headers: { Authorization: `Bearer ${secret}` } });
      expect(response.status).toBe(200);
      return ((await response.json()) as { items: { id: string; aired: boolean }[] }).items;
    };
    ofB = await scriptsOf(must(otherStation.secret));
  });

  it('lists its own station’s scripts and none of another station’s', async () => {
    const ofA = await scriptsOf(must(secretOf.station));
    expect(ofA.length).toBeGreaterThan(0);
    expect(ofB.length).toBeGreaterThan(0);
    expect(ofA.every((script) => script.id.endsWith(`~s${STATION_A}`))).toBe(true);
    const idsOfA = new Set(ofA.map((script) => script.id));
    expect(ofB.filter((script) => idsOfA.has(script.id))).toEqual([]);
  });

  it('cannot confirm another station’s script, which stays unaired', async () => {
    const script = must(ofB[0], `a script for ${STATION_B}`);
    const response = await app.request(`/stations/me/scripts/${encodeURIComponent(script.id)}/aired`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${must(secretOf.station)}`, 'Content-Type': 'application/json' },
      body: '{}',
    });
    expect([403, 404]).toContain(response.status);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect((await scriptsOf(must(otherStation.secret))).find((item) => item.id === script.id)).toMatchObject({ aired: false });
  });

  it('sees only its own scripts on the station page, and cannot confirm another’s there', async () => {
    const script = must(ofB[0], `a script for ${STATION_B}`);
    const { cookie } = await aSession(db.store, must(secretOf.station), bench.clock.read());
    const page = await app.request('/app/station', { headers: { Cookie: cookie } });
    expect(page.status).toBe(200);
    expect(await page.text()).not.toContain(`~s${STATION_B}`);
    const confirm = await app.request(`${ORIGIN}/app/station/aired/${encodeURIComponent(script.id)}`, {
      method: 'POST',
      headers: { Cookie: cookie, Origin: ORIGIN, 'Content-Type': 'application/x-www-form-urlencoded' },
      body: '',
    });
    expect([403, 404]).toContain(confirm.status);
    expect((await scriptsOf(must(otherStation.secret))).find((item) => item.id === script.id)).toMatchObject({ aired: false });
  });
});

describe('authorization of the web pages', () => {
  async function open(page: PageRule, secret: string | undefined, form: Record<string, string> = {}) {
    // A fresh session per call, opened as signing in would (even for a bad token): signing out must not end the next call's.
    const cookie: Record<string, string> = secret ? { Cookie: (await aSession(db.store, secret, bench.clock.read())).cookie } : {};
    if (page.method === 'GET') return app.request(page.path, { headers: cookie });
    return app.request(`${ORIGIN}${page.path}`, {
      method: 'POST',
      headers: { ...cookie, Origin: ORIGIN, 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form).toString(),
    });
  }
  const securedPages = pages.flatMap((page) => (page.access === 'public' ? [] : [{ ...page, access: page.access }]));
  const signInRedirect = /^\/app\/login(\?|$)/;

  it('refuses every role a page does not list, with 403', async () => {
    const found: string[] = [];
    for (const page of securedPages) {
      for (const identity of identities.filter((candidate) => candidate.role && !page.access.includes(candidate.role))) {
        const response = await open(page, identity.secret);
        if (response.status !== 403) found.push(`${page.method} ${page.path} as ${identity.label}: ${response.status}, expected 403`);
      }
    }
    expect(found).toEqual([]);
  });

  it('lets every role a page lists open it', async () => {
    const found: string[] = [];
    for (const page of securedPages) {
      for (const identity of identities.filter((candidate) => candidate.role && page.access.includes(candidate.role))) {
        const response = await open(page, identity.secret);
        const location = response.headers.get('location') ?? '';
        if (response.status === 403 || response.status >= 500 || signInRedirect.test(location)) {
          found.push(`${page.method} ${page.path} as ${identity.label}: ${response.status} ${location}`);
        }
      }
    }
    expect(found).toEqual([]);
  });

  it('sends a visitor without a good session to sign in, with a 303', async () => {
    const found: string[] = [];
    for (const page of securedPages) {
      for (const identity of identities.filter((candidate) => !candidate.role)) {
        const response = await open(page, identity.secret);
        const location = response.headers.get('location') ?? '';
        if (response.status !== 303 || !signInRedirect.test(location)) {
          found.push(`${page.method} ${page.path} as ${identity.label}: ${response.status} ${location}`);
        }
      }
    }
    expect(found).toEqual([]);
  });

  it('answers the sign-in pages without a session', async () => {
    const login = must(pages.find((page) => page.method === 'POST' && page.route === '/app/login'));
    const signedIn = await open(login, undefined, { token: must(secretOf.county) });
    expect(signedIn.status).toBe(303);
    expect(signedIn.headers.get('location')).toBe('/app/dashboard');
    for (const page of pages.filter((candidate) => candidate.access === 'public' && candidate !== login)) {
      const response = await open(page, undefined);
      expect([200, 303], `${page.method} ${page.path}`).toContain(response.status);
    }
  });
});
