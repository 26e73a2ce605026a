/**
 * @module app
 * The Hono app: every route, mounted once. The Lambda handler and the local server both call
 * `createApp(deps)` with clients they built, so the same code answers in AWS and on a laptop.
 */
import { OpenAPIHono } from '@hono/zod-openapi';
import { bodyLimit } from 'hono/body-limit';
import { cors } from 'hono/cors';
import { requestId } from 'hono/request-id';
import { NONCE, secureHeaders } from 'hono/secure-headers';
import type { AppDeps, AppEnv } from './http/env.js';
import { mountLazily } from './http/lazy-routes.js';
import { handleError, problemResponse } from './http/problem.js';
import { mountDocs } from './routes/docs.js';
import { activityRoutes } from './routes/activities.js';
import { auditRoutes } from './routes/audit.js';
import { campaignRoutes } from './routes/campaigns.js';
import { healthRoutes } from './routes/health.js';
import { deliveryRoutes } from './routes/deliveries.js';
import { outboxRoutes } from './routes/outbox.js';
import { smsBudgetRoutes } from './routes/sms-budget.js';
import { planRoutes } from './routes/plans.js';
import { stationRoutes } from './routes/stations.js';
import { subscriberRoutes } from './routes/subscribers.js';
import { tallyRoutes } from './routes/tallies.js';
import { tokenRoutes } from './routes/tokens.js';

export type { AppDeps } from './http/env.js';

export function createApp(deps: AppDeps): OpenAPIHono<AppEnv> {
  const app = new OpenAPIHono<AppEnv>();

  app.use(requestId({ headerName: 'X-Request-Id' }));
  app.use(async function provideDeps(c, next) {
    c.set('deps', deps);
    await next();
  });
  app.use(async function accessLog(c, next) {
    const started = performance.now();
    await next();
    // The route pattern, not the URL: paths may one day carry personal data (phone numbers).
    deps.logger.info('request', {
      requestId: c.var.requestId,
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
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
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
  app.use(
    bodyLimit({
      maxSize: deps.config.bodyLimitBytes,
      onError: (c) => problemResponse(c, 'payload-too-large', `The body is over the limit of ${deps.config.bodyLimitBytes} bytes.`),
    }),
  );

  app.route('/', healthRoutes());
  app.route('/', tokenRoutes());
  app.route('/', planRoutes());
  app.route('/', campaignRoutes());
  app.route('/', deliveryRoutes());
  app.route('/', stationRoutes());
  app.route('/', subscriberRoutes());
  app.route('/', outboxRoutes());
  app.route('/', activityRoutes());
  app.route('/', tallyRoutes());
  app.route('/', smsBudgetRoutes());
  app.route('/', auditRoutes());
  mountDocs(app, deps.config.version);
  // The pages are most of the code only people at a browser use: imported on the first /app request.
  mountLazily(app, '/app', async () => (await import('./pages/index.js')).webPages());
  app.get('/', (c) => c.redirect('/app', 303));

  app.notFound((c) => problemResponse(c, 'not-found', `No route for ${c.req.method} ${new URL(c.req.url).pathname}.`));
  app.onError((error, c) => handleError(error, c, deps.logger));
  return app;
}
