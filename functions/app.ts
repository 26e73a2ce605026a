/**
 * @module app
 * The Hono app: every route, mounted once. The Lambda handler and the local server both call
 * `createApp(deps)` with clients they built, so the same code answers in AWS and on a laptop.
 */
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { cors } from 'hono/cors';
import { requestId } from 'hono/request-id';
import { NONCE, secureHeaders } from 'hono/secure-headers';
import type { AppDeps, AppEnv } from './http/env.js';
import { mountGroupLazily, mountLazily } from './http/lazy-routes.js';
import { handleError, problemResponse } from './http/problem.js';
import { lambdaRequestIds } from './http/request-ids.js';
import { routeGroups } from './routes/groups.js';

export type { AppDeps } from './http/env.js';

/** The audio bucket's origin, as the S3 presigner writes its links (virtual-hosted style). */
function audioOrigins(config: AppDeps['config']): string[] {
  const bucket = config.speech.audioBucket;
  if (!bucket) return [];
  return [`https://${bucket}.s3.${config.region}.amazonaws.com${config.region.startsWith('cn-') ? '.cn' : ''}`];
}

export function createApp(deps: AppDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  // In AWS the request id is API Gateway's own (the access log's requestId), so the id in an error
  // body or the X-Request-Id header finds the request in both logs; locally it is a random UUID.
  app.use(requestId({ headerName: 'X-Request-Id', generator: (c) => lambdaRequestIds(c.env).apiRequestId ?? crypto.randomUUID() }));
  app.use(async function provideDeps(c, next) {
    // Every line logged for this request carries its ids: ours (requestId), API Gateway's
    // (apiRequestId; differs from requestId only when the caller sent its own X-Request-Id) and
    // Lambda's (awsRequestId, on Lambda's START/END/REPORT lines too). See http/request-ids.ts.
    const logger = deps.logger.child({ requestId: c.var.requestId, ...lambdaRequestIds(c.env) });
    c.set('deps', { ...deps, logger });
    await next();
  });
  app.use(async function accessLog(c, next) {
    const started = performance.now();
    await next();
    // The route pattern, not the URL: paths may one day carry personal data (phone numbers).
    c.var.deps.logger.info('request', {
      method: c.req.method,
      route: c.var.routePath ?? c.req.routePath,
      status: c.res.status,
      durationMs: Math.round(performance.now() - started),
      role: c.var.caller?.role,
    });
  });
  app.use(
    secureHeaders({
      // The pages' few inline scripts carry this request's nonce; nothing else may run.
      contentSecurityPolicy: {
        defaultSrc: ["'self'"],
        scriptSrc: [NONCE],
        styleSrc: ["'self'", "'unsafe-inline'"],
        // Evidence thumbnails are shown from the bucket's presigned links on AWS.
        imgSrc: ["'self'", 'data:', ...audioOrigins(deps.config)],
        // Recordings play from this origin locally, from the audio bucket's presigned links on AWS.
        mediaSrc: ["'self'", ...audioOrigins(deps.config)],
        // The activity page uploads evidence straight to the bucket on AWS (a presigned POST).
        connectSrc: ["'self'", ...audioOrigins(deps.config)],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        baseUri: ["'none'"],
        objectSrc: ["'none'"],
      },
      xFrameOptions: 'DENY',
    }),
  );
  // Strict CORS: only the configured origins (none by default) may call the API from a browser
  // on another site, and never with cookies.
  app.use(
    cors({
      origin: (origin) => (deps.config.corsOrigins.includes(origin) ? origin : null),
      allowMethods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
      allowHeaders: ['Authorization', 'Content-Type'],
      exposeHeaders: ['X-Request-Id'],
      maxAge: 600,
    }),
  );
  const apiBodyLimit = bodyLimit({
    maxSize: deps.config.bodyLimitBytes,
    onError: (c) => problemResponse(c, 'payload-too-large', `The body is over the limit of ${deps.config.bodyLimitBytes} bytes.`),
  });
  app.use(function limitBody(c, next) {
    // An image upload has a limit of its own, WeChat's 1 MB (routes/images), above the default;
    // so has a local evidence upload, 10 MB (routes/evidence-uploads).
    return c.req.method === 'POST' && (c.req.path === '/images' || c.req.path === '/evidence-uploads') ? next() : apiBodyLimit(c, next);
  });

  // Each route group is imported on the first request under its paths (routes/groups): a cold
  // start compiles none of them, and its first request only the one it needs.
  for (const group of routeGroups) mountGroupLazily(app, group.prefixes, group.load);
  mountGroupLazily(app, ['/openapi.json', '/docs'], async () => (await import('./routes/docs.js')).docsRoutes(deps.config.version));
  // The pages are most of the code only people at a browser use: imported on the first /app request.
  mountLazily(app, '/app', async () => (await import('./pages/index.js')).webPages());
  app.get('/', (c) => c.redirect('/app', 303));

  app.notFound((c) => problemResponse(c, 'not-found', `No route for ${c.req.method} ${new URL(c.req.url).pathname}.`));
  // The request's own logger when the error came after provideDeps, so the line carries its ids.
  app.onError((error, c) => handleError(error, c, (c.get('deps') as AppDeps | undefined)?.logger ?? deps.logger));
  return app;
}
