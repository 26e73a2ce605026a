/**
 * @module http/lazy-routes
 * Mounts a sub-app whose code is imported on the first request under its path, so a Lambda's cold
 * start does not compile code that most requests never run (the web pages, for one). The sub-app
 * answers inside the app's request: the app's middleware has run (request id, deps, security
 * headers, body limit), the sub-app sees the same context variables and hands back what it sets
 * (the caller, for the access log), its failures reach the app's one error handler, and a path it
 * does not know gets the app's not-found answer.
 */
import { Hono, type Context, type Env, type Schema } from 'hono';
import { onFirstUse } from '../on-first-use.js';
import type { AppEnv } from './env.js';

type SubApp = Hono<AppEnv, Schema, string>;

/** The app's context of each request handed to a sub-app, found again by its Request. */
const outerContexts = new WeakMap<Request, Context<AppEnv>>();

function outerContextOf(c: Context): Context<AppEnv> {
  const outer = outerContexts.get(c.req.raw);
  if (!outer) throw new Error(`lazily mounted routes reached without the app's context (${c.req.method} ${c.req.path})`);
  return outer;
}

/**
 * Serves `path` and everything under it with the sub-app `load` resolves to, importing it on the
 * first such request (once; a failed import is retried by the next request and, meanwhile, is a 500
 * like any other failure). The sub-app's routes are relative to `path`, as with `app.route(path, …)`.
 */
export function mountLazily<E extends Env & AppEnv>(app: Hono<E, Schema, string>, path: string, load: () => Promise<SubApp>): void {
  serveLazily(app, [path], path, load);
}

/**
 * The same for a group of API routes whose paths are whole (`/campaigns/{id}`, `/reviews`): the
 * group is imported on the first request under any of `prefixes` and mounted at the root, as with
 * `app.route('/', …)`. The prefixes of two groups must not overlap.
 */
export function mountGroupLazily<E extends Env & AppEnv>(app: Hono<E, Schema, string>, prefixes: readonly string[], load: () => Promise<SubApp>): void {
  serveLazily(app, prefixes, '/', load);
}

function serveLazily<E extends Env & AppEnv>(app: Hono<E, Schema, string>, prefixes: readonly string[], base: string, load: () => Promise<SubApp>): void {
  const loaded = onFirstUse(async () => withOuterContext(base, await load()));

  const serve = async function lazilyMounted(c: Context<AppEnv>) {
    const routes = await loaded();
    outerContexts.set(c.req.raw, c);
    const response = await routes.fetch(c.req.raw, c.env);
    // Through the app's context, so headers its middleware set before the handler (the request id) stay.
    return c.newResponse(response.body, response);
  };
  for (const prefix of prefixes) {
    app.all(prefix, serve);
    app.all(`${prefix}/*`, serve);
  }
}

/** The sub-app under `path`, wrapped so that it works in the app's context rather than a new one. */
function withOuterContext(path: string, routes: SubApp): SubApp {
  const wrapper: SubApp = new Hono<AppEnv>();
  wrapper.use(async function adoptOuterContext(c, next) {
    const outer = outerContextOf(c);
    for (const [name, value] of Object.entries(outer.var)) c.set(name as keyof AppEnv['Variables'], value as never);
    try {
      await next();
    } finally {
      for (const [name, value] of Object.entries(c.var)) outer.set(name as keyof AppEnv['Variables'], value as never);
      // The access log names the route that answered, not the mount's wildcard.
      outer.set('routePath', c.req.routePath);
    }
  });
  wrapper.route(path, routes);
  wrapper.notFound(function outerNotFound(c) {
    return outerContextOf(c).notFound();
  });
  wrapper.onError(function toOuterErrorHandler(error) {
    throw error;
  });
  return wrapper;
}
