/**
 * Property-based fuzzing of every route's path, query and JSON body, generated from the OpenAPI
 * document: valid requests, the same requests with one thing wrong, and junk. Whatever comes in,
 * the app never answers 5xx; every 4xx is application/problem+json naming the problem (and each
 * field, for invalid input); and a refused request leaves the table exactly as it was — checked by
 * scanning the whole table after every request.
 *
 * FUZZ_RUNS sets the runs per route (default 20). A failure prints its seed and the request it
 * sent; FUZZ_SEED=<seed> with `-t '<route>'` runs that route again with it (the table may differ,
 * since the routes before it ran with other seeds: the printed request is the reliable part).
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../functions/app.js';
import { countyRoles, DEPLOYMENT_SCOPE, isLevelRole, roles, type Caller, type Role } from '../../functions/domain/access.js';
import { loadPlan } from '../../functions/workflows/plans.js';
import { actOnNotice } from '../../functions/workflows/notices.js';
import { PROBLEM_CONTENT_TYPE, problemTypes, problemUri, type ProblemType } from '../../functions/http/problem.js';
import { problemSchema } from '../../functions/http/route.js';
import { aGrant, aToken, must } from '../support/builders.js';
import { freshTable } from '../support/db.js';
import { aBench, aBroadcastNotice, anSmsNotice, type Bench } from '../support/dispatch.js';
import { aPlan, sampleRegistry } from '../support/planning.js';
import { examples, requests, urlOf, type FuzzRequest, type RequestFixtures } from '../support/fuzz-requests.js';
import { fillPath, jsonBodySchema, operationKey, routeTable, type Operation } from '../support/route-table.js';
import { changes, tableItems } from '../support/table-snapshot.js';

const county = 'testcounty';
const RUNS = Number(process.env.FUZZ_RUNS ?? 20);
const SEED = process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED);
const NOW = new Date('2031-03-01T00:00:00Z');

// The route table is read before the tests are declared, so that each route gets a test of its own.
const db = await freshTable({ county });
const app = createApp(db.deps);
const table = await routeTable(app);

const takesJson = (operation: Operation) => jsonBodySchema(operation) !== undefined;
const fuzzable = table.operations.filter((operation) => operation.access !== undefined && (operation.parameters.length > 0 || takesJson(operation)));

let bench: Bench;
const staff: Caller = { tokenId: 'tok_fuzz_staff', county, role: 'staff', name: '宣传员' };
const headersOf: Partial<Record<Role, Record<string, string>>> = {};
/** Another county of the same deployment, with the same registry and plan ids. */
const OTHER = 'othercounty';
const otherHeadersOf: Partial<Record<Role, Record<string, string>>> = {};
/** Ids that exist, so that valid requests reach the domain and the store, not only validation. */
const existing = { campaigns: ['c-0315'], deliveries: [] as string[], subscriberKey: '', activity: 'act-fuzz' };

/** Valid bodies, written by hand where a schema alone would rarely make one the domain accepts. */
const anActivity = (overrides: Record<string, unknown> = {}) => ({
  date: '2031-02-20',
  township: 'chengxiang',
  village: 'chengxiang-xiangyang',
  theme: 'consumer-rights',
  kind: 'event',
  title: '集中宣传',
  participants: 40,
  materials: [{ kind: '宣传单', count: 100 }],
  ...overrides,
});
const aTemplateNotice = () => anSmsNotice({ sms: { template: 'key-date', params: { day: '明天3·15', message: '欢迎到广场咨询。' } } });
const validBodies: Record<string, unknown[]> = {
  'POST /tokens': [{ role: 'staff', name: '宣传员', township: 'chengxiang' }, { role: 'station', name: '广播站', stationId: 'st-xiangyang' }],
  'POST /plans': [aPlan()],
  'PUT /registry': [{ townships: [{ id: 'fuzz-town', name: '新镇' }], groups: ['企业'] }],
  'PUT /sms-templates': [{ items: [{ id: 'key-date', code: 'SMS_T1', text: '${day}到了。${message}' }] }],
  'POST /campaigns': [{ title: '宪法宣传周', theme: 'constitution', keyDate: '2031-12-04', window: { start: '2031-12-01', end: '2031-12-07' } }],
  'PATCH /campaigns/{id}': [{ title: '3·15 集中宣传（改）', description: '广场咨询' }],
  'POST /campaigns/{id}/notices': [anSmsNotice(), aTemplateNotice(), aBroadcastNotice()],
  'POST /campaigns/{id}/notices/preview': [anSmsNotice(), aTemplateNotice(), aBroadcastNotice()],
  'PUT /campaigns/{id}/notices/{noticeId}': [anSmsNotice(), aTemplateNotice(), aBroadcastNotice()],
  'POST /campaigns/{id}/notices/{noticeId}/reject': [{ reason: '请补充法律依据' }],
  'POST /stations/me/scripts/{id}/aired': [{ airedAt: '2031-03-15T07:10:00+08:00' }, {}],
  'POST /subscribers': [{ phone: '+8619900000099', township: 'chengxiang', village: 'chengxiang-xiangyang', groups: ['企业'] }],
  'POST /subscribers/opt-out': [{ phone: '+8619900000001' }],
  'POST /activities': [anActivity(), anActivity({ kind: 'other', kindName: '法律讲座', id: 'act-retry' })],
  'PUT /activities/{id}': [anActivity({ participants: 60 })],
  'POST /counties': [{ id: 'fuzzcounty', name: '模糊测试县', city: 'testcity', province: 'testprovince' }],
  'PATCH /counties/{id}': [{ name: '测试县', city: 'testcity' }],
  'POST /counties/{id}/tokens': [{ role: 'county', name: '依法治县办' }],
};

function pathCandidates(operation: Operation, name: string): string[] {
  const resource = operation.path.split('/')[1] ?? '';
  if (name === 'id') {
    const byResource: Record<string, string[]> = {
      campaigns: existing.campaigns,
      activities: [existing.activity],
      stations: existing.deliveries,
      registry: ['chengxiang', 'fuzz-town'],
      tokens: ['tok_nothing'],
      counties: [county],
    };
    return byResource[resource] ?? ['nothing-here'];
  }
  const byName: Record<string, string[]> = {
    noticeId: ['n', 'sms-eve'],
    year: ['2031', '2030'],
    kind: ['townships', 'villages', 'groups'],
    key: [existing.subscriberKey],
    tokenId: ['tok_nothing'],
  };
  return byName[name] ?? ['x1'];
}

const fixtures: RequestFixtures = {
  schemas: table.schemas,
  pathValues: pathCandidates,
  queryValues: { year: ['2031'], township: ['chengxiang'] },
  validBodies,
};

function callerHeaders(operation: Operation): Record<string, string> {
  const access = must(operation.access);
  if (access === 'public' || access === 'feed-key' || access === 'signed-link') return {};
  return must(headersOf[access.includes('admin') ? 'admin' : must(access[0])]);
}

const knownProblemTypes = Object.keys(problemTypes).map((type) => problemUri(type as ProblemType));
const FIELD_SOURCES = /^(body|query|path|header)(\.|$)/;
let snapshot: string[] = [];

/** Sends a request and checks the answer against the rules every request keeps. */
async function send(operation: Operation, url: string, init: RequestInit, how: string): Promise<{ status: number; type?: string; fields?: string[] }> {
  const response = await app.request(url, init);
  const text = await response.text();
  const before = snapshot;
  snapshot = await tableItems(db.client, db.tableName);
  const where = `${operation.method} ${url.slice(0, 300)} — ${how}`;
  expect(response.status, `${where}: ${text.slice(0, 500)}`).toBeLessThan(500);
  if (response.status < 400) return { status: response.status };

  expect(response.headers.get('content-type'), where).toBe(PROBLEM_CONTENT_TYPE);
  const problem = problemSchema.parse(JSON.parse(text));
  expect(problem.status, where).toBe(response.status);
  expect(knownProblemTypes, where).toContain(problem.type);
  expect(problem.detail, where).not.toBe('');
  expect(problem.requestId, where).toBe(response.headers.get('x-request-id'));
  if (problem.type === problemUri('invalid')) {
    expect(problem.errors?.length ?? 0, `${where}: ${text.slice(0, 500)}`).toBeGreaterThan(0);
    for (const error of problem.errors ?? []) {
      expect(error.field, where).toMatch(FIELD_SOURCES);
      expect(error.message, where).not.toBe('');
    }
  }
  expect(changes(before, snapshot), `${where}: a refused request changed the table`).toEqual({ added: [], removed: [] });
  return { status: response.status, type: problem.type, ...(problem.errors ? { fields: problem.errors.map((error) => error.field) } : {}) };
}

function init(operation: Operation, body: FuzzRequest['body'], extra: Record<string, string> = {}): RequestInit {
  const headers = { ...callerHeaders(operation), ...(body ? { 'Content-Type': body.contentType } : {}), ...extra };
  return { method: operation.method, headers, ...(body ? { body: body.text } : {}) };
}

/** A valid path for the operation: the first existing id for each parameter. */
function aPath(operation: Operation): string {
  const names = operation.parameters.filter((parameter) => parameter.in === 'path').map((parameter) => parameter.name);
  return fillPath(operation.path, Object.fromEntries(names.map((name) => [name, pathCandidates(operation, name)[0] ?? 'x1'])));
}

beforeAll(async () => {
  db.setNow(NOW);
  bench = await aBench(db);
  for (const role of roles) {
    const grant = role === 'station' ? aGrant({ role, stationId: 'st-xiangyang' }) : role === 'city' ? aGrant({ role, city: 'testcity' }) : role === 'province' ? aGrant({ role, province: 'testprovince' }) : aGrant({ role });
    headersOf[role] = (await aToken(db.store, isLevelRole(role) ? DEPLOYMENT_SCOPE : county, grant)).headers;
  }
  await db.store.counties.create({ id: county, name: '测试县', timeZone: 'Asia/Shanghai', city: 'testcity', province: 'testprovince', createdAt: NOW.toISOString(), updatedAt: NOW.toISOString(), version: 1 }, { audits: [], now: NOW });
  // A second county with the same registry and plan (the same ids), for the cross-county requests at the end.
  const loaded = await loadPlan({ store: db.store, config: db.config, now: NOW }, { plan: aPlan(), registry: sampleRegistry(), county: OTHER, loader: { kind: 'system' }, actor: staff, dryRun: false });
  expect(loaded.ok).toBe(true);
  for (const role of countyRoles) {
    const grant = role === 'station' ? aGrant({ role, stationId: 'st-xiangyang' }) : aGrant({ role });
    otherHeadersOf[role] = (await aToken(db.store, OTHER, grant)).headers;
  }
  // Station scripts in each state a confirmation can meet: pending, sent, and cancelled.
  const pending = await bench.scheduled(aBroadcastNotice({ schedule: { kind: 'key-date', days: 3, at: '07:00' } }));
  const sent = await bench.scheduled(aBroadcastNotice());
  const cancelled = await bench.scheduled(aBroadcastNotice());
  await actOnNotice({ store: db.store, config: db.config, now: NOW }, staff, cancelled.campaignId, cancelled.noticeId, 'cancel');
  bench.clock.set('2031-03-14T23:00:05Z');
  await bench.dispatch();
  const counts = (scheduled: { campaignId: string; noticeId: string }) => db.store.deliveries.counts(county, scheduled.campaignId, scheduled.noticeId);
  expect([(await counts(pending)).pending, (await counts(sent)).sent, (await counts(cancelled)).cancelled].every((count) => count > 0)).toBe(true);
  for (const { campaignId, noticeId } of [pending, sent, cancelled]) {
    existing.campaigns.push(campaignId);
    existing.deliveries.push(`${campaignId}~${noticeId}~0~sst-xiangyang`);
  }
  existing.subscriberKey = db.deps.phoneKeys.keyOf(must((await bench.addSubscribers(3))[0]));
  const activity = await app.request('/activities', {
    method: 'POST',
    headers: { ...must(headersOf.staff), 'Content-Type': 'application/json' },
    body: JSON.stringify(anActivity({ id: existing.activity })),
  });
  expect(activity.status).toBe(201);
  snapshot = await tableItems(db.client, db.tableName);
});
afterAll(async () => {
  await bench.stop();
  await db.drop();
});

// First, while the table is small (its scans are what cost): the other county's requests.
describe('another county’s tokens on this county’s records', () => {
  // Every route a county's token may call, sent the valid requests that reach this county's records
  // (their ids in the path), with the other county's token of a role the route allows.
  const countyOperations = table.operations.filter((operation) => {
    const access = operation.access;
    return Array.isArray(access) && access.some((role) => !isLevelRole(role));
  });
  /**
   * What only this county holds: ids the other county's plan does not have. (Not a subscriber's
   * phone key: it is made of the number, which the other county may send itself — opting a
   * number out is account-wide, as SNS's list is — and its own audit entry then names it.)
   */
  const markers = () => [...existing.campaigns.filter((id) => !aPlan().campaigns.some((campaign) => campaign.id === id)), existing.activity, ...existing.deliveries];
  const ownItems = (items: readonly string[]) =>
    items.filter((text) => {
      const item = JSON.parse(text) as Record<string, { S?: string }>;
      return item.pk?.S?.startsWith(`C#${county}#`) || item.county?.S === county;
    });

  it('finds routes and records to try', () => {
    expect(countyOperations.length).toBeGreaterThan(20);
    expect(markers().length).toBeGreaterThan(3);
  });

  // The county's records before any of these requests; a reading route is checked against it once,
  // at the end (a whole-table scan is the slow part), a writing route right after its requests.
  let untouched: string[] = [];
  it('reads this county’s records before the first request', async () => {
    untouched = ownItems(await tableItems(db.client, db.tableName));
    expect(untouched.length).toBeGreaterThan(10);
  });

  it.each(countyOperations.map((operation) => [operationKey(operation), operation] as const))(
    '%s: never 5xx, nothing of this county in a success, nothing of it changed',
    async (_key, operation) => {
      const access = must(operation.access) as Role[];
      const role = must(access.includes('admin') ? 'admin' : access.find((candidate) => !isLevelRole(candidate)));
      const writes = operation.method !== 'get';
      const before = writes ? ownItems(await tableItems(db.client, db.tableName)) : [];
      for (const request of examples(operation, fixtures)) {
        const headers = { ...must(otherHeadersOf[role]), ...(request.body ? { 'Content-Type': request.body.contentType } : {}) };
        const url = urlOf(operation, request);
        const response = await app.request(url, { method: operation.method, headers, ...(request.body ? { body: request.body.text } : {}) });
        const text = await response.text();
        expect(response.status, `${operation.method} ${url} as ${OTHER}'s ${role}: ${text.slice(0, 300)}`).toBeLessThan(500);
        if (response.status < 300) {
          for (const marker of markers()) expect(text.includes(marker), `${operation.method} ${url} as ${OTHER}'s ${role} answered with ${county}'s ${marker}`).toBe(false);
        }
      }
      if (writes) {
        expect(changes(before, ownItems(await tableItems(db.client, db.tableName))), `${operationKey(operation)} as ${OTHER}'s ${role} changed ${county}'s records`).toEqual({ added: [], removed: [] });
      }
    },
  );

  it('left this county’s records as they were, through every request above', async () => {
    const now = await tableItems(db.client, db.tableName);
    expect(changes(untouched, ownItems(now))).toEqual({ added: [], removed: [] });
    // The other county's own writes are the fuzzing's starting point below.
    snapshot = now;
  });
});

describe('fuzzing every route from its OpenAPI description', () => {
  it('finds routes to fuzz', () => {
    expect(fuzzable.length).toBeGreaterThan(0);
  });

  it.each(fuzzable.map((operation) => [operationKey(operation), operation] as const))(
    '%s: never 5xx, a named problem for every 4xx, nothing written when refused',
    async (_key, operation) => {
      const known = examples(operation, fixtures).map((request): [FuzzRequest] => [request]);
      await fc.assert(
        fc.asyncProperty(requests(operation, fixtures), async (request) => {
          await send(operation, urlOf(operation, request), init(operation, request.body), request.how);
        }),
        // The examples run first and count as runs; random requests make up the rest.
        { numRuns: Math.max(RUNS, known.length), examples: known, ...(SEED === undefined ? {} : { seed: SEED }), interruptAfterTimeLimit: 20_000 },
      );
    },
  );
});

describe('bodies that are not what a JSON route takes', () => {
  const jsonRoutes = table.operations.filter(takesJson);

  it('answers 413 to a body over the limit, with or without a Content-Length', async () => {
    const huge = JSON.stringify({ name: 'x'.repeat(db.config.bodyLimitBytes) });
    for (const operation of jsonRoutes) {
      for (const length of [{ 'Content-Length': String(Buffer.byteLength(huge)) }, {}] as Record<string, string>[]) {
        const answer = await send(operation, aPath(operation), init(operation, { text: huge, contentType: 'application/json' }, length), 'an oversized body');
        expect(answer, operationKey(operation)).toEqual({ status: 413, type: problemUri('payload-too-large') });
      }
    }
  });

  it('answers 400 malformed-json to JSON that does not parse', async () => {
    for (const operation of jsonRoutes) {
      for (const text of ['{"name": ', "{'name': 1}"]) {
        const answer = await send(operation, aPath(operation), init(operation, { text, contentType: 'application/json' }), `malformed JSON ${JSON.stringify(text)}`);
        expect(answer, `${operationKey(operation)} ${text}`).toEqual({ status: 400, type: problemUri('malformed-json') });
      }
    }
  });

  it('answers 415 to a content type the route does not take', async () => {
    for (const operation of jsonRoutes) {
      const declared = Object.keys(operation.body?.content ?? {});
      // curl -d sends form-urlencoded unless told otherwise: the commonest mistake.
      for (const contentType of ['application/x-www-form-urlencoded', 'text/plain']) {
        if (declared.includes(contentType)) continue;
        const answer = await send(operation, aPath(operation), init(operation, { text: '{"name": "x"}', contentType }), `sent as ${contentType}`);
        expect(answer, `${operationKey(operation)} as ${contentType}`).toEqual({ status: 415, type: problemUri('unsupported-media-type') });
      }
    }
  });
});

describe('inputs that fuzzing once found to break the app', () => {
  const route = (key: string) => must(table.operations.find((operation) => operationKey(operation) === key), key);
  const post = (key: string, url: string, text: string, how: string) => send(route(key), url, init(route(key), { text, contentType: 'application/json' }), how);
  const refusedNaming = (field: string) => ({ status: 400, type: problemUri('invalid'), fields: expect.arrayContaining([field]) });

  it('refuses a template parameter named constructor, which the DynamoDB marshaller cannot write', async () => {
    const notice = JSON.stringify(aTemplateNotice()).replace('"day":', '"constructor":"x","day":');
    expect(await post('POST /campaigns/{id}/notices', '/campaigns/c-0315/notices', notice, 'a constructor parameter')).toEqual(refusedNaming('body.sms.params.constructor'));
  });

  it('refuses numbers DynamoDB cannot store: too small, too large', async () => {
    for (const number of ['5e-324', '1e308']) {
      const notice = JSON.stringify(aTemplateNotice()).replace('"day":', `"count":${number},"day":`);
      expect(await post('POST /campaigns/{id}/notices', '/campaigns/c-0315/notices', notice, `a parameter of ${number}`)).toEqual(refusedNaming('body.sms.params.count'));
    }
    const plan = JSON.stringify({ ...aPlan(), settings: { sms: { pricePerSegment: 'PRICE' } } }).replace('"PRICE"', '5e-324');
    expect(await post('POST /plans', '/plans', plan, 'a price of 5e-324')).toEqual(refusedNaming('body.settings.sms.pricePerSegment'));
  });

  it('answers 400 naming query.cursor to a cursor it never handed out, on every paged route', async () => {
    const paged = table.operations.filter((operation) => operation.parameters.some((parameter) => parameter.in === 'query' && parameter.name === 'cursor'));
    expect(paged.length).toBeGreaterThan(0);
    for (const operation of paged) {
      // A request that lists something without a cursor, so that only the cursor can be wrong.
      let request: FuzzRequest | undefined;
      for (const candidate of examples(operation, fixtures)) {
        if (request) break;
        if ((await send(operation, urlOf(operation, candidate), init(operation, candidate.body), candidate.how)).status === 200) request = candidate;
      }
      for (const forged of [{}, { pk: 'C#othercounty#CAMPAIGN#x', sk: 'x' }, { pk: 1, sk: 2 }]) {
        const cursor = Buffer.from(JSON.stringify(forged)).toString('base64url');
        if (!request) throw new Error(`no request lists anything on ${operationKey(operation)}`);
        const url = urlOf(operation, { ...request, query: [...request.query, ['cursor', cursor]] });
        expect(await send(operation, url, init(operation, request.body), `a forged cursor ${JSON.stringify(forged)}`), url).toEqual(refusedNaming('query.cursor'));
      }
    }
  });
});
