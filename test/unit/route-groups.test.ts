/**
 * The API's route groups (functions/routes/groups.ts) are mounted lazily by path prefix: each
 * route must reach the group that serves it — the first group, in order, with a prefix its path
 * lies under — or it would answer 404 in the running app although the OpenAPI document lists it.
 */
import { describe, expect, it } from 'vitest';
import { routeGroups } from '../../functions/routes/groups.js';

const under = (path: string, prefix: string) => path === prefix || path.startsWith(`${prefix}/`);

/** The group a request for `path` goes to, as app.ts mounts them. */
const groupFor = (path: string) => routeGroups.find((group) => group.prefixes.some((prefix) => under(path, prefix)))?.name;

describe('the route groups', () => {
  it('send every route to the group that serves it', async () => {
    const misrouted: string[] = [];
    let routes = 0;
    for (const group of routeGroups) {
      const router = await group.load();
      const paths = [...new Set(router.routes.filter((route) => route.method !== 'ALL').map((route) => route.path))];
      expect(paths.length, group.name).toBeGreaterThan(0);
      routes += paths.length;
      // A concrete path for each route: `/campaigns/:id` -> `/campaigns/x`.
      for (const path of paths) {
        const reached = groupFor(path.replace(/:[^/]+/g, 'x'));
        if (reached !== group.name) misrouted.push(`${path} (in ${group.name}) goes to ${reached ?? 'no group'}`);
      }
    }
    expect(routes).toBeGreaterThan(30);
    expect(misrouted).toEqual([]);
  });

  it('have names and prefixes that say what they serve', () => {
    const names = routeGroups.map((group) => group.name);
    expect(new Set(names).size).toBe(names.length);
    for (const group of routeGroups) for (const prefix of group.prefixes) expect(prefix).toMatch(/^\/[a-z-]+(\/[a-z-]+)*$/);
  });
});
