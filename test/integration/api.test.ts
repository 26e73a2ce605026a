import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../functions/app.js';
import { DEPLOYMENT_SCOPE, isLevelRole, roles, type Role } from '../../functions/domain/access.js';
import { createDocumentClient } from '../../functions/store/client.js';
import { createStore } from '../../functions/store/index.js';
import { aGrant, aToken } from '../support/builders.js';
import { freshTable, type TestDatabase } from '../support/db.js';
import { sampleRegistry } from '../support/planning.js';

let db: TestDatabase;
let app: ReturnType<typeof createApp>;
let admin: Awaited<ReturnType<typeof aToken>>;
const county = 'testcounty';

beforeAll(async () => {
  db = await freshTable({ county });
  app = createApp(db.deps);
  admin = await aToken(db.store, county, aGrant({ role: 'admin' }));
  await db.store.registry.upsert(county, sampleRegistry());
});
afterAll(async () => db.drop());

const jsonBody = (body: unknown, headers: Record<string, string> = {}) => ({
  method: 'POST',
  headers: { 'Content-Type': 'application/json', ...headers },
  body: JSON.stringify(body),
});

describe('GET /health', () => {
  it('reports the version and a reachable table, without a token', async () => {
    const response = await app.request('/health');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      status: 'ok',
      version: db.config.version,
      county,
      table: { name: db.tableName, reachable: true },
    });
  });

  it('says 503 and degraded when the table is gone', async () => {
    const broken = createApp({ ...db.deps, store: createStore(createDocumentClient(db.client), 'no-such-table') });
    const response = await broken.request('/health');
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({ status: 'degraded', table: { name: 'no-such-table', reachable: false } });
    expect(db.logs.some((line) => line.message === 'health check: table unreachable')).toBe(true);
  });
});

describe('authentication', () => {
  it('answers 401 problem+json with a WWW-Authenticate header when no token is sent', async () => {
    const response = await app.request('/me');
    expect(response.status).toBe(401);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(response.headers.get('www-authenticate')).toContain('Bearer');
  });

  it('answers 401 for an unknown, a malformed, an expired and a revoked token', async () => {
    const expired = await aToken(db.store, county, aGrant({ role: 'staff', expiresAt: '2026-01-01T00:00:00Z' }), {
      now: new Date('2025-12-01T00:00:00Z'),
    });
    const revoked = await aToken(db.store, county, aGrant({ role: 'staff' }));
    await db.store.tokens.revoke(county, revoked.record.id, new Date());
    const unknown = `pufa_${'A'.repeat(43)}`;
    for (const authorization of [`Bearer ${unknown}`, 'Bearer nonsense', `Basic ${admin.secret}`, expired.headers.Authorization, revoked.headers.Authorization]) {
      const response = await app.request('/me', { headers: { Authorization: authorization ?? '' } });
      expect(response.status, authorization).toBe(401);
    }
  });

  it('resolves each role’s token to its caller', async () => {
    for (const role of roles) {
      // The operator's, a city's and a province's tokens belong to no county.
      const scope = isLevelRole(role) ? DEPLOYMENT_SCOPE : county;
      const token = await aToken(db.store, scope, aGrant({ role }));
      const response = await app.request('/me', { headers: token.headers });
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({ role, county: scope, tokenId: token.record.id });
    }
  });
});

describe('POST /tokens', () => {
  it('lets an admin issue a token that works at once and is shown only once', async () => {
    const response = await app.request('/tokens', jsonBody({ role: 'station', name: '东风村广播站', stationId: 'st-dongfeng' }, admin.headers));
    expect(response.status).toBe(201);
    const issued = (await response.json()) as { secret: string; token: { id: string; createdBy: string; county: string } };
    expect(issued.token).toMatchObject({ county, createdBy: admin.record.id });
    const me = await app.request('/me', { headers: { Authorization: `Bearer ${issued.secret}` } });
    expect(await me.json()).toMatchObject({ role: 'station', stationId: 'st-dongfeng' });

    const listed = await app.request('/tokens?limit=100', { headers: admin.headers });
    const body = JSON.stringify(await listed.json());
    expect(body).toContain(issued.token.id);
    expect(body).not.toContain(issued.secret);
  });

  it.each<Role>(['staff', 'reviewer', 'station', 'county'])('refuses a %s with 403', async (role) => {
    const caller = await aToken(db.store, county, aGrant({ role }));
    const response = await app.request('/tokens', jsonBody({ role: 'admin', name: 'x' }, caller.headers));
    expect(response.status).toBe(403);
    expect(await response.json()).toMatchObject({ type: '/docs#problem-forbidden', status: 403 });
  });

  it('names the failing fields and writes nothing on bad input', async () => {
    const before = await app.request('/tokens?limit=100', { headers: admin.headers });
    const countBefore = ((await before.json()) as { items: unknown[] }).items.length;
    const cases: [unknown, string][] = [
      [{ role: 'station', name: '无站点' }, 'body.stationId'],
      [{ role: 'station', name: '东村广播站', stationId: 'dongcun' }, 'body.stationId'],
      [{ role: 'staff', name: '李四', township: 'chengguan' }, 'body.township'],
      [{ role: 'superuser', name: 'x' }, 'body.role'],
      [{ role: 'admin', name: '' }, 'body.name'],
      [{ role: 'admin', name: 'x', expiresAt: 'tomorrow' }, 'body.expiresAt'],
      [{ role: 'admin', name: 'x', expiresAt: '2020-01-01T00:00:00Z' }, 'body.expiresAt'],
    ];
    for (const [body, field] of cases) {
      const response = await app.request('/tokens', jsonBody(body, admin.headers));
      expect(response.status, JSON.stringify(body)).toBe(400);
      const problem = (await response.json()) as { errors: { field: string }[] };
      expect(problem.errors.map((error) => error.field)).toContain(field);
    }
    const after = await app.request('/tokens?limit=100', { headers: admin.headers });
    expect(((await after.json()) as { items: unknown[] }).items).toHaveLength(countBefore);
  });

  it('answers 400 malformed-json for a broken body', async () => {
    const response = await app.request('/tokens', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...admin.headers },
      body: '{"role": "admin",',
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ type: '/docs#problem-malformed-json' });
  });

  it('answers 413 for a body over the limit, before reading it all', async () => {
    const huge = JSON.stringify({ role: 'admin', name: 'x'.repeat(db.config.bodyLimitBytes + 10) });
    const response = await app.request('/tokens', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Content-Length': String(huge.length), ...admin.headers },
      body: huge,
    });
    expect(response.status).toBe(413);
    expect(await response.json()).toMatchObject({ type: '/docs#problem-payload-too-large', status: 413 });
  });

  it('refuses a body that is not JSON with 415', async () => {
    const response = await app.request('/tokens', {
      method: 'POST',
      headers: { 'Content-Type': 'text/plain', ...admin.headers },
      body: 'role=admin',
    });
    expect(response.status).toBe(415);
    expect(await response.json()).toMatchObject({ type: '/docs#problem-unsupported-media-type' });
  });
});

describe('GET /tokens and DELETE /tokens/{id}', () => {
  it('revokes a token so that it stops working, idempotently', async () => {
    const victim = await aToken(db.store, county, aGrant({ role: 'reviewer' }));
    for (let i = 0; i < 2; i += 1) {
      const response = await app.request(`/tokens/${victim.record.id}`, { method: 'DELETE', headers: admin.headers });
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({ id: victim.record.id, revokedAt: expect.any(String) });
    }
    expect((await app.request('/me', { headers: victim.headers })).status).toBe(401);
  });

  it('answers 404 for a token it does not know and 400 for an impossible id', async () => {
    expect((await app.request('/tokens/tok_unknown', { method: 'DELETE', headers: admin.headers })).status).toBe(404);
    const bad = await app.request('/tokens/a%20b', { method: 'DELETE', headers: admin.headers });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { errors: { field: string }[] }).errors[0]?.field).toBe('path.id');
  });

  it('validates paging parameters', async () => {
    const response = await app.request('/tokens?limit=0', { headers: admin.headers });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { errors: { field: string }[] }).errors[0]?.field).toBe('query.limit');
    const cursor = await app.request('/tokens?cursor=%%%', { headers: admin.headers });
    expect(cursor.status).toBe(400);
  });
});

describe('every response', () => {
  it('carries a request id that the log line repeats, with the route pattern not the URL', async () => {
    const response = await app.request('/tokens/tok_nothing', { method: 'DELETE', headers: admin.headers });
    const id = response.headers.get('x-request-id');
    expect(id).toBeTruthy();
    expect(((await response.json()) as { requestId: string }).requestId).toBe(id);
    const line = db.logs.find((entry) => entry.requestId === id && entry.message === 'request');
    expect(line).toMatchObject({ method: 'DELETE', route: '/tokens/:id', status: 404, role: 'admin' });
    expect(JSON.stringify(line)).not.toContain('tok_nothing');
  });

  it('answers unknown routes with a 404 problem', async () => {
    const response = await app.request('/no/such/thing');
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ type: '/docs#problem-not-found', instance: '/no/such/thing' });
  });

  it('carries secure headers, and a script policy that lets only this response’s own scripts run', async () => {
    const response = await app.request('/health');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('x-frame-options')).toBe('DENY');
    expect(response.headers.get('strict-transport-security')).toMatch(/max-age=\d+/);
    const policy = response.headers.get('content-security-policy') ?? '';
    expect(policy).toContain("frame-ancestors 'none'");
    const nonce = /script-src 'nonce-([^']+)'/.exec(policy)?.[1];
    expect(nonce).toBeTruthy();
    expect((await app.request('/health')).headers.get('content-security-policy')).not.toContain(nonce);
  });
});

describe('cross-origin requests (CORS)', () => {
  const allowed = 'https://pufa.example.gov.cn';
  const preflight = (target: ReturnType<typeof createApp>, origin: string) =>
    target.request('/tallies?year=2026', {
      method: 'OPTIONS',
      headers: { Origin: origin, 'Access-Control-Request-Method': 'GET', 'Access-Control-Request-Headers': 'authorization' },
    });

  it('lets no other site call the API by default', async () => {
    const response = await preflight(app, allowed);
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
    const read = await app.request('/health', { headers: { Origin: allowed } });
    expect(read.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('lets exactly the configured origins call it, with a bearer token and never with cookies', async () => {
    const open = createApp({ ...db.deps, config: { ...db.deps.config, corsOrigins: [allowed] } });
    const response = await preflight(open, allowed);
    expect(response.headers.get('access-control-allow-origin')).toBe(allowed);
    expect(response.headers.get('access-control-allow-headers')).toMatch(/authorization/i);
    expect(response.headers.get('access-control-allow-credentials')).toBeNull();
    expect((await preflight(open, 'https://evil.example')).headers.get('access-control-allow-origin')).toBeNull();
    expect((await open.request('/health', { headers: { Origin: allowed } })).headers.get('access-control-expose-headers')).toMatch(/x-request-id/i);
  });
});

describe('the OpenAPI document', () => {
  it('is generated from the route schemas and lists every route with its roles', async () => {
    const response = await app.request('/openapi.json');
    expect(response.status).toBe(200);
    const document = (await response.json()) as {
      openapi: string;
      paths: Record<string, Record<string, { 'x-pufa-roles': unknown; requestBody?: unknown }>>;
      components: { schemas: Record<string, unknown>; securitySchemes: Record<string, unknown> };
    };
    expect(document.openapi).toBe('3.1.0');
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining(['/health', '/me', '/tokens', '/tokens/{id}', '/plans', '/plans/{year}/calendar', '/campaigns/{id}/notices/{noticeId}/approve']),
    );
    expect(document.paths['/tokens']?.post?.['x-pufa-roles']).toEqual(['admin', 'operator']);
    expect(document.paths['/health']?.get?.['x-pufa-roles']).toBe('public');
    expect(document.components.securitySchemes).toHaveProperty('bearerAuth');
    // The grant schema is the same zod union the route validates with: its roles are all there.
    expect(JSON.stringify(document.components.schemas.TokenGrant)).toContain('"station"');
    expect(JSON.stringify(document.components.schemas.TokenGrant)).toContain('stationId');
  });

  it('is shown as a page at /docs', async () => {
    const response = await app.request('/docs');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/html');
    const page = await response.text();
    expect(page).toContain('<code>/tokens/{id}</code>');
    expect(page).toContain('id="problem-payload-too-large"');
  });
});
