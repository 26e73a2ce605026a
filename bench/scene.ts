/**
 * @module bench/scene
 * The delivery scene the dispatch, cost and expansion benchmarks share: this year's plan with the
 * sample registry (and, when asked, many more stations), subscribers spread over its villages, and
 * a notice taken through the real workflows — written, submitted, approved, scheduled — whose
 * audience becomes deliveries through the real expansion. Unlike the tests' bench it runs on the
 * real clock: the notice's send time is a minute ago, so every delivery is due at once.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import type { Caller } from '../functions/domain/access.js';
import { hmacPhoneKeys } from '../functions/domain/phone.js';
import { planFileSchema } from '../functions/domain/plan.js';
import { noticeInputSchema } from '../functions/domain/planning.js';
import { registrySchema, type Registry } from '../functions/domain/registry.js';
import { localToUtc, utcToLocal } from '../functions/domain/schedule.js';
import type { SubscriberRecord } from '../functions/domain/subscriber.js';
import type { Store } from '../functions/store/index.js';
import { tableOf } from '../functions/store/internal.js';
import { subscriberItem } from '../functions/store/subscribers.js';
import { advanceExpansion } from '../functions/workflows/expand.js';
import { actOnNotice, createCampaign, createNotice } from '../functions/workflows/notices.js';
import { loadPlan } from '../functions/workflows/plans.js';
import { putAll } from './shared.js';

export const COUNTY = 'benchcounty';
export const TIME_ZONE = 'Asia/Shanghai';
/** Config for `startDatabase`: the county the scene's callers belong to. */
export const sceneEnv = { PUFA_COUNTY: COUNTY, PUFA_TIME_ZONE: TIME_ZONE };
/** Benchmarks key numbers with a fixed secret: the cost of an HMAC is what they measure, not its value. */
export const benchPhoneKeys = hmacPhoneKeys('bench-phone-key-secret-0123456789-abcdefghijklmnop');

const staff: Caller = { tokenId: 'tok_bench_staff', county: COUNTY, role: 'staff', name: '宣传员' };
const reviewer: Caller = { tokenId: 'tok_bench_reviewer', county: COUNTY, role: 'reviewer', name: '审核员' };

/** The sample registry, plus `extraStations` made-up stations spread over its villages. */
export function benchRegistry(extraStations = 0): Registry {
  const registry = registrySchema.parse(parse(readFileSync('campaigns/registry.sample.yaml', 'utf8')));
  const villages = registry.villages;
  for (let index = 0; index < extraStations; index += 1) {
    const village = villages[index % villages.length];
    if (!village) break;
    registry.stations.push({ id: `st-bench-${index}`, village: village.id, name: `测试广播站${index}` });
  }
  return registry;
}

/** The last whole local minute at least a minute ago: the scene's send time, due at once. */
function aMinuteAgo(): { local: string; date: string; year: number } {
  const local = utcToLocal(new Date(Date.now() - 60_000).toISOString(), TIME_ZONE).slice(0, 16);
  return { local, date: local.slice(0, 10), year: Number(local.slice(0, 4)) };
}

/**
 * Loads this year's plan with the registry. Quiet hours are off (start = end means none) so the
 * benchmarks measure sending at whatever hour they run; the quiet-hour rule has its own tests.
 */
export async function loadScene(store: Store, registry: Registry): Promise<void> {
  const { year } = aMinuteAgo();
  const plan = planFileSchema.parse({
    year,
    settings: { quietHours: { start: '00:00', end: '00:00' } },
    themes: [{ id: 'bench', name: '基准测试' }],
    months: Object.fromEntries(Array.from({ length: 12 }, (_, index) => [String(index + 1), 'bench'])),
    keyDates: [],
  });
  const loaded = await loadPlan({ store, config: { timeZone: TIME_ZONE }, now: new Date() }, { plan, registry, county: COUNTY, loader: { kind: 'system' }, actor: staff, dryRun: false });
  if (!loaded.ok) throw new Error(`the bench plan did not load: ${JSON.stringify(loaded.problems)}`);
}

/** A made-up mainland mobile number, in a range used only here. */
export const benchPhone = (index: number) => `+86199${String(index).padStart(8, '0')}`;

/**
 * Setup, not measured: subscribers number `from` to `to` (exclusive), spread evenly over the
 * registry's villages, written with BatchWrite in the store's own item format (`subscriberItem`):
 * what the CSV import would leave in the table, without its one-by-one duplicate checks.
 */
export async function addSubscribers(store: Store, registry: Registry, range: { from?: number; to: number }): Promise<void> {
  const now = new Date().toISOString();
  const from = range.from ?? 0;
  const items = Array.from({ length: Math.max(0, range.to - from) }, (_, offset) => {
    const index = from + offset;
    const village = registry.villages[index % registry.villages.length];
    if (!village) throw new Error('the registry has no villages');
    const phone = benchPhone(index + 1);
    const record: SubscriberRecord = {
      county: COUNTY,
      phone,
      phoneKey: benchPhoneKeys.keyOf(phone),
      township: village.township,
      village: village.id,
      groups: [],
      consent: true,
      optedOut: false,
      createdAt: now,
      updatedAt: now,
    };
    return subscriberItem(record);
  });
  // Setup only: the bulk load goes past the store's methods, on its own table.
  const { db, tableName } = tableOf(store);
  await putAll(db, tableName, items);
}

let campaigns = 0;

/**
 * A notice to the whole county, sent a minute ago: written, submitted, approved and scheduled
 * through the workflows (scheduling expands a first slice, as a request would). Returns its ids;
 * the rest of the expansion is `finishExpansion`'s.
 */
export async function scheduleNotice(store: Store, channel: 'sms' | 'broadcast'): Promise<{ campaignId: string; noticeId: string }> {
  campaigns += 1;
  const { local: sendLocal, date } = aMinuteAgo();
  const sendAt = new Date(localToUtc(sendLocal, TIME_ZONE));
  // Written and scheduled "before" the send time, as it would be in life: scheduling refuses a past time.
  const deps = { store, config: { timeZone: TIME_ZONE }, now: new Date(sendAt.getTime() - 60_000) };
  const campaign = await createCampaign(deps, staff, {
    id: `bench-${channel}-${Date.now().toString(36)}-${campaigns}`,
    title: '基准测试',
    theme: 'bench',
    window: { start: date, end: date },
  });
  const input = noticeInputSchema.parse(
    channel === 'sms'
      ? { id: 'n', channel, audience: { all: true }, schedule: { kind: 'fixed', at: sendLocal }, sms: { body: '依法维权，请拨12315。' } }
      : {
          id: 'n',
          channel,
          audience: { all: true },
          schedule: { kind: 'fixed', at: sendLocal },
          broadcast: { script: '今天是法治宣传日，请收听普法广播。', airWindows: [{ from: '00:00', to: '23:59' }], repeats: 1 },
        },
  );
  await createNotice(deps, staff, campaign.id, input);
  for (const [action, caller] of [['submit', staff], ['approve', reviewer], ['schedule', staff]] as const) {
    await actOnNotice(deps, caller, campaign.id, 'n', action);
  }
  return { campaignId: campaign.id, noticeId: 'n' };
}

/** Runs the notice's expansion to the end, as the dispatcher's runs would (no time limit). */
export async function finishExpansion(store: Store, ids: { campaignId: string; noticeId: string }): Promise<void> {
  for (;;) {
    const progress = await advanceExpansion(store, { county: COUNTY, ...ids }, { now: () => new Date(), deadline: Date.now() + 3_600_000, timeZone: TIME_ZONE });
    if (progress.done) return;
  }
}
