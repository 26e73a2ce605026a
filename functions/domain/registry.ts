/**
 * @module domain/registry
 * The county's places and stations: townships (乡镇), villages (村) and village broadcast
 * stations (村村通广播站), plus the subscriber groups SMS audiences may name, and the county
 * departments responsible for legal publicity (谁执法谁普法: 公安局, 市场监管局 …). Pure checks of
 * audiences against them.
 */
import { z } from 'zod';
import { idSchema } from './access.js';
import type { TokenGrant } from './access.js';
import type { Audience, Channel } from './planning.js';
import { visibleText } from './text.js';

const name = visibleText(60);

/** An SNS HTTP/S subscription takes an http or https address (https in production). */
export const pushEndpointSchema = z.url({ protocol: /^https?$/, error: 'an http:// or https:// address' }).max(500);

export const townshipSchema = z.object({ id: idSchema, name });
export const villageSchema = z.object({ id: idSchema, township: idSchema, name });
export const stationSchema = z.object({
  id: idSchema,
  village: idSchema,
  name,
  operator: visibleText(60, { min: 0 }).optional().describe('who runs the loudspeakers'),
  contact: z.string().trim().max(40).optional().describe('the operator’s phone, E.164; shown masked to non-admins'),
  pushEndpoint: pushEndpointSchema.optional().describe('where the station wants scripts pushed (an SNS HTTP/S subscription), if it has such a receiver'),
});
/** A county department with publicity duties (普法责任单位). */
export const departmentSchema = z.object({
  id: idSchema,
  name,
  contact: visibleText(80, { min: 0 }).optional().describe('who to ask there: an office or a person, as the county writes it'),
});
export type Department = z.infer<typeof departmentSchema>;

/** What a fixed placement shows publicity on: the activity kinds 标语, 宣传栏 and LED滚动宣传. */
export const placementKinds = ['banner', 'bulletin', 'led'] as const;
export type PlacementKind = (typeof placementKinds)[number];

/** A fixed place where a banner hangs, a bulletin board stands or an LED display runs. */
export const placementSchema = z.object({
  id: idSchema,
  name,
  kind: z.enum(placementKinds).describe('banner 标语, bulletin 宣传栏 or led LED显示屏'),
  township: idSchema,
  village: idSchema.optional(),
  address: visibleText(100, { min: 0 }).optional().describe('where exactly, as staff would find it'),
});
export type Placement = z.infer<typeof placementSchema>;
export type Township = z.infer<typeof townshipSchema>;
export type Village = z.infer<typeof villageSchema>;
export type Station = z.infer<typeof stationSchema>;

export const registrySchema = z.object({
  townships: z.array(townshipSchema).max(200).default([]),
  villages: z.array(villageSchema).max(5000).default([]),
  stations: z.array(stationSchema).max(5000).default([]),
  groups: z.array(visibleText(40)).max(50).default([]),
  departments: z.array(departmentSchema).max(200).default([]).describe('the county departments responsible for legal publicity (谁执法谁普法)'),
  placements: z.array(placementSchema).max(2000).default([]).describe('fixed places for banners (标语), bulletin boards (宣传栏) and LED displays'),
});
export type Registry = z.infer<typeof registrySchema>;

export interface Problem {
  path: (string | number)[];
  message: string;
}

/**
 * Cross-references: every village's township and every station's village exist — in `known`,
 * which is the registry as it will be after the change (by default, the registry itself).
 */
export function checkRegistry(registry: Registry, known: Registry = registry): Problem[] {
  const problems: Problem[] = [];
  const townships = new Set(known.townships.map((township) => township.id));
  const villages = new Set(known.villages.map((village) => village.id));
  const seen = (kind: 'townships' | 'villages' | 'stations' | 'departments' | 'placements') => {
    const ids = new Set<string>();
    registry[kind].forEach((item, index) => {
      if (ids.has(item.id)) problems.push({ path: [kind, index, 'id'], message: `"${item.id}" is listed twice` });
      ids.add(item.id);
    });
  };
  seen('townships');
  seen('villages');
  seen('stations');
  seen('departments');
  seen('placements');
  const villageTownship = new Map(known.villages.map((village) => [village.id, village.township]));
  registry.placements.forEach((placement, index) => {
    if (!townships.has(placement.township)) problems.push({ path: ['placements', index, 'township'], message: `unknown township "${placement.township}"` });
    if (placement.village !== undefined && villageTownship.get(placement.village) !== placement.township) {
      problems.push({ path: ['placements', index, 'village'], message: villages.has(placement.village) ? `"${placement.village}" is not in township "${placement.township}"` : `unknown village "${placement.village}"` });
    }
  });
  registry.villages.forEach((village, index) => {
    if (!townships.has(village.township)) {
      problems.push({ path: ['villages', index, 'township'], message: `unknown township "${village.township}"` });
    }
  });
  registry.stations.forEach((station, index) => {
    if (!villages.has(station.village)) {
      problems.push({ path: ['stations', index, 'village'], message: `unknown village "${station.village}"` });
    }
  });
  return problems;
}

/** Every township, village and group the audience names must exist; broadcasts have no groups. */
export function checkAudience(audience: Audience, registry: Registry, channel: Channel): Problem[] {
  const problems: Problem[] = [];
  const townships = new Set(registry.townships.map((township) => township.id));
  const villages = new Set(registry.villages.map((village) => village.id));
  const groups = new Set(registry.groups);
  audience.townships.forEach((id, index) => {
    if (!townships.has(id)) problems.push({ path: ['townships', index], message: `unknown township "${id}"` });
  });
  audience.villages.forEach((id, index) => {
    if (!villages.has(id)) problems.push({ path: ['villages', index], message: `unknown village "${id}"` });
  });
  if (channel === 'broadcast' && audience.groups.length > 0) {
    problems.push({ path: ['groups'], message: 'broadcasts reach stations, not subscriber groups' });
  } else {
    audience.groups.forEach((group, index) => {
      if (!groups.has(group)) problems.push({ path: ['groups', index], message: `unknown subscriber group "${group}"` });
    });
  }
  return problems;
}

/** A staff token limited to a township may only address that township and its villages. */
export function audienceWithinTownship(audience: Audience, township: string, registry: Registry): boolean {
  if (audience.all) return false;
  const villageTownship = new Map(registry.villages.map((village) => [village.id, village.township]));
  return (
    audience.townships.every((id) => id === township) &&
    audience.villages.every((id) => villageTownship.get(id) === township) &&
    (audience.townships.length > 0 || audience.villages.length > 0)
  );
}

/**
 * A token's scope must name what exists: a station token a registered station, a staff token's
 * township a registered township, its department a registered department. A typo would otherwise give a token that sees nothing.
 */
export function checkGrantScope(grant: TokenGrant, registry: Registry): Problem[] {
  const problems: Problem[] = [];
  const stationId = grant.role === 'station' ? grant.stationId : undefined;
  const township = grant.role === 'staff' ? grant.township : undefined;
  const department = grant.role === 'staff' ? grant.department : undefined;
  if (stationId !== undefined && !registry.stations.some((station) => station.id === stationId)) {
    problems.push({ path: ['stationId'], message: `no station "${stationId}" in the registry (import stations first)` });
  }
  if (township !== undefined && !registry.townships.some((known) => known.id === township)) {
    problems.push({ path: ['township'], message: `no township "${township}" in the registry` });
  }
  if (department !== undefined && !registry.departments.some((known) => known.id === department)) {
    problems.push({ path: ['department'], message: `no department "${department}" in the registry` });
  }
  return problems;
}

/** Every department a record names (its `departments` list) must be one of the registry's. */
export function checkDepartments(ids: readonly string[], registry: Registry): Problem[] {
  const known = new Set(registry.departments.map((department) => department.id));
  return ids.flatMap((id, index) => (known.has(id) ? [] : [{ path: ['departments', index], message: `unknown department "${id}"` }]));
}

/**
 * An activity's placements: each in the registry, of the activity's own kind (a 标语 activity names
 * banner placements) and in its township. Only banner, bulletin and LED activities name any.
 */
export function checkPlacements(activity: { kind: string; township: string; placements?: readonly string[] | undefined }, registry: Registry): Problem[] {
  const ids = activity.placements ?? [];
  if (ids.length === 0) return [];
  if (!(placementKinds as readonly string[]).includes(activity.kind)) {
    return [{ path: ['placements'], message: `only 标语 (banner), 宣传栏 (bulletin) and LED (led) activities name placements, not "${activity.kind}"` }];
  }
  const byId = new Map(registry.placements.map((placement) => [placement.id, placement]));
  return ids.flatMap((id, index) => {
    const placement = byId.get(id);
    if (!placement) return [{ path: ['placements', index], message: `unknown placement "${id}"` }];
    if (placement.kind !== activity.kind) return [{ path: ['placements', index], message: `"${id}" is a ${placement.kind} placement, not ${activity.kind}` }];
    if (placement.township !== activity.township) return [{ path: ['placements', index], message: `"${id}" is in township "${placement.township}", not "${activity.township}"` }];
    return [];
  });
}
