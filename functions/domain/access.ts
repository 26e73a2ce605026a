/**
 * @module domain/access
 * Who may call pufa: roles, access tokens and the rules around them. Pure apart from the
 * Web Crypto calls that make and hash secrets (available in Node and in Lambda alike).
 */
import { z } from 'zod';
import { Forbidden, Unauthenticated } from './errors.js';
import { visibleText } from './text.js';

export const roles = ['admin', 'staff', 'reviewer', 'station', 'county', 'operator', 'city', 'province'] as const;
export type Role = (typeof roles)[number];

/** Roles whose token belongs to one county: everything they reach is that county's. */
export const countyRoles = ['admin', 'staff', 'reviewer', 'station', 'county'] as const satisfies readonly Role[];
/**
 * Roles of the deployment above the counties: the operator (平台管理员) creates counties and issues
 * their first tokens; a city's or a province's rule-of-law office reads its counties side by side.
 * Their tokens belong to no county (`county` is DEPLOYMENT_SCOPE), so no county route lets them in.
 */
export const levelRoles = ['operator', 'city', 'province'] as const satisfies readonly Role[];
export type LevelRole = (typeof levelRoles)[number];
export const isLevelRole = (role: Role): role is LevelRole => (levelRoles as readonly Role[]).includes(role);

/**
 * The `county` of a token above the counties. No county id can be it (county ids start with a
 * letter or digit), so a county's keys and this scope's never meet.
 */
export const DEPLOYMENT_SCOPE = '_deployment';

/** A city's or a province's id, as county records name them: `yaan`, `sichuan`. */
export const regionIdSchema = z.string().regex(/^[a-z0-9][a-z0-9-]{1,39}$/, 'lowercase letters, digits and "-", 2-40 characters');

/** zh-CN names used in the UI and the CLI. */
export const roleLabels: Record<Role, string> = {
  admin: '系统管理员',
  staff: '普法宣传人员',
  reviewer: '法制审核人员',
  station: '村村通广播站',
  county: '依法治县办',
  operator: '平台管理员',
  city: '市级依法治市办',
  province: '省级依法治省办',
};

const SECRET_PREFIX = 'pufa_';
/** 256 bits of randomness, as the design asks. */
const SECRET_BYTES = 32;
const SECRET_PATTERN = /^pufa_[A-Za-z0-9_-]{43}$/;

export const idSchema = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'letters, digits, "_" or "-", at most 64');

const grantBase = {
  name: visibleText(80),
  expiresAt: z.iso.datetime({ offset: true }).optional(),
};

/** Registry ids a record names, each once, at most `max`. */
export const uniqueIdsSchema = (max: number) =>
  z
    .array(idSchema)
    .max(max)
    .superRefine((ids, context) => {
      ids.forEach((id, index) => {
        if (ids.indexOf(id) !== index) context.addIssue({ code: 'custom', message: `"${id}" is named twice`, path: [index] });
      });
    });

/** The county departments responsible for a record (谁执法谁普法): registry ids, each once. */
export const departmentIdsSchema = uniqueIdsSchema(10);

/** A follower's OpenID with one official account: 28 characters in practice; letters, digits, "_" and "-". */
export const wechatOpenIdSchema = z.string().regex(/^[A-Za-z0-9_-]{16,64}$/, 'a WeChat OpenID: 16-64 letters, digits, "_" or "-"');

/** What a token allows: a discriminated union, so a station token always names its station. */
export const tokenGrantSchema = z.discriminatedUnion('role', [
  z.object({ role: z.literal('admin'), ...grantBase }),
  z.object({
    role: z.literal('staff'),
    ...grantBase,
    township: idSchema.optional().describe('limits the staff member to one township'),
    department: idSchema.optional().describe('limits the staff member to the work of one county department (谁执法谁普法): campaigns, notices and activities that name it'),
  }),
  z.object({
    role: z.literal('reviewer'),
    ...grantBase,
    wechatOpenId: wechatOpenIdSchema.optional().describe('the reviewer’s OpenID with the county’s official account: an approved WeChat article is previewed there'),
  }),
  z.object({ role: z.literal('station'), ...grantBase, stationId: idSchema }),
  z.object({ role: z.literal('county'), ...grantBase }),
  z.object({ role: z.literal('operator'), ...grantBase }),
  z.object({
    role: z.literal('city'),
    ...grantBase,
    city: regionIdSchema.describe('the city whose counties it reads (counties name it as `city`)'),
    regionName: visibleText(20).optional().describe('the city’s name as roll-up reports print it, e.g. 雅安市'),
  }),
  z.object({
    role: z.literal('province'),
    ...grantBase,
    province: regionIdSchema.describe('the province whose counties it reads (counties name it as `province`)'),
    regionName: visibleText(20).optional().describe('the province’s name as roll-up reports print it, e.g. 四川省'),
  }),
]);
export type TokenGrant = z.infer<typeof tokenGrantSchema>;

/** A token as stored and as listed: the grant plus identity and bookkeeping; never the secret. */
export const tokenRecordSchema = z.object({
  id: z.string(),
  county: z.string(),
  role: z.enum(roles),
  name: z.string(),
  stationId: z.string().optional(),
  township: z.string().optional(),
  /** A staff token's department: it may only create or change what names that department. */
  department: z.string().optional(),
  /** A reviewer's OpenID with the county's official account, for previews of approved articles. */
  wechatOpenId: z.string().optional(),
  /** A city token's city, a province token's province: the counties it reads. */
  city: z.string().optional(),
  province: z.string().optional(),
  /** A city's or a province's name as its roll-up prints it (雅安市). */
  regionName: z.string().optional(),
  createdAt: z.string(),
  createdBy: z.string(),
  expiresAt: z.string().optional(),
  revokedAt: z.string().optional(),
});
export type TokenRecord = z.infer<typeof tokenRecordSchema>;

/** The resolved caller of a request: who they are and what their token limits them to. */
export const callerSchema = tokenRecordSchema
  .pick({ county: true, role: true, name: true, stationId: true, township: true, department: true, wechatOpenId: true, city: true, province: true, regionName: true })
  .extend({ tokenId: z.string() });
export type Caller = z.infer<typeof callerSchema>;

export function newTokenSecret(): string {
  return randomSecret(SECRET_PREFIX);
}

/** A prefix (which says what the secret is for) and 256 random bits, base64url: tokens and sessions alike. */
export function randomSecret(prefix: string): string {
  const bytes = crypto.getRandomValues(new Uint8Array(SECRET_BYTES));
  return prefix + Buffer.from(bytes).toString('base64url');
}

export function looksLikeTokenSecret(secret: string): boolean {
  return SECRET_PATTERN.test(secret);
}

/**
 * SHA-256 of the secret, hex. A fast hash is enough: the secret has 256 random bits, so there
 * is nothing to brute-force, and only the hash is stored.
 */
export async function hashTokenSecret(secret: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(secret));
  return Buffer.from(digest).toString('hex');
}

/** A time-sortable id: milliseconds in base 36, then 10 random characters. */
export function newId(prefix: string, now: Date): string {
  const time = now.getTime().toString(36).padStart(9, '0');
  const random = Buffer.from(crypto.getRandomValues(new Uint8Array(8)))
    .toString('base64url')
    .replace(/[-_]/g, 'x')
    .slice(0, 10);
  return `${prefix}_${time}${random}`;
}

/**
 * A token as listed or audited: a reviewer's WeChat OpenID shortened to recognise it by (the
 * full one stays on the token, for previews only).
 */
export function tokenForDisplay(record: TokenRecord): TokenRecord {
  return record.wechatOpenId ? { ...record, wechatOpenId: maskOpenId(record.wechatOpenId) } : record;
}

/** An OpenID as pages, lists and the audit log show it: enough to recognise, not to reuse. */
export function maskOpenId(openId: string): string {
  return `${openId.slice(0, 4)}…${openId.slice(-4)}`;
}

export function tokenRecordFromGrant(
  grant: TokenGrant,
  context: { id: string; county: string; createdBy: string; now: Date },
): TokenRecord {
  return {
    id: context.id,
    county: context.county,
    role: grant.role,
    name: grant.name,
    ...(grant.role === 'station' ? { stationId: grant.stationId } : {}),
    ...(grant.role === 'staff' && grant.township ? { township: grant.township } : {}),
    ...(grant.role === 'staff' && grant.department ? { department: grant.department } : {}),
    ...(grant.role === 'reviewer' && grant.wechatOpenId ? { wechatOpenId: grant.wechatOpenId } : {}),
    ...(grant.role === 'city' ? { city: grant.city } : {}),
    ...(grant.role === 'province' ? { province: grant.province } : {}),
    ...((grant.role === 'city' || grant.role === 'province') && grant.regionName ? { regionName: grant.regionName } : {}),
    createdAt: context.now.toISOString(),
    createdBy: context.createdBy,
    ...(grant.expiresAt ? { expiresAt: new Date(grant.expiresAt).toISOString() } : {}),
  };
}

/**
 * Decides whether a stored token may act now. Unknown, revoked and expired tokens are all
 * "unauthenticated" to the outside, with no hint which, so a probe learns nothing.
 */
export function callerFromToken(record: TokenRecord | undefined, now: Date): Caller {
  if (!record || record.revokedAt || (record.expiresAt && Date.parse(record.expiresAt) <= now.getTime())) {
    throw new Unauthenticated('The access token is unknown, revoked or expired.');
  }
  // A county's role belongs to a county, a role above the counties to none: a token that mixes them
  // (made by hand, or by a tool's mistake) opens nothing.
  if (isLevelRole(record.role) !== (record.county === DEPLOYMENT_SCOPE)) {
    throw new Unauthenticated('The access token is unknown, revoked or expired.');
  }
  return {
    tokenId: record.id,
    county: record.county,
    role: record.role,
    name: record.name,
    ...(record.stationId ? { stationId: record.stationId } : {}),
    ...(record.township ? { township: record.township } : {}),
    ...(record.department ? { department: record.department } : {}),
    ...(record.wechatOpenId ? { wechatOpenId: record.wechatOpenId } : {}),
    ...(record.city ? { city: record.city } : {}),
    ...(record.province ? { province: record.province } : {}),
    ...(record.regionName ? { regionName: record.regionName } : {}),
  };
}

export function requireRole(caller: Caller, allowed: readonly Role[]): void {
  if (!allowed.includes(caller.role)) {
    throw new Forbidden(`This action needs one of the roles: ${allowed.join(', ')}.`);
  }
}

/** The township a staff token is limited to, if any. */
export function townshipScope(caller: Caller): string | undefined {
  return caller.role === 'staff' ? caller.township : undefined;
}

/** The department a staff token is limited to, if any. */
export function departmentScope(caller: Caller): string | undefined {
  return caller.role === 'staff' ? caller.department : undefined;
}

/**
 * Refuses (403) a limited staff token a record outside its scope: another township's, or one
 * that does not name the token's department. Used for reading an activity and, with the record
 * both before and after, for changing one: a department's staff may neither touch another
 * department's record nor take their own department off it.
 */
export function requireInScope(caller: Caller, record: { township: string; departments?: readonly string[] | undefined }): void {
  const township = townshipScope(caller);
  if (township !== undefined && township !== record.township) {
    throw new Forbidden(`Your token is limited to township "${township}".`);
  }
  const department = departmentScope(caller);
  if (department !== undefined && !(record.departments ?? []).includes(department)) {
    throw new Forbidden(`Your token is limited to department "${department}": the record must name it among its departments.`);
  }
}

/**
 * Refuses (403) a department-limited staff token a campaign or notice whose responsible
 * departments do not include its own. `what` names the record in the message.
 */
export function requireDepartment(caller: Caller, departments: readonly string[] | undefined, what: string): void {
  const department = departmentScope(caller);
  if (department !== undefined && !(departments ?? []).includes(department)) {
    throw new Forbidden(`Your token is limited to department "${department}": ${what} must name it among its departments (departments: [${department}]).`);
  }
}

/**
 * Refuses (403) a department-limited staff token a change that takes other departments off a
 * shared record: it may add its own department, not remove a co-responsible one.
 */
export function requireKeepsDepartments(caller: Caller, before: readonly string[] | undefined, after: readonly string[] | undefined, what: string): void {
  const department = departmentScope(caller);
  if (department === undefined) return;
  const dropped = (before ?? []).filter((id) => !(after ?? []).includes(id));
  if (dropped.length > 0) {
    throw new Forbidden(`Your token is limited to department "${department}": it may add its own department to ${what} but not take others off it (${dropped.join(', ')}).`);
  }
}

/**
 * Who may issue what at `POST /tokens`: a county's admin issues its county's roles; the operator
 * issues the roles above the counties (a county's tokens it issues at `POST /counties/{id}/tokens`).
 */
export function checkGrantRole(issuer: Role, grant: TokenGrant): string | undefined {
  if (issuer === 'operator') return isLevelRole(grant.role) ? undefined : `the operator issues ${levelRoles.join(', ')} here; a county's tokens at POST /counties/{id}/tokens`;
  return isLevelRole(grant.role) ? `one of ${countyRoles.join(', ')}: only the operator issues ${levelRoles.join(', ')} tokens` : undefined;
}

/** Rejects a grant that would outlive "now" by nothing: an already-expired token is a mistake. */
export function checkGrantExpiry(grant: TokenGrant, now: Date): string | undefined {
  if (grant.expiresAt && Date.parse(grant.expiresAt) <= now.getTime()) {
    return 'must be in the future';
  }
  return undefined;
}
