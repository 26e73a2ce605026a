/**
 * Who may call what, generated from the route table: every operation in `/openapi.json`, with the
 * roles it declares (`x-pufa-roles`), called by every role and by callers without a valid token.
 * A route the matrix has no expectation for fails the first test, so a new route cannot be
 * forgotten. The web pages under /app are not in the OpenAPI document: they are listed here with
 * their roles, and a page the list does not know fails the same first test.
 *
 * Township scope is a second dimension: every route a staff token may call declares, in
 * `townshipScope`, whether it takes or returns township data; those that do are tried with a staff
 * token limited to one township against its own township's data, another township's and
 * county-wide data, each with its expected outcome. A staff route without a declaration fails.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../functions/app.js';
import { DEPLOYMENT_SCOPE, isLevelRole, roles, type Role } from '../../functions/domain/access.js';
import { webPages } from '../../functions/pages/index.js';
import { routeGroups } from '../../functions/routes/groups.js';
import { aGrant, aToken, must } from '../support/builders.js';
import { freshTable, type TestDatabase } from '../support/db.js';
import { aBench, aBroadcastNotice, anSmsNotice, type Bench } from '../support/dispatch.js';
import { aPlan } from '../support/planning.js';
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
  file: `${'ab'.repeat(32)}.mp3`,
  sha256: 'cd'.repeat(32),
  evidenceId: 'ev_nothinghere',
  tokenId: 'tok_nothinghere',
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
  { method: 'POST', route: '/app/campaigns/{id}/notices/{noticeId}/resend-uncertain', path: '/app/campaigns/nothing-here/notices/n/resend-uncertain', access: ['staff'] },
  { method: 'GET', route: '/app/review', path: '/app/review', access: ['reviewer'] },
  { method: 'POST', route: '/app/review/{campaignId}/{noticeId}/{action}', path: '/app/review/nothing-here/n/approve', access: ['reviewer'] },
  { method: 'GET', route: '/app/station', path: '/app/station', access: ['station'] },
  { method: 'GET', route: '/app/stations', path: '/app/stations', access: ['admin', 'county', 'staff'] },
  { method: 'POST', route: '/app/station/aired/{id}', path: '/app/station/aired/not-a-script', access: ['station'] },
  { method: 'GET', route: '/app/dashboard', path: '/app/dashboard', access: ['county', 'admin'] },
  { method: 'POST', route: '/app/dashboard/sms-budget', path: '/app/dashboard/sms-budget', access: ['county', 'admin'] },
  { method: 'GET', route: '/app/dashboard/export.csv', path: '/app/dashboard/export.csv?year=2031', access: ['county', 'admin'] },
  { method: 'GET', route: '/app/dashboard/export.xlsx', path: '/app/dashboard/export.xlsx?year=2031', access: ['county', 'admin'] },
  { method: 'GET', route: '/app/reports/duties', path: '/app/reports/duties', access: ['county', 'admin'] },
  { method: 'GET', route: '/app/reports/duties.xlsx', path: '/app/reports/duties.xlsx?year=2031', access: ['county', 'admin'] },
  { method: 'GET', route: '/app/activities/new', path: '/app/activities/new', access: ['staff'] },
  { method: 'POST', route: '/app/activities/new', path: '/app/activities/new', access: ['staff'] },
  { method: 'GET', route: '/app/activities', path: '/app/activities', access: ['staff'] },
  { method: 'GET', route: '/app/activities/{id}', path: '/app/activities/nothing-here', access: ['staff'] },
  { method: 'POST', route: '/app/activities/{id}/evidence/{evidenceId}/remove', path: '/app/activities/nothing-here/evidence/ev_nothinghere/remove', access: ['staff'] },
  { method: 'GET', route: '/app/outbox', path: '/app/outbox', access: ['admin'] },
  { method: 'GET', route: '/app/rollup', path: '/app/rollup', access: ['operator', 'city', 'province'] },
  { method: 'GET', route: '/app/rollup/export.csv', path: '/app/rollup/export.csv?year=2031', access: ['operator', 'city', 'province'] },
  { method: 'GET', route: '/app/rollup/export.xlsx', path: '/app/rollup/export.xlsx?year=2031', access: ['operator', 'city', 'province'] },
];

/** The township a limited staff token is for, another one, and a village of each. */
const OWN = { township: 'chengxiang', village: 'chengxiang-xiangyang' };
const OTHER = { township: 'shiyang', village: 'shiyang-qiaotou' };
type Scope = 'own' | 'other' | 'county-wide';
const scopes: Scope[] = ['own', 'other', 'county-wide'];

/** A request in the scope dimension, built once its fixtures exist (they are made fresh per call). */
interface ScopedCall {
  method: string;
  path: string;
  body?: unknown;
}
type ScopeOutcome = 'allowed' | 400 | 403;
interface ScopeCase {
  call: () => Promise<ScopedCall>;
  expect: ScopeOutcome;
  /** What else the answer must show (e.g. only the own township's records). */
  check?: (body: Record<string, unknown>) => boolean;
}
type ScopeRule =
  /** The route neither takes nor returns one township's data. */
  | { kind: 'no township data'; why: string }
  /** Township data every staff member may read, whatever their token's township. */
  | { kind: 'county-wide by design'; why: string }
  | { kind: 'scoped'; cases: Record<Scope, ScopeCase> };

const audienceOf = (scope: Scope) => (scope === 'own' ? { townships: [OWN.township] } : scope === 'other' ? { townships: [OTHER.township] } : { all: true });
const json = (method: string, path: string, body?: unknown): ScopedCall => ({ method, path, ...(body === undefined ? {} : { body }) });
let fixtureCount = 0;
/** Review moves that bring a draft notice to a state, each by the role that may make it. */
const movesTo = { draft: [], approved: ['submit', 'approve'], scheduled: ['submit', 'approve', 'schedule'], paused: ['submit', 'approve', 'schedule', 'pause'] } as const;
/**
 * A campaign with one SMS notice addressed to `scope`, written (and moved to `state`) by county-wide
 * staff and a reviewer, so a limited token's call meets the notice in a state where only scope can refuse it.
 */
async function aCampaignFor(scope: Scope, state: keyof typeof movesTo = 'draft'): Promise<{ id: string; noticeId: string }> {
  fixtureCount += 1;
  const id = `scope-${fixtureCount}`;
  const campaign = await callAs(secretOf.staff, json('POST', '/campaigns', { id, title: `范围测试 ${fixtureCount}`, theme: 'consumer-rights', keyDate: '2031-03-15', window: { start: '2031-03-08', end: '2031-03-21' } }));
  if (campaign.status !== 201 && campaign.status !== 200) throw new Error(`fixture campaign: ${campaign.status}`);
  const notice = await callAs(secretOf.staff, json('POST', `/campaigns/${id}/notices`, anSmsNotice({ id: 'n', audience: audienceOf(scope) })));
  if (notice.status !== 201 && notice.status !== 200) throw new Error(`fixture notice: ${notice.status} ${await notice.text()}`);
  for (const action of movesTo[state]) {
    const moved = await callAs(action === 'approve' ? secretOf.reviewer : secretOf.staff, json('POST', `/campaigns/${id}/notices/n/${action}`, {}));
    if (moved.status !== 200) throw new Error(`fixture ${action}: ${moved.status} ${await moved.text()}`);
  }
  return { id, noticeId: 'n' };
}
const activityBody = (where: { township: string; village: string }, id?: string) => ({
  ...(id ? { id } : {}),
  date: '2031-02-20',
  township: where.township,
  village: where.village,
  theme: 'consumer-rights',
  kind: 'event',
  title: '范围测试活动',
  participants: 5,
  materials: [],
});
async function anActivityIn(where: { township: string; village: string }): Promise<string> {
  fixtureCount += 1;
  const id = `scope-act-${fixtureCount}`;
  const created = await callAs(secretOf.staff, json('POST', '/activities', activityBody(where, id)));
  if (created.status !== 201) throw new Error(`fixture activity: ${created.status} ${await created.text()}`);
  return id;
}
const onePlan = (scope: Scope) => {
  fixtureCount += 1;
  const plan = aPlan();
  const [campaign] = plan.campaigns;
  const [notice] = campaign?.notices ?? [];
  if (!campaign || !notice) throw new Error('aPlan has no campaign with a notice');
  return { ...plan, campaigns: [{ ...campaign, id: `scope-plan-${fixtureCount}`, notices: [{ ...notice, audience: audienceOf(scope) }] }] };
};
const noticeAction = (action: string, from: keyof typeof movesTo = 'draft') => (scope: Scope) => async () => {
  const { id, noticeId } = await aCampaignFor(scope, from);
  return json('POST', `/campaigns/${id}/notices/${noticeId}/${action}`, {});
};
/** The usual shape: allowed on its own township, 403 on another's and on county-wide data. */
const scopedBy = (call: (scope: Scope) => () => Promise<ScopedCall>): ScopeRule => ({
  kind: 'scoped',
  cases: { own: { call: call('own'), expect: 'allowed' }, other: { call: call('other'), expect: 403 }, 'county-wide': { call: call('county-wide'), expect: 403 } },
});
const allOwn = (body: Record<string, unknown>) => (body.items as { township: string }[]).every((item) => item.township === OWN.township);

/**
 * Township scope of every route a staff token may call. A new staff route fails the first scope
 * test until it is declared here.
 */
const townshipScope: Record<string, ScopeRule> = {
  'GET /me': { kind: 'no township data', why: 'the caller’s own token' },
  'GET /plans/{year}': { kind: 'county-wide by design', why: 'the year’s themes and key dates are the whole county’s programme' },
  'GET /plans/{year}/calendar': { kind: 'county-wide by design', why: 'staff plan against the whole year; reading it changes nothing' },
  'GET /registry': { kind: 'county-wide by design', why: 'the list of townships, villages and stations (contacts masked) is what every form picks from' },
  'GET /sms-templates': { kind: 'no township data', why: 'registered SMS templates belong to the county' },
  'POST /campaigns': { kind: 'no township data', why: 'a campaign names a theme and a window; its notices name the audience' },
  'GET /campaigns': { kind: 'county-wide by design', why: 'the county’s programme, read-only' },
  'GET /campaigns/{id}': { kind: 'county-wide by design', why: 'the county’s programme, read-only' },
  'GET /campaigns/{id}/notices/{noticeId}': { kind: 'county-wide by design', why: 'reviewed content is read across the county; writing it is scoped' },
  'POST /campaigns/{id}/notices/preview': { kind: 'county-wide by design', why: 'a preview computes send times and cost, writes nothing and names no one' },
  'GET /reviews': { kind: 'county-wide by design', why: 'the review queue, read-only; every move on it is scoped' },
  'GET /stations': { kind: 'county-wide by design', why: 'which stations fetched today and how scripts reach them (push endpoint, subscription state): no personal data' },
  'GET /tallies': { kind: 'county-wide by design', why: 'aggregate figures the county publishes' },
  'GET /tallies/duties': { kind: 'county-wide by design', why: 'each department’s duties against its targets: aggregate figures the county reports' },
  'GET /tallies/targets': { kind: 'county-wide by design', why: 'the county’s, townships’ and departments’ targets against what was done: aggregate figures the county reports' },
  'GET /sms-budget': { kind: 'no township data', why: 'the county’s monthly SMS budget and spend, and why SMS stopped' },
  'POST /images': { kind: 'no township data', why: 'an image for an article, kept by its content; the article names the audience' },
  'GET /images/{sha256}': { kind: 'no township data', why: 'an image is named by its content and belongs to no township' },
  'GET /tallies/export.csv': { kind: 'county-wide by design', why: 'aggregate figures the county publishes' },
  'GET /tallies/export.xlsx': { kind: 'county-wide by design', why: 'aggregate figures the county publishes' },
  'POST /plans': scopedBy((scope) => async () => ({ method: 'POST', path: '/plans?dryRun=true', body: onePlan(scope) })),
  'PATCH /campaigns/{id}': scopedBy((scope) => async () => json('PATCH', `/campaigns/${(await aCampaignFor(scope)).id}`, { title: '改名' })),
  'POST /campaigns/{id}/cancel': scopedBy((scope) => async () => json('POST', `/campaigns/${(await aCampaignFor(scope)).id}/cancel`, {})),
  'POST /campaigns/{id}/notices': scopedBy((scope) => async () => json('POST', `/campaigns/${(await aCampaignFor('own')).id}/notices`, anSmsNotice({ id: 'n2', audience: audienceOf(scope) }))),
  'PUT /campaigns/{id}/notices/{noticeId}': scopedBy((scope) => async () => {
    const { id, noticeId } = await aCampaignFor(scope);
    return json('PUT', `/campaigns/${id}/notices/${noticeId}`, anSmsNotice({ audience: audienceOf(scope), sms: { body: '改过的短信。' } }));
  }),
  'POST /campaigns/{id}/notices/{noticeId}/submit': scopedBy(noticeAction('submit')),
  'POST /campaigns/{id}/notices/{noticeId}/schedule': scopedBy(noticeAction('schedule', 'approved')),
  'POST /campaigns/{id}/notices/{noticeId}/pause': scopedBy(noticeAction('pause', 'scheduled')),
  'POST /campaigns/{id}/notices/{noticeId}/resume': scopedBy(noticeAction('resume', 'paused')),
  'POST /campaigns/{id}/notices/{noticeId}/cancel': scopedBy(noticeAction('cancel')),
  // Scope is checked before anything else: the own township's notice (nothing uncertain) gets 409, not 403.
  'POST /campaigns/{id}/notices/{noticeId}/deliveries/resend-uncertain': scopedBy((scope) => async () => {
    const { id, noticeId } = await aCampaignFor(scope, 'scheduled');
    return json('POST', `/campaigns/${id}/notices/${noticeId}/deliveries/resend-uncertain`);
  }),
  'GET /campaigns/{id}/notices/{noticeId}/deliveries': scopedBy((scope) => async () => {
    const { id, noticeId } = await aCampaignFor(scope);
    return json('GET', `/campaigns/${id}/notices/${noticeId}/deliveries`);
  }),
  'GET /subscribers': {
    kind: 'scoped',
    cases: {
      own: { call: async () => json('GET', `/subscribers?township=${OWN.township}`), expect: 'allowed', check: allOwn },
      other: { call: async () => json('GET', `/subscribers?township=${OTHER.township}`), expect: 403 },
      // There is no county-wide list: a township must be named.
      'county-wide': { call: async () => json('GET', '/subscribers'), expect: 400 },
    },
  },
  'POST /subscribers/opt-out': {
    kind: 'scoped',
    // Opting out is the person's, account-wide: allowed for any number, answered the same.
    cases: {
      own: { call: async () => json('POST', '/subscribers/opt-out', { phone: '19900005001' }), expect: 'allowed', check: (body) => JSON.stringify(body) === '{"optedOut":true}' },
      other: { call: async () => json('POST', '/subscribers/opt-out', { phone: '19900005002' }), expect: 'allowed', check: (body) => JSON.stringify(body) === '{"optedOut":true}' },
      'county-wide': { call: async () => json('POST', '/subscribers/opt-out', { phone: '19900005999' }), expect: 'allowed', check: (body) => JSON.stringify(body) === '{"optedOut":true}' },
    },
  },
  'POST /activities': {
    kind: 'scoped',
    cases: {
      own: { call: async () => json('POST', '/activities', activityBody(OWN)), expect: 'allowed' },
      other: { call: async () => json('POST', '/activities', activityBody(OTHER)), expect: 403 },
      'county-wide': { call: async () => json('POST', '/activities', { ...activityBody(OWN), township: undefined, village: undefined }), expect: 400 },
    },
  },
  'GET /activities': {
    kind: 'scoped',
    cases: {
      own: { call: async () => json('GET', `/activities?year=2031&township=${OWN.township}`), expect: 'allowed', check: allOwn },
      other: { call: async () => json('GET', `/activities?year=2031&township=${OTHER.township}`), expect: 403 },
      // Naming no township lists the token's own.
      'county-wide': { call: async () => json('GET', '/activities?year=2031'), expect: 'allowed', check: (body) => allOwn(body) && (body.items as unknown[]).length > 0 },
    },
  },
  ...Object.fromEntries(
    (['GET', 'PUT', 'DELETE'] as const).map((method) => [
      `${method} /activities/{id}`,
      {
        kind: 'scoped',
        cases: {
          own: { call: async () => json(method, `/activities/${await anActivityIn(OWN)}`, method === 'PUT' ? activityBody(OWN) : undefined), expect: 'allowed' },
          other: { call: async () => json(method, `/activities/${await anActivityIn(OTHER)}`, method === 'PUT' ? activityBody(OTHER) : undefined), expect: 403 },
          // An activity always has one township: its county-wide reading is the list (GET /activities).
          'county-wide': { call: async () => json(method, `/activities/${await anActivityIn(OTHER)}`, method === 'PUT' ? activityBody(OWN) : undefined), expect: 403 },
        },
      } satisfies ScopeRule,
    ]),
  ),
  // An activity's evidence (台账) is the activity's: its township's staff only. "Own" calls get past
  // the access check (a form; 400 for nothing uploaded; 404 for no such evidence).
  ...Object.fromEntries(
    (
      [
        ['POST /activities/{id}/evidence/uploads', 'POST', '/evidence/uploads', { contentType: 'image/jpeg', bytes: 100, fileName: 'a.jpg' }],
        ['POST /activities/{id}/evidence', 'POST', '/evidence', undefined],
        ['GET /activities/{id}/evidence', 'GET', '/evidence', undefined],
        ['GET /activities/{id}/evidence/{evidenceId}', 'GET', '/evidence/ev_nothinghere', undefined],
        ['GET /activities/{id}/evidence/{evidenceId}/thumbnail', 'GET', '/evidence/ev_nothinghere/thumbnail', undefined],
        ['DELETE /activities/{id}/evidence/{evidenceId}', 'DELETE', '/evidence/ev_nothinghere', undefined],
      ] as const
    ).map(([key, method, tail, body]) => {
      const call = (where: typeof OWN) => async () => {
        const id = await anActivityIn(where);
        const confirm = key === 'POST /activities/{id}/evidence' ? { key: `evidence-incoming/${county}/${id}/ev_nothinghere` } : body;
        return json(method, `/activities/${id}${tail}`, confirm);
      };
      return [key, { kind: 'scoped', cases: { own: { call: call(OWN), expect: 'allowed' }, other: { call: call(OTHER), expect: 403 }, 'county-wide': { call: call(OTHER), expect: 403 } } } satisfies ScopeRule];
    }),
  ),
};

async function callAs(secret: string | undefined, call: ScopedCall): Promise<Response> {
  const headers: Record<string, string> = secret ? { Authorization: `Bearer ${secret}` } : {};
  if (call.body !== undefined) headers['Content-Type'] = 'application/json';
  return app.request(call.path, { method: call.method, headers, ...(call.body !== undefined ? { body: JSON.stringify(call.body) } : {}) });
}

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
let limitedStaff: Identity;

beforeAll(async () => {
  db = await freshTable({ county });
  bench = await aBench(db);
  app = createApp({ ...db.deps, clock: bench.clock.read });
  table = await routeTable(app);

  for (const role of roles) {
    const grant = role === 'station' ? aGrant({ role, stationId: STATION_A }) : role === 'city' ? aGrant({ role, city: 'testcity' }) : role === 'province' ? aGrant({ role, province: 'testprovince' }) : aGrant({ role });
    // The operator's, a city's and a province's tokens belong to no county.
    const { secret } = await aToken(db.store, isLevelRole(role) ? DEPLOYMENT_SCOPE : county, grant);
    secretOf[role] = secret;
    identities.push({ label: role, role, secret });
  }
  const other = await aToken(db.store, county, aGrant({ role: 'station', stationId: STATION_B }));
  otherStation = { label: `station (${STATION_B})`, role: 'station', secret: other.secret };
  identities.push(otherStation);
  const limited = await aToken(db.store, county, aGrant({ role: 'staff', name: '城厢宣传员', township: OWN.township }));
  limitedStaff = { label: `staff (${OWN.township})`, role: 'staff', secret: limited.secret };
  // Data in both townships for the scope dimension: subscribers (admin) and activities (county-wide staff).
  const adminSecret = secretOf.admin;
  for (const [phone, where] of [['19900005001', OWN], ['19900005002', OTHER]] as const) {
    const added = await callAs(adminSecret, json('POST', '/subscribers', { phone, ...where, groups: [] }));
    if (added.status !== 200) throw new Error(`fixture subscriber: ${added.status} ${await added.text()}`);
  }
  await anActivityIn(OWN);
  await anActivityIn(OTHER);

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

function expectation(access: 'public' | 'feed-key' | 'signed-link' | Role[], identity: Identity): Expectation {
  if (access === 'public') return 'allowed';
  // No identity here holds a calendar feed key or a signed link, and a bearer token opens neither.
  if (access === 'feed-key' || access === 'signed-link') return 401;
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
  it('has an access rule for every route the app serves', async () => {
    expect(table.operations.length).toBeGreaterThan(0);
    expect(table.operations.filter((operation) => operation.access === undefined).map(operationKey)).toEqual([]);
    const known = new Set([
      ...table.operations.map(operationKey),
      ...pages.map((page) => `${page.method} ${page.route}`),
      ...undocumentedPublicRoutes,
    ]);
    // The API's route groups and the pages are mounted lazily (imported on the first request under
    // their paths): their routes are read from the sub-apps.
    const groups = await Promise.all(routeGroups.map((group) => group.load()));
    const served = [...servedRoutes(app), ...groups.flatMap((group) => servedRoutes(group)), ...servedRoutes(webPages(), '/app')];
    expect(served.filter((route) => route.startsWith('GET /campaigns')).length).toBeGreaterThan(3);
    expect(served.filter((route) => route.startsWith('GET /app')).length).toBeGreaterThan(3);
    expect(served.filter((route) => !known.has(route))).toEqual([]);
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

describe('township scope', () => {
  const staffRoutes = () => table.operations.filter((operation) => Array.isArray(operation.access) && operation.access.includes('staff')).map(operationKey);

  it('is declared for every route a staff token may call, and for no route that does not exist', () => {
    expect(staffRoutes().length).toBeGreaterThan(0);
    expect(staffRoutes().filter((key) => !(key in townshipScope))).toEqual([]);
    expect(Object.keys(townshipScope).filter((key) => !staffRoutes().includes(key))).toEqual([]);
  });

  it('lets a township-limited staff token past the access check on routes without township data or read county-wide', async () => {
    const found: string[] = [];
    for (const operation of table.operations) {
      const rule = townshipScope[operationKey(operation)];
      if (!rule || rule.kind === 'scoped') continue;
      const [url, init] = apiRequest(operation, limitedStaff);
      const response = await app.request(url, init);
      if (response.status === 401 || response.status === 403 || response.status >= 500) found.push(`${operationKey(operation)}: ${response.status}`);
    }
    expect(found).toEqual([]);
  });

  const scopedCases = Object.entries(townshipScope).flatMap(([key, rule]) =>
    rule.kind === 'scoped' ? scopes.map((scope) => ({ key, scope, rule: rule.cases[scope] })) : [],
  );

  async function outcomeMatches(rule: ScopeCase): Promise<string | undefined> {
    const call = await rule.call();
    const response = await callAs(limitedStaff.secret, call);
    const text = await response.text();
    const status = response.status;
    if (rule.expect === 'allowed') {
      if (status === 401 || status === 403 || status >= 500) return `${status}, expected to be allowed: ${text.slice(0, 200)}`;
    } else if (status !== rule.expect) {
      return `${status}, expected ${rule.expect}: ${text.slice(0, 200)}`;
    } else if (response.headers.get('content-type') !== 'application/problem+json') {
      return `${status}, but not as application/problem+json`;
    }
    if (rule.check && !rule.check(JSON.parse(text) as Record<string, unknown>)) return `${status}, but the answer breaks the rule: ${text.slice(0, 300)}`;
    return undefined;
  }

  // Scope is checked before state: another township's notice in a state the move cannot start
  // from still answers 403, never a 409 that tells a limited token how far it has got.
  const wrongStateFor = { submit: 'scheduled', schedule: 'draft', pause: 'draft', resume: 'draft', cancel: 'draft' } as const;
  for (const [action, state] of Object.entries(wrongStateFor)) {
    it(`POST …/${action} with a staff token of ${OWN.township}, on another township's ${state} notice: 403, not 409`, async () => {
      const { id, noticeId } = await aCampaignFor('other', state);
      const response = await callAs(limitedStaff.secret, json('POST', `/campaigns/${id}/notices/${noticeId}/${action}`, {}));
      expect(response.status).toBe(403);
    });
  }

  for (const { key, scope, rule } of scopedCases) {
    const name = `${key} with a staff token of ${OWN.township}, on ${scope === 'own' ? 'its own township' : scope === 'other' ? 'another township' : 'county-wide'} data: ${rule.expect === 'allowed' ? 'allowed' : rule.expect}`;
    it(name, async () => {
      expect(await outcomeMatches(rule)).toBeUndefined();
    });
  }
});
