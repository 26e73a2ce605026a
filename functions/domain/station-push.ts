/**
 * @module domain/station-push
 * Pushing scripts to a station's own receiver: each station with a `pushEndpoint` holds one SNS
 * HTTP/S subscription on the station topic, filtered on its station id. Pure rules only: which
 * subscription changes a registry change calls for, how a subscription's state reads to people,
 * and SNS's filter policy matching (message attributes scope) that the local sink routes with.
 */
import { z } from 'zod';

/**
 * What pufa knows of a station's subscription. `pending`: SNS sent the confirmation request and
 * the receiver has not visited its SubscribeURL yet; `confirmed`: SNS delivers; `failed`: the
 * Subscribe call (or the subscription) failed, with the reason; `retiring`: the station or its
 * endpoint is gone but SNS still holds a subscription pufa could not delete yet (SNS refuses to
 * delete one pending confirmation and drops it by itself after 48 hours).
 */
export const subscriptionStates = ['pending', 'confirmed', 'failed', 'retiring'] as const;
export type SubscriptionState = (typeof subscriptionStates)[number];

export const stationSubscriptionSchema = z.object({
  stationId: z.string(),
  endpoint: z.string(),
  state: z.enum(subscriptionStates),
  subscriptionArn: z.string().optional(),
  /** Why the last SNS call about this subscription failed. */
  error: z.string().optional(),
  subscribedAt: z.string().optional(),
  confirmedAt: z.string().optional(),
  /**
   * `county`: its filter policy names the county with the station (filterPolicyFor). A subscription
   * made before counties were in the filter lacks it, and gets the county's filter at its next check.
   */
  filter: z.literal('county').optional(),
  updatedAt: z.string(),
});
export type StationSubscription = z.infer<typeof stationSubscriptionSchema>;

/** What a station told pufa about pushes: the receiver's receipts and the airings it confirmed. */
export const stationPushSeenSchema = z.object({
  stationId: z.string(),
  lastPushReceivedAt: z.string().optional(),
  lastPushScriptId: z.string().optional(),
  lastAiringConfirmedAt: z.string().optional(),
});
export type StationPushSeen = z.infer<typeof stationPushSeenSchema>;

/**
 * The filter policy (scope MessageAttributes) that gives a subscription only its own station's
 * scripts: its county's and its station's, since station ids are unique only within a county (two
 * counties of one deployment may each have an `st-xiangyang`).
 */
export function filterPolicyFor(county: string, stationId: string): FilterPolicy {
  return { county: [county], station: [stationId] };
}

export type SyncAction =
  | { kind: 'subscribe'; stationId: string; endpoint: string; replacing?: StationSubscription }
  | { kind: 'unsubscribe'; stationId: string; record: StationSubscription };

/**
 * The SNS calls that bring the stations named (`stations`, as they now are) and the stations
 * removed in line with what pufa recorded. A failed subscription is tried again whenever its
 * station is written again; an endpoint changed is a new subscription (SNS cannot move one).
 */
export function planSubscriptionSync(
  stations: readonly { id: string; pushEndpoint?: string | undefined }[],
  removed: readonly string[],
  records: ReadonlyMap<string, StationSubscription>,
): SyncAction[] {
  const actions: SyncAction[] = [];
  for (const station of stations) {
    const record = records.get(station.id);
    const endpoint = station.pushEndpoint;
    if (endpoint) {
      if (!record) actions.push({ kind: 'subscribe', stationId: station.id, endpoint });
      else if (record.endpoint !== endpoint) actions.push({ kind: 'subscribe', stationId: station.id, endpoint, replacing: record });
      else if (record.state === 'failed' || record.state === 'retiring') actions.push({ kind: 'subscribe', stationId: station.id, endpoint });
    } else if (record && record.state !== 'retiring') {
      actions.push({ kind: 'unsubscribe', stationId: station.id, record });
    }
  }
  for (const stationId of removed) {
    const record = records.get(stationId);
    if (record && record.state !== 'retiring') actions.push({ kind: 'unsubscribe', stationId, record });
  }
  return actions;
}

/** How a station gets its scripts, as the stations list shows it. */
export const pushModes = ['subscribed', 'pending', 'failed', 'pulling'] as const;
export type PushMode = (typeof pushModes)[number];

export function pushModeOf(record: StationSubscription | undefined): PushMode {
  if (!record || record.state === 'retiring') return 'pulling';
  if (record.state === 'confirmed') return 'subscribed';
  return record.state;
}

export const pushModeLabels: Record<PushMode, string> = {
  subscribed: '已订阅推送',
  pending: '等待接收端确认',
  failed: '订阅失败',
  pulling: '自行取稿',
};

// --- SNS filter policies (FilterPolicyScope: MessageAttributes), the part pufa's sink routes on.

type Condition =
  | string
  | number
  | boolean
  | null
  | { prefix: string }
  | { suffix: string }
  | { exists: boolean }
  | { 'anything-but': string | number | (string | number)[] }
  | { numeric: (string | number)[] };

export type FilterPolicy = Record<string, Condition[]>;

const conditionSchema: z.ZodType<Condition> = z.union([
  z.string(),
  z.number(),
  z.boolean(),
  z.null(),
  z.strictObject({ prefix: z.string() }),
  z.strictObject({ suffix: z.string() }),
  z.strictObject({ exists: z.boolean() }),
  z.strictObject({ 'anything-but': z.union([z.string(), z.number(), z.array(z.union([z.string(), z.number()])).min(1)]) }),
  z.strictObject({ numeric: z.array(z.union([z.string(), z.number()])).min(2).max(4) }),
]);

/** A flat (message attributes) filter policy: each key a list of 1-150 conditions. */
export const filterPolicySchema = z.record(z.string().min(1), z.array(conditionSchema).min(1).max(150));

function numericMatches(operators: (string | number)[], value: number): boolean {
  for (let index = 0; index + 1 < operators.length; index += 2) {
    const operator = operators[index];
    const bound = Number(operators[index + 1]);
    const holds =
      operator === '=' ? value === bound : operator === '<' ? value < bound : operator === '<=' ? value <= bound : operator === '>' ? value > bound : operator === '>=' ? value >= bound : false;
    if (!holds) return false;
  }
  return true;
}

function conditionMatches(condition: Condition, value: string | undefined): boolean {
  if (condition === null || typeof condition !== 'object') {
    return value !== undefined && (typeof condition === 'number' ? Number(value) === condition : value === String(condition));
  }
  if ('exists' in condition) return condition.exists === (value !== undefined);
  if (value === undefined) return false;
  if ('prefix' in condition) return value.startsWith(condition.prefix);
  if ('suffix' in condition) return value.endsWith(condition.suffix);
  if ('anything-but' in condition) return ![condition['anything-but']].flat().map(String).includes(value);
  return value.trim() !== '' && !Number.isNaN(Number(value)) && numericMatches(condition.numeric, Number(value));
}

/**
 * SNS's rule: every key of the policy must match (AND), each key by any of its conditions (OR).
 * A message attribute that is a String.Array matches when any element does; `exists: false`
 * matches only when the attribute is absent.
 */
export function matchesFilterPolicy(policy: FilterPolicy, attributes: Readonly<Record<string, string>>): boolean {
  return Object.entries(policy).every(([key, conditions]) => {
    const raw = attributes[key];
    const values = raw !== undefined && raw.startsWith('[') ? parseArray(raw) : [raw];
    return conditions.some((condition) =>
      typeof condition === 'object' && condition !== null && 'exists' in condition ? conditionMatches(condition, raw) : values.some((value) => conditionMatches(condition, value)),
    );
  });
}

function parseArray(raw: string): (string | undefined)[] {
  try {
    const parsed: unknown = JSON.parse(raw);
    return Array.isArray(parsed) ? parsed.map((item) => (item === null ? undefined : String(item))) : [raw];
  } catch {
    return [raw];
  }
}

/** What a registry change did to push subscriptions, in the answer to it. */
export const pushSyncReportSchema = z
  .object({
    subscribed: z.array(z.string()).describe('stations whose endpoint was subscribed (pending the receiver’s confirmation)'),
    unsubscribed: z.array(z.string()),
    failed: z.array(z.object({ stationId: z.string(), error: z.string() })).describe('SNS refused: recorded on the station, tried again when it is next written'),
  })
  .meta({ id: 'PushSyncReport' });
