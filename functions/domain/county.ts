/**
 * @module domain/county
 * Counties as data: one deployment serves many. The operator (平台管理员) creates each county with
 * its name, time zone, SMS signature and monthly SMS budget, and says which city and province it
 * belongs to, so a city's or a province's office reads its counties side by side. Pure.
 */
import { z } from 'zod';
import { Forbidden } from './errors.js';
import { regionIdSchema, type Caller } from './access.js';
import { plainNumberSchema, visibleText } from './text.js';
import { isKnownTimeZone } from './time-zone.js';

/** A county's id, inside every key of its data (`C#<id>`): as PUFA_COUNTY, so the two always agree. */
export const countyIdSchema = z.string().regex(/^[a-z0-9][a-z0-9-]{1,39}$/, 'lowercase letters, digits and "-", 2-40 characters, e.g. tianquan');

const timeZoneSchema = z.string().refine((zone) => isKnownTimeZone(zone), 'not an IANA time zone such as Asia/Shanghai');

const countyFields = {
  name: visibleText(40).describe('the county’s name as reports print it, e.g. 天全县'),
  timeZone: timeZoneSchema.describe('IANA time zone of the county’s plans and tallies, e.g. Asia/Shanghai'),
  smsSignature: visibleText(12).min(2).describe('registered SMS signature, shown as 【…】, for plans that set none'),
  // A number DynamoDB can store (no 1e-300), as PUT /sms-budget takes it.
  monthlyBudgetYuan: plainNumberSchema.min(0).max(10_000_000).nullable().describe('monthly SMS budget in yuan; null: none (the deployment’s default applies)'),
  city: regionIdSchema.nullable().describe('the city it belongs to (a city token reads its counties), e.g. yaan'),
  province: regionIdSchema.nullable().describe('the province it belongs to, e.g. sichuan'),
};

/** `POST /counties`: the id and name are needed; the rest has defaults or may come later. */
export const countyInputSchema = z
  .object({
    id: countyIdSchema,
    name: countyFields.name,
    timeZone: countyFields.timeZone.optional().describe('default: the deployment’s (PUFA_TIME_ZONE)'),
    smsSignature: countyFields.smsSignature.optional(),
    monthlyBudgetYuan: countyFields.monthlyBudgetYuan.optional(),
    city: countyFields.city.optional(),
    province: countyFields.province.optional(),
  })
  .strict();
export type CountyInput = z.infer<typeof countyInputSchema>;

/** `PATCH /counties/{id}`: any of the fields; null takes an optional one off. The id never changes. */
export const countyPatchSchema = z
  .object({
    name: countyFields.name,
    timeZone: countyFields.timeZone,
    smsSignature: countyFields.smsSignature.nullable(),
    monthlyBudgetYuan: countyFields.monthlyBudgetYuan,
    city: countyFields.city,
    province: countyFields.province,
  })
  .partial()
  .strict()
  .refine((patch) => Object.keys(patch).length > 0, 'name at least one field to change');
export type CountyPatch = z.infer<typeof countyPatchSchema>;

export const countyRecordSchema = z.object({
  id: z.string(),
  name: z.string(),
  timeZone: z.string(),
  smsSignature: z.string().optional(),
  city: z.string().optional(),
  province: z.string().optional(),
  createdAt: z.string(),
  updatedAt: z.string(),
  version: z.number().int(),
});
export type CountyRecord = z.infer<typeof countyRecordSchema>;

/**
 * The record a create makes, in the deployment's time zone unless it names its own: the budget is
 * not part of it (the SMS budget keeps it, as PUT /sms-budget does).
 */
export function newCountyRecord(input: CountyInput, now: Date, deploymentTimeZone: string): CountyRecord {
  return {
    id: input.id,
    name: input.name,
    timeZone: input.timeZone ?? deploymentTimeZone,
    ...(input.smsSignature ? { smsSignature: input.smsSignature } : {}),
    ...(input.city ? { city: input.city } : {}),
    ...(input.province ? { province: input.province } : {}),
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
    version: 1,
  };
}

/** The record after a patch: null takes a field off, absent leaves it. */
export function patchedCounty(record: CountyRecord, patch: CountyPatch, now: Date): CountyRecord {
  const next: CountyRecord = { ...record, updatedAt: now.toISOString(), version: record.version + 1 };
  if (patch.name !== undefined) next.name = patch.name;
  if (patch.timeZone !== undefined) next.timeZone = patch.timeZone;
  for (const field of ['smsSignature', 'city', 'province'] as const) {
    const value = patch[field];
    if (value === null) delete next[field];
    else if (value !== undefined) next[field] = value;
  }
  return next;
}

/** The counties a caller may read side by side: a city's or a province's, every one for the operator. */
export function countiesInScope<T extends Pick<CountyRecord, 'city' | 'province'>>(caller: Caller, counties: readonly T[]): T[] {
  switch (caller.role) {
    case 'operator':
      return [...counties];
    case 'city':
      return counties.filter((county) => county.city !== undefined && county.city === caller.city);
    case 'province':
      return counties.filter((county) => county.province !== undefined && county.province === caller.province);
    default:
      throw new Forbidden('Only the operator, a city or a province reads several counties.');
  }
}

/** Whether the caller may read this county's figures (404 to the rest: no hint which counties exist). */
export function countyInScope(caller: Caller, county: Pick<CountyRecord, 'city' | 'province'>): boolean {
  return countiesInScope(caller, [county]).length === 1;
}
