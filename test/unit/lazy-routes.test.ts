/**
 * A lazily mounted sub-app (http/lazy-routes) answers as if it had been mounted with `app.route`:
 * in the app's context, through its error and not-found handlers, and a failed import is a 500 that
 * the next request retries.
 */
import { Hono } from 'hono';
import { requestId } from 'hono/request-id';
import { describe, expect, it } from 'vitest';
import type { AppEnv } from '../../functions/http/env.js';
import { mountGroupLazily, mountLazily } from '../../functions/http/lazy-routes.js';

interface Seen {
  loads: number;
  errors: string[];
  logged: { route: string; role: string | undefined }[];
}

function anApp(load: () => Promise<Hono<AppEnv>>) {
  const seen: Seen = { loads: 0, errors: [], logged: [] };
  const app = new Hono<AppEnv>();
  app.use(requestId());
  app.use(async function accessLog(c, next) {
    await next();
    seen.logged.push({ route: c.var.routePath ?? c.req.routePath, role: c.var.caller?.role });
  });
  mountLazily(app, '/app', async () => {
    seen.loads += 1;
    return load();
  });
  app.get('/health', (c) => c.text('ok'));
  app.notFound((c) => c.json({ type: 'not-found' }, 404));
  app.onError((error, c) => {
    seen.errors.push(error.message);
    return c.json({ type: 'internal' }, 500);
  });
  return { app, seen };
}

function pages() {
  const sub = new Hono<AppEnv>();
  sub.get('/', (c) => c.text(`home ${c.var.requestId}`));
  sub.get('/items/:id', (c) => {
    c.set('caller', { county: 'c', role: 'staff', name: 'n', tokenId: 't' });
    return c.text(`item ${c.req.param('id')}`);
  });
  sub.get('/broken', () => {
    throw new Error('page failed');
  });
  return sub;
}

describe('mountLazily', () => {
  it('imports the sub-app on the first request under its path, once', async () => {
    const { app, seen } = anApp(async () => pages());
    expect((await app.request('/health')).status).toBe(200);
    expect(seen.loads).toBe(0);
    const home = await app.request('/app');
    expect(home.status).toBe(200);
    expect(await (await app.request('/app/items/7')).text()).toBe('item 7');
    expect(seen.loads).toBe(1);
    // The app's variables reach the sub-app, and the header its middleware set stays on the answer.
    expect(await home.text()).toBe(`home ${home.headers.get('X-Request-Id')}`);
  });

  it('hands back what the sub-app sets, and the route that answered, to the app', async () => {
    const { app, seen } = anApp(async () => pages());
    await app.request('/app/items/7');
    expect(seen.logged).toEqual([{ route: '/app/items/:id', role: 'staff' }]);
  });

  it("answers an unknown path under the mount with the app's not-found handler", async () => {
    const { app } = anApp(async () => pages());
    const response = await app.request('/app/nothing/here');
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ type: 'not-found' });
  });

  it("sends a failure inside the sub-app to the app's error handler", async () => {
    const { app, seen } = anApp(async () => pages());
    expect((await app.request('/app/broken')).status).toBe(500);
    expect(seen.errors).toEqual(['page failed']);
  });

  it('answers a failed import with a 500 through the error handler, and tries again on the next request', async () => {
    let fail = true;
    const { app, seen } = anApp(async () => {
      if (fail) throw new Error('Cannot find module ./chunks/pages.mjs');
      return pages();
    });
    expect((await app.request('/app')).status).toBe(500);
    expect(seen.errors).toEqual(['Cannot find module ./chunks/pages.mjs']);
    fail = false;
    expect((await app.request('/app')).status).toBe(200);
    expect(seen.loads).toBe(2);
  });
});

describe('mountGroupLazily', () => {
  /** Routes with whole paths under two prefixes, as routes/groups mounts the campaigns' group. */
  function campaigns() {
    const sub = new Hono<AppEnv>();
    sub.get('/campaigns/:id', (c) => c.text(`campaign ${c.req.param('id')}`));
    sub.get('/reviews', (c) => c.text('reviews'));
    return sub;
  }

  it('imports the group once, on the first request under any of its prefixes, and serves its whole paths', async () => {
    let loads = 0;
    const app = new Hono<AppEnv>();
    app.use(requestId());
    mountGroupLazily(app, ['/campaigns', '/reviews'], async () => {
      loads += 1;
      return campaigns();
    });
    app.get('/health', (c) => c.text('ok'));
    app.notFound((c) => c.json({ type: 'not-found' }, 404));
    expect(await (await app.request('/health')).text()).toBe('ok');
    expect(loads).toBe(0);
    expect(await (await app.request('/reviews')).text()).toBe('reviews');
    expect(await (await app.request('/campaigns/c1')).text()).toBe('campaign c1');
    expect(loads).toBe(1);
    // Under a prefix but not a route of the group: the app's not-found answer.
    const missing = await app.request('/campaigns/c1/nothing');
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ type: 'not-found' });
    // A path that only starts with the same letters is not under the prefix.
    expect((await app.request('/reviewsx')).status).toBe(404);
    expect(loads).toBe(1);
  });
});
