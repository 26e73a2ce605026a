/**
 * @module routes/groups
 * The API's route groups and the paths each serves. The app mounts every group lazily
 * (http/lazy-routes): a Lambda's cold start compiles none of them, and its first request imports
 * only the group it asks for — with that group's zod schemas, workflows and libraries. The OpenAPI
 * document (`/openapi.json`, `/docs`) is built from all of them.
 *
 * A request goes to the first group, in the order below, with a prefix its path starts with (a
 * prefix is a whole path or its first segments); `test/unit/route-groups.test.ts` checks that this
 * is the group that serves it, for every route.
 */
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../http/env.js';

export interface RouteGroup {
  /** For messages and tests. */
  name: string;
  /** The paths it serves, each with everything under it: `/campaigns` for `/campaigns/{id}`. */
  prefixes: readonly string[];
  load: () => Promise<OpenAPIHono<AppEnv>>;
}

/** Several routers served as one: the first, with the others' routes added (and their OpenAPI entries). */
function together(first: OpenAPIHono<AppEnv>, ...others: OpenAPIHono<AppEnv>[]): OpenAPIHono<AppEnv> {
  for (const router of others) first.route('/', router);
  return first;
}

export const routeGroups: readonly RouteGroup[] = [
  { name: 'health', prefixes: ['/health'], load: async () => (await import('./health.js')).healthRoutes() },
  { name: 'tokens', prefixes: ['/me', '/tokens'], load: async () => (await import('./tokens.js')).tokenRoutes() },
  { name: 'counties', prefixes: ['/counties'], load: async () => (await import('./counties.js')).countyRoutes() },
  { name: 'feeds', prefixes: ['/feeds'], load: async () => (await import('./feeds.js')).feedRoutes() },
  { name: 'plans', prefixes: ['/plans', '/registry', '/sms-templates'], load: async () => (await import('./plans.js')).planRoutes() },
  {
    name: 'campaigns',
    prefixes: ['/campaigns', '/reviews'],
    load: async () => {
      const [campaigns, deliveries] = await Promise.all([import('./campaigns.js'), import('./deliveries.js')]);
      return together(campaigns.campaignRoutes(), deliveries.deliveryRoutes());
    },
  },
  // The CSV imports of subscribers and of stations live together; before the stations' group, so it gets `/stations/import`.
  { name: 'subscribers', prefixes: ['/subscribers', '/stations/import'], load: async () => (await import('./subscribers.js')).subscriberRoutes() },
  { name: 'stations', prefixes: ['/stations'], load: async () => (await import('./stations.js')).stationRoutes() },
  { name: 'outbox', prefixes: ['/outbox'], load: async () => (await import('./outbox.js')).outboxRoutes() },
  {
    name: 'activities',
    prefixes: ['/activities'],
    load: async () => {
      const [activities, evidence] = await Promise.all([import('./activities.js'), import('./evidence.js')]);
      return together(activities.activityRoutes(), evidence.evidenceRoutes());
    },
  },
  // A local install's evidence uploads (the browser's POST of the file, as it does to S3 on AWS).
  { name: 'evidence-uploads', prefixes: ['/evidence-uploads'], load: async () => (await import('./evidence-uploads.js')).evidenceUploadRoutes() },
  { name: 'tallies', prefixes: ['/tallies'], load: async () => (await import('./tallies.js')).tallyRoutes() },
  // A city's or a province's counties side by side (operator, city and province tokens).
  { name: 'rollup', prefixes: ['/rollup'], load: async () => (await import('./rollup.js')).rollupRoutes() },
  { name: 'reports', prefixes: ['/reports'], load: async () => (await import('./reports.js')).reportRoutes() },
  { name: 'sms-budget', prefixes: ['/sms-budget'], load: async () => (await import('./sms-budget.js')).smsBudgetRoutes() },
  { name: 'audio', prefixes: ['/audio'], load: async () => (await import('./audio.js')).audioRoutes() },
  { name: 'wechat', prefixes: ['/wechat'], load: async () => (await import('./wechat.js')).wechatRoutes() },
  { name: 'images', prefixes: ['/images'], load: async () => (await import('./images.js')).imageRoutes() },
  { name: 'audit', prefixes: ['/audit'], load: async () => (await import('./audit.js')).auditRoutes() },
];

/** Every group's routes in one router, in the order above: what the OpenAPI document describes. */
export async function allRouteGroups(): Promise<OpenAPIHono<AppEnv>> {
  const [first, ...others] = await Promise.all(routeGroups.map((group) => group.load()));
  if (!first) throw new Error('no route groups');
  return together(first, ...others);
}
