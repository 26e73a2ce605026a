/**
 * @module bench/province
 * A 12·4 push to a province (issue 17), scaled down: 183 counties of Sichuan-like sizes (20
 * thousand to 1.5 million people) in one table on DynamoDB Local, each with an SMS notice to its
 * subscribers and a broadcast to its stations, through the real workflows (written, reviewed,
 * scheduled, expanded — the largest county first, the worst case for fairness) and the real
 * dispatcher, to the local SNS sink. The province is 5,000,000 SMS and 20,000 stations; here each
 * county has 1/SMS_SCALE of its SMS and 1/STATION_SCALE of its stations (at least one of each).
 *
 * Measured: DynamoDB requests and capacity per delivery (SDK middleware, as bench/cost.ts), the
 * writes on each partition key (table and due index) to find the hottest, the order in which the
 * counties' SMS went out (fairness), and the dispatcher's own rate here. Extrapolated, with the
 * arithmetic printed: the time to send 5,000,000 SMS at an account quota of 20/s (SNS's default)
 * and 1,000/s (a raised one), the province's cost in yuan, and each county's ceiling set by its
 * hottest key. The dispatcher runs under a cap of 1,000/s (`--cap 20` for SNS's default); its waits
 * for the next second's slots pass at once (as in bench/cost), so a cap holds on the dispatcher's
 * clock without the bench waiting for it.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Caller } from '../functions/domain/access.js';
import { planFileSchema } from '../functions/domain/plan.js';
import { noticeInputSchema } from '../functions/domain/planning.js';
import type { Registry } from '../functions/domain/registry.js';
import { localToUtc, utcToLocal } from '../functions/domain/schedule.js';
import { defaultSmsSettings } from '../functions/domain/sms.js';
import type { SubscriberRecord } from '../functions/domain/subscriber.js';
import { createLogger } from '../functions/http/logger.js';
import { LOCAL_STATION_TOPIC } from '../functions/local/runtime.js';
import { Outbox, startSnsSink } from '../functions/local/sns-sink.js';
import { createSnsClient, createSnsNotifier, type Notifier } from '../functions/notify/sns.js';
import { shardOf } from '../functions/store/deliveries.js';
import type { Store } from '../functions/store/index.js';
import { tableOf } from '../functions/store/internal.js';
import { keys } from '../functions/store/keys.js';
import { subscriberItem } from '../functions/store/subscribers.js';
import { defaultDispatchSettings, runDispatch, type DispatchDeps } from '../functions/workflows/dispatch.js';
import { advanceExpansion } from '../functions/workflows/expand.js';
import { actOnNotice, createCampaign, createNotice } from '../functions/workflows/notices.js';
import { inParallel } from '../functions/workflows/parallel.js';
import { loadPlan } from '../functions/workflows/plans.js';
import { benchPhone, benchPhoneKeys, benchRegistry, TIME_ZONE } from './scene.js';
import { describeRequests, note, putAll, quick, report, requestsOf, seconds, startDatabase, type MeterReading } from './shared.js';

const COUNTIES = 183;
const PROVINCE_SMS = 5_000_000;
const PROVINCE_STATIONS = 20_000;
/** Scale: real per simulated. 1/1,000 keeps the run near four minutes on 2 shared cores (setting up 183 counties takes 90 s; the dispatcher goes 50-80 SMS/s on DynamoDB Local here). */
const SMS_SCALE = quick ? 4_000 : 1_000;
const STATION_SCALE = quick ? 200 : 50;
/** Account quotas the send time is worked out for: SNS's default SMS rate, and a raised one. */
const QUOTAS = [20, 1_000];
/**
 * The cap the dispatcher runs under here (`--cap N`; its waits for the next second skipped): by
 * default the raised quota a province needs, so the per-delivery figures are those of that rate
 * (at 20/s a second's slots span fewer SMS per notice, and the per-notice reads weigh more).
 */
const capArgument = process.argv.indexOf('--cap');
const CAP = capArgument > 0 ? Number(process.argv[capArgument + 1]) : 1_000;
if (!Number.isInteger(CAP) || CAP < 1) throw new Error('--cap takes a whole number of SMS a second');

// Prices (assumptions, stated in RESULTS.md): the plan's SMS price per segment (domain/sms), and
// DynamoDB on-demand list prices per million request units; yuan per dollar as the budget's default.
const SMS_YUAN = defaultSmsSettings.pricePerSegment;
const USD_PER_MILLION_WRITE_UNITS = 0.625;
const USD_PER_MILLION_READ_UNITS = 0.125;
const YUAN_PER_USD = defaultDispatchSettings.smsBudget.yuanPerUsd;
/** DynamoDB's per-partition limit, table and index alike. */
const PARTITION_WCU = 1_000;

/**
 * County populations: 20,000 to 1,500,000, skewed as a province is (many small, a few large):
 * 20,000 × 75^((i/182)^0.6), median about 350,000 — Sichuan's 183 county-level divisions range
 * about so. Each county's SMS and stations are its share of the province's.
 */
const populations = Array.from({ length: COUNTIES }, (_, index) => Math.round(20_000 * 75 ** ((index / (COUNTIES - 1)) ** 0.6)));
const totalPopulation = populations.reduce((sum, value) => sum + value, 0);
const counties = populations
  .map((population, index) => {
    const realSms = (PROVINCE_SMS * population) / totalPopulation;
    const realStations = (PROVINCE_STATIONS * population) / totalPopulation;
    return {
      id: `sc${String(index + 1).padStart(3, '0')}`,
      population,
      realSms,
      sms: Math.max(1, Math.round(realSms / SMS_SCALE)),
      stations: Math.max(1, Math.round(realStations / STATION_SCALE)),
    };
  })
  // The largest first: expanded first, so its SMS come first in any first-come order.
  .reverse();
type County = (typeof counties)[number];

/** The dispatcher's clock: real time, its waits for the next second skipped (bench/cost.ts). */
class SkippingClock {
  private skipped = 0;
  now = () => new Date(Date.now() + this.skipped);
  sleep = async (ms: number) => {
    this.skipped += ms;
  };
}

// --- Writes per partition key, table and due index

/** A key attribute as the request carries it: marshalled (`{ S }`) or, before the document client's marshalling, plain. */
type AttributeValue = { S?: string; N?: string } | string;
const text = (value: AttributeValue | undefined) => (typeof value === 'string' ? value : value?.S);
type Action = { Put?: { Item?: Record<string, AttributeValue> }; Update?: { Key?: Record<string, AttributeValue>; UpdateExpression?: string; ExpressionAttributeNames?: Record<string, string>; ExpressionAttributeValues?: Record<string, AttributeValue> }; Delete?: { Key?: Record<string, AttributeValue> }; ConditionCheck?: unknown };

/** The delivery id a delivery's key stands for (`C#<county>#NOTICE#<campaign>#<notice>`, `D#<send>#<recipient>`). */
function deliveryIdOfKey(pk: string, sk: string): string | undefined {
  const notice = /^C#[^#]+#NOTICE#([^#]+)#([^#]+)$/.exec(pk);
  const delivery = /^D#(\d+)#(.+)$/.exec(sk);
  return notice && delivery ? `${notice[1]}~${notice[2]}~${Number(delivery[1])}~${delivery[2]}` : undefined;
}

/**
 * Write units by partition key, as AWS bills them near enough: 2 per action in a transaction, 1
 * for a single write (every item pufa writes per delivery is under 1 KB), 1 per due-index entry
 * written or removed (2 when a claim or retry moves it: delete and put; 1 when `inFlight` rewrites it).
 */
class KeyMeter {
  units = new Map<string, number>();

  attach(client: DynamoDBClient): void {
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const command = (context.commandName ?? '').replace(/Command$/, '');
        const input = args.input as Record<string, unknown>;
        if (command === 'TransactWriteItems') for (const action of (input.TransactItems ?? []) as Action[]) this.action(action, 2);
        else if (command === 'PutItem') this.action({ Put: { Item: input.Item as Record<string, AttributeValue> } }, 1);
        else if (command === 'UpdateItem') this.action({ Update: input as Action['Update'] & object }, 1);
        else if (command === 'DeleteItem') this.action({ Delete: { Key: input.Key as Record<string, AttributeValue> } }, 1);
        else if (command === 'BatchWriteItem') {
          for (const requests of Object.values((input.RequestItems ?? {}) as Record<string, { PutRequest?: { Item: Record<string, AttributeValue> } }[]>)) {
            for (const request of requests) if (request.PutRequest) this.action({ Put: { Item: request.PutRequest.Item } }, 1);
          }
        }
        return next(args);
      },
      { step: 'serialize', priority: 'high', name: 'provinceKeyMeter' },
    );
  }

  private add(key: string, units: number): void {
    this.units.set(key, (this.units.get(key) ?? 0) + units);
  }

  private action(action: Action, units: number): void {
    if (action.Put?.Item) {
      const item = action.Put.Item;
      this.add(text(item.pk) ?? '?', units);
      const duePk = text(item.duePk);
      if (duePk) this.add(duePk, 1);
      const gsi1pk = text(item.gsi1pk);
      if (gsi1pk) this.add(`gsi1 ${gsi1pk}`, 1);
      return;
    }
    const update = action.Update;
    const key = update?.Key ?? action.Delete?.Key;
    if (!key) return;
    const pk = text(key.pk) ?? '?';
    const sk = text(key.sk) ?? '';
    this.add(pk, units);
    if (!update) return;
    const names = Object.values(update.ExpressionAttributeNames ?? {});
    const expression = update.UpdateExpression ?? '';
    const id = deliveryIdOfKey(pk, sk);
    if (!id) return;
    const shard = text(update.ExpressionAttributeValues?.[':shard']) ?? keys.dueShard(shardOf(id));
    if (names.includes('dueAt')) {
      const removed = /\bREMOVE\b[^]*#dueAt/.test(expression);
      this.add(shard, removed ? 1 : 2);
    } else if (/\binFlight = /.test(expression)) {
      this.add(shard, 1);
    }
  }

  reading(): Map<string, number> {
    return new Map(this.units);
  }

  static since(after: Map<string, number>, before: Map<string, number>): Map<string, number> {
    const delta = new Map<string, number>();
    for (const [key, value] of after) if (value - (before.get(key) ?? 0) > 0) delta.set(key, value - (before.get(key) ?? 0));
    return delta;
  }
}

/** What kind of key a partition key is, for the per-SMS table. */
function keyClass(key: string): string {
  if (key.startsWith('DUE#')) return 'due index shard (DUE#n)';
  if (key.startsWith('gsi1 ')) return 'byParent index';
  if (key.startsWith('RATE#')) return 'rate buckets (RATE#sms)';
  if (key.startsWith('SMS#')) return 'message lookups (SMS#id)';
  const match = /^C#[^#]+#([A-Z_]+)/.exec(key);
  const kind = match?.[1] ?? 'other';
  return (
    { NOTICE: "a notice's deliveries", CAMPAIGN: "a notice's record and counters (STATS)", TALLY: "a county's tallies", SMS_BUDGET: "a county's SMS spend" }[kind] ?? `other (${kind})`
  );
}

// --- The province

const staffOf = (county: string): Caller => ({ tokenId: `tok_${county}_staff`, county, role: 'staff', name: '宣传员' });
const reviewerOf = (county: string): Caller => ({ tokenId: `tok_${county}_reviewer`, county, role: 'reviewer', name: '审核员' });

/**
 * A small registry (setup cost is per registry item): the sample's first two townships and their
 * villages, with exactly `stations` made-up stations spread over them.
 */
function registryOf(stations: number): Registry {
  const sample = benchRegistry();
  const townships = sample.townships.slice(0, 2);
  const villages = sample.villages.filter((village) => townships.some((township) => township.id === village.township));
  return {
    ...sample,
    townships,
    villages,
    stations: Array.from({ length: stations }, (_, index) => ({ id: `st-${index}`, village: villages[index % villages.length]?.id ?? '', name: `广播站${index}` })),
    groups: [],
    departments: [],
    placements: [],
  };
}

/** The push's send time: the last whole local minute at least a minute before the bench began, due at once. */
const PUSH = (() => {
  const local = utcToLocal(new Date(Date.now() - 60_000).toISOString(), TIME_ZONE).slice(0, 16);
  return { local, date: local.slice(0, 10), year: Number(local.slice(0, 4)) };
})();
const sendMinute = () => PUSH;

async function loadCounty(store: Store, county: County): Promise<void> {
  const { year } = sendMinute();
  const plan = planFileSchema.parse({
    year,
    settings: { quietHours: { start: '00:00', end: '00:00' } },
    themes: [{ id: 'constitution', name: '宪法宣传' }],
    months: Object.fromEntries(Array.from({ length: 12 }, (_, index) => [String(index + 1), 'constitution'])),
    keyDates: [],
  });
  const loaded = await loadPlan({ store, config: { timeZone: TIME_ZONE }, now: new Date() }, { plan, registry: registryOf(county.stations), county: county.id, loader: { kind: 'system' }, actor: staffOf(county.id), dryRun: false });
  if (!loaded.ok) throw new Error(`${county.id}: the plan did not load: ${JSON.stringify(loaded.problems)}`);
}

/** Subscribers of every county (setup, not measured), numbered on from `first`; returns each number's county. */
async function addSubscribers(store: Store, registry: Registry): Promise<Map<string, string>> {
  const now = new Date().toISOString();
  const countyOf = new Map<string, string>();
  const items: Record<string, unknown>[] = [];
  let number = 0;
  for (const county of counties) {
    for (let index = 0; index < county.sms; index += 1) {
      number += 1;
      const village = registry.villages[index % registry.villages.length];
      if (!village) throw new Error('the registry has no villages');
      const phone = benchPhone(number);
      countyOf.set(phone, county.id);
      const record: SubscriberRecord = { county: county.id, phone, phoneKey: benchPhoneKeys.keyOf(phone), township: village.township, village: village.id, groups: [], consent: true, optedOut: false, createdAt: now, updatedAt: now };
      items.push(subscriberItem(record));
    }
  }
  const { db, tableName } = tableOf(store);
  await putAll(db, tableName, items);
  return countyOf;
}

type Speech = NonNullable<Parameters<typeof actOnNotice>[0]['speech']>;
const workflowDeps = (store: Store, speech: Speech) => {
  const { local } = sendMinute();
  // Written and scheduled "before" the send time, as in life: scheduling refuses a past time.
  return { store, speech, config: { timeZone: TIME_ZONE }, now: new Date(Date.parse(localToUtc(local, TIME_ZONE)) - 60_000) };
};

/** The county's 12·4 notice on `channel`, written, submitted and approved (setup). */
async function prepareNotice(store: Store, speech: Speech, county: string, channel: 'sms' | 'broadcast'): Promise<string> {
  const { local, date } = sendMinute();
  const deps = workflowDeps(store, speech);
  const campaignId = `c1204-${channel}`;
  await createCampaign(deps, staffOf(county), { id: campaignId, title: '12·4 国家宪法日', theme: 'constitution', window: { start: date, end: date } });
  const input = noticeInputSchema.parse(
    channel === 'sms'
      ? { id: 'n', channel, audience: { all: true }, schedule: { kind: 'fixed', at: local }, sms: { body: '12月4日是国家宪法日，学习宪法，尊崇宪法。' } }
      : { id: 'n', channel, audience: { all: true }, schedule: { kind: 'fixed', at: local }, broadcast: { script: '今天是国家宪法日，请收听宪法宣传广播。', airWindows: [{ from: '00:00', to: '23:59' }], repeats: 1 } },
  );
  await createNotice(deps, staffOf(county), campaignId, input);
  for (const [action, caller] of [['submit', staffOf(county)], ['approve', reviewerOf(county)]] as const) {
    await actOnNotice(deps, caller, campaignId, 'n', action);
  }
  return campaignId;
}

/** Schedules every county's notice, largest county first (scheduling expands a first slice, a broadcast whole). */
async function scheduleAll(store: Store, speech: Speech, campaignId: string): Promise<void> {
  for (const county of counties) await actOnNotice(workflowDeps(store, speech), staffOf(county.id), campaignId, 'n', 'schedule');
}

async function expandAll(store: Store, campaignId: string): Promise<void> {
  for (const county of counties) {
    for (;;) {
      const progress = await advanceExpansion(store, { county: county.id, campaignId, noticeId: 'n' }, { now: () => new Date(), deadline: Date.now() + 3_600_000, timeZone: TIME_ZONE });
      if (progress.done) break;
    }
  }
}

/** Runs the dispatcher, as its scheduled runs would, until no county has anything of `campaignId` pending. */
async function dispatchAll(deps: DispatchDeps, store: Store, campaignId: string): Promise<{ sent: number; runs: number }> {
  let sent = 0;
  for (let runs = 1; ; runs += 1) {
    const summary = await runDispatch(deps, { budgetMs: 50_000 });
    sent += summary.sent;
    if (summary.claimed > 0) continue;
    const pending = await Promise.all(counties.map(async (county) => (await store.deliveries.counts(county.id, campaignId, 'n')).pending));
    if (pending.every((count) => count === 0)) return { sent, runs };
    if (runs % 20 === 0) note(`${campaignId}: ${pending.reduce((sum, count) => sum + count, 0)} still pending after ${runs} runs, none due`);
    await new Promise((wake) => setTimeout(wake, 200)); // only retries waiting for their time are left
  }
}

function perDelivery(name: string, used: MeterReading, delivered: number): void {
  report(`province_${name}_dynamodb_requests`, requestsOf(used, 'dynamodb') / delivered, 'req/delivery');
  report(`province_${name}_write_units`, used.writeUnits / delivered, 'WCU/delivery');
  report(`province_${name}_read_units`, used.readUnits / delivered, 'RCU/delivery');
  note(`${name}, per delivery: ${describeRequests(used, 'dynamodb', delivered)}`);
}

const hours = (secondsTaken: number) => secondsTaken / 3600;

// --- Run

const scaledSms = counties.reduce((sum, county) => sum + county.sms, 0);
const scaledStations = counties.reduce((sum, county) => sum + county.stations, 0);
note(
  `${COUNTIES} counties, populations ${Math.min(...populations).toLocaleString('en')} to ${Math.max(...populations).toLocaleString('en')} (median ${[...populations].sort((a, b) => a - b)[91]?.toLocaleString('en')}); ` +
    `SMS 1/${SMS_SCALE} of 5,000,000 → ${scaledSms} (per county ${counties.at(-1)?.sms} to ${counties[0]?.sms}); stations 1/${STATION_SCALE} of 20,000 → ${scaledStations}; due shards ${keys.dueShards}; cap ${CAP}/s`,
);
report('province_scale_sms', SMS_SCALE, 'real SMS per simulated');
report('province_scale_stations', STATION_SCALE, 'real stations per simulated');

const database = await startDatabase({ tableName: 'bench-province', env: { PUFA_COUNTY: counties[0]?.id ?? 'sc001', PUFA_TIME_ZONE: TIME_ZONE } });
try {
  const { store } = database.local;
  const { meter } = database;
  const keyMeter = new KeyMeter();
  keyMeter.attach(database.local.client);

  const speech = database.local.deps.speech;
  let started = performance.now();
  await inParallel(counties, 4, (county) => loadCounty(store, county));
  const plansSeconds = seconds(started);
  const countyOfPhone = await addSubscribers(store, registryOf(0));
  const subscribersSeconds = seconds(started) - plansSeconds;
  await inParallel(counties, 4, (county) => prepareNotice(store, speech, county.id, 'sms'));
  note(
    `setup, not measured: ${COUNTIES} plans and registries ${plansSeconds.toFixed(1)} s, ${scaledSms} subscribers ${subscribersSeconds.toFixed(1)} s, ` +
      `${COUNTIES} SMS notices written and approved ${(seconds(started) - plansSeconds - subscribersSeconds).toFixed(1)} s`,
  );

  // Expansion: scheduling, and the audience becoming deliveries with their due entries, largest county first.
  let before = meter.reading();
  let keysBefore = keyMeter.reading();
  started = performance.now();
  await scheduleAll(store, speech, 'c1204-sms');
  await expandAll(store, 'c1204-sms');
  const expandSeconds = seconds(started);
  const expansion = meter.since(before);
  const expansionKeys = KeyMeter.since(keyMeter.reading(), keysBefore);
  perDelivery('expansion', expansion, scaledSms);
  report('province_expansion_rate_here', scaledSms / expandSeconds, 'deliveries/s');

  const sink = await startSnsSink({ outbox: new Outbox(100) });
  try {
    const snsClient = createSnsClient({ region: 'cn-north-1', endpoint: sink.endpoint });
    meter.attachSns(snsClient);
    const sns = createSnsNotifier(snsClient, { stationTopicArn: LOCAL_STATION_TOPIC, smsType: 'Transactional' });
    /** Each SMS's county, in the order they went. */
    const order: string[] = [];
    const notifier: Notifier = {
      ...sns,
      sendSms: async (message) => {
        order.push(countyOfPhone.get(message.phoneNumber) ?? '?');
        return sns.sendSms(message);
      },
    };
    const clock = new SkippingClock();
    const deps: DispatchDeps = { store, notifier, clock: clock.now, sleep: clock.sleep, logger: createLogger({ level: 'silent' }), phoneKeys: benchPhoneKeys, settings: { ...defaultDispatchSettings, smsPerSecond: CAP } };

    // --- SMS
    before = meter.reading();
    keysBefore = keyMeter.reading();
    started = performance.now();
    const sms = await dispatchAll(deps, store, 'c1204-sms');
    const smsSeconds = seconds(started);
    const smsUsed = meter.since(before);
    const smsKeys = KeyMeter.since(keyMeter.reading(), keysBefore);
    if (sms.sent !== scaledSms) throw new Error(`sent ${sms.sent} of ${scaledSms} SMS`);
    note(`SMS: ${sms.sent} sent in ${smsSeconds.toFixed(1)} s over ${sms.runs} dispatcher runs (cap ${CAP}/s on the dispatcher's clock, its waits skipped)`);
    perDelivery('sms', smsUsed, sms.sent);
    report('province_sms_sns_requests', requestsOf(smsUsed, 'sns', ['Publish']) / sms.sent, 'req/delivery');
    const hereRate = sms.sent / smsSeconds;
    report('province_dispatcher_rate_here', hereRate, 'sms/s');

    // Time to send the province's 5,000,000 at each quota, if the dispatcher keeps up with it.
    for (const quota of QUOTAS) report(`province_send_time_quota${quota}`, hours(PROVINCE_SMS / quota), 'h');
    note(`send time = 5,000,000 / quota: ${QUOTAS.map((quota) => `${quota}/s → ${(PROVINCE_SMS / quota).toLocaleString('en')} s = ${hours(PROVINCE_SMS / quota).toFixed(1)} h`).join('; ')}`);

    // Fairness, normalised by demand: in the first half of all sends, max-min fairness (every
    // county an equal share of the cap, none more than it asks) gives county i e_i = min(d_i, w)
    // sends, w the level at which the e_i add up to the half (water-filling). Each county's
    // r_i = sends_i / e_i; the figure is max r / min r — 1 when fair, unbounded when one waits.
    const half = Math.floor(order.length / 2);
    const demands = counties.map((county) => county.sms);
    let level = 0;
    for (let low = 0, high = Math.max(...demands); low <= high; ) {
      const mid = Math.floor((low + high) / 2);
      if (demands.reduce((sum, d) => sum + Math.min(d, mid), 0) <= half) {
        level = mid;
        low = mid + 1;
      } else high = mid - 1;
    }
    const inHalf = new Map(counties.map((county) => [county.id, 0]));
    for (const county of order.slice(0, half)) inHalf.set(county, (inHalf.get(county) ?? 0) + 1);
    const ratios = counties.map((county) => (inHalf.get(county.id) ?? 0) / Math.max(1, Math.min(county.sms, level)));
    report('province_fairness_max_min_ratio', Math.max(...ratios) / Math.min(...ratios), 'ratio');
    report('province_fairness_min_share', Math.min(...ratios), 'of its fair share');
    note(
      `fairness: first ${half} SMS, fair level w = ${level} (counties asking more get w, the rest all they ask); ` +
        `sends / fair share from ${Math.min(...ratios).toFixed(2)} to ${Math.max(...ratios).toFixed(2)}`,
    );
    // When the smallest county was done, as a share of all SMS sent (a first-come order: near 1).
    const smallest = counties.at(-1)?.id ?? '';
    report('province_smallest_county_done_at', order.lastIndexOf(smallest) / order.length, 'share of sends');
    const largest = counties[0]?.id ?? '';
    report('province_largest_county_first_at', order.indexOf(largest) / order.length, 'share of sends');
    // Where the smallest half of the counties were done (all of their SMS sent).
    const smallHalf = counties.slice(Math.floor(COUNTIES / 2)).map((county) => county.id);
    report('province_small_half_done_at', Math.max(...smallHalf.map((id) => order.lastIndexOf(id))) / order.length, 'share of sends');
    // The same under exact max-min fairness: the k-th smallest county is done after Σ_j min(d_j, d_k) sends.
    const median = counties[Math.floor(COUNTIES / 2)]?.sms ?? 0;
    report('province_small_half_done_at_fair', demands.reduce((sum, d) => sum + Math.min(d, median), 0) / order.length, 'share of sends');

    // Hottest keys, SMS phase with the expansion's writes.
    const allKeys = new Map(smsKeys);
    for (const [key, units] of expansionKeys) allKeys.set(key, (allKeys.get(key) ?? 0) + units);
    const totalUnits = [...allKeys.values()].reduce((sum, value) => sum + value, 0);
    const hottest = [...allKeys].sort((a, b) => b[1] - a[1])[0] ?? ['', 0];
    report('province_hottest_key_share', hottest[1] / totalUnits, 'share of write units');
    note(`hottest key: ${hottest[0]} (${keyClass(hottest[0])}), ${hottest[1]} of ${totalUnits} write units (expansion and sending)`);
    const dueShards = [...allKeys].filter(([key]) => key.startsWith('DUE#'));
    const dueTotal = dueShards.reduce((sum, [, units]) => sum + units, 0);
    const dueMax = Math.max(...dueShards.map(([, units]) => units));
    report('province_due_shard_hottest_share', dueMax / dueTotal, 'share of due-index writes');
    report('province_due_shard_balance', dueMax / (dueTotal / keys.dueShards), 'max/mean');
    const rateUnits = [...allKeys].filter(([key]) => key.startsWith('RATE#')).reduce((sum, [, units]) => sum + units, 0);
    report('province_rate_bucket_share', rateUnits / totalUnits, 'share of write units');
    report('province_due_index_writes_per_sms', [...smsKeys].filter(([key]) => key.startsWith('DUE#')).reduce((sum, [, units]) => sum + units, 0) / sms.sent, 'writes/sms');

    // Per SMS by kind of key, and each kind's hottest single key per SMS of its own county: the
    // rate one county's push can go at before that key reaches a partition's 1,000 WCU.
    const byClass = new Map<string, { units: number; keys: number }>();
    for (const [key, units] of smsKeys) {
      const entry = byClass.get(keyClass(key)) ?? { units: 0, keys: 0 };
      byClass.set(keyClass(key), { units: entry.units + units, keys: entry.keys + 1 });
    }
    note('sending, write units per SMS by kind of key (keys of that kind):');
    for (const [kind, { units, keys: count }] of [...byClass].sort((a, b) => b[1].units - a[1].units)) note(`  ${kind}: ${(units / sms.sent).toFixed(2)} (${count})`);
    const largestCounty = counties[0];
    if (largestCounty) {
      const own = [...smsKeys].filter(([key]) => key.startsWith(`C#${largestCounty.id}#`));
      const [hotKey, hotUnits] = own.sort((a, b) => b[1] - a[1])[0] ?? ['', 0];
      const perSms = hotUnits / largestCounty.sms;
      report('province_county_hottest_key_wcu_per_sms', perSms, 'WCU/sms');
      report('province_county_ceiling', PARTITION_WCU / perSms, 'sms/s');
      note(`the largest county's hottest key: ${hotKey} (${keyClass(hotKey)}), ${perSms.toFixed(2)} WCU per SMS → one county alone at most ${PARTITION_WCU} / ${perSms.toFixed(2)} = ${(PARTITION_WCU / perSms).toFixed(0)} SMS/s`);
    }

    // Cost of the province's push: SMS at the plan's price, DynamoDB at on-demand prices for the
    // measured units per SMS (expansion and sending).
    const wcuPerSms = (expansion.writeUnits + smsUsed.writeUnits) / sms.sent;
    const rcuPerSms = (expansion.readUnits + smsUsed.readUnits) / sms.sent;
    const smsYuan = PROVINCE_SMS * SMS_YUAN;
    const dynamoYuan = ((PROVINCE_SMS * wcuPerSms * USD_PER_MILLION_WRITE_UNITS + PROVINCE_SMS * rcuPerSms * USD_PER_MILLION_READ_UNITS) / 1_000_000) * YUAN_PER_USD;
    report('province_cost_sms', smsYuan, 'yuan');
    report('province_cost_dynamodb', dynamoYuan, 'yuan');
    report('province_cost_dynamodb_per_sms', (dynamoYuan / PROVINCE_SMS) * 100, 'fen/sms');
    note(
      `cost: 5,000,000 × ${SMS_YUAN} yuan = ${smsYuan.toLocaleString('en')} yuan SMS; DynamoDB 5,000,000 × (${wcuPerSms.toFixed(2)} WCU × $${USD_PER_MILLION_WRITE_UNITS}/M + ${rcuPerSms.toFixed(2)} RCU × $${USD_PER_MILLION_READ_UNITS}/M) × ${YUAN_PER_USD} = ${dynamoYuan.toFixed(0)} yuan`,
    );

    // --- Stations
    started = performance.now();
    await inParallel(counties, 4, (county) => prepareNotice(store, speech, county.id, 'broadcast'));
    note(`setup, not measured: ${COUNTIES} broadcasts written, recorded and approved ${seconds(started).toFixed(1)} s`);
    before = meter.reading();
    started = performance.now();
    await scheduleAll(store, speech, 'c1204-broadcast');
    note(`broadcasts scheduled: ${seconds(started).toFixed(1)} s`);
    const stations = await dispatchAll(deps, store, 'c1204-broadcast');
    const stationSeconds = seconds(started);
    const stationUsed = meter.since(before);
    if (stations.sent !== scaledStations) throw new Error(`pushed ${stations.sent} of ${scaledStations} scripts`);
    perDelivery('station', stationUsed, stations.sent);
    report('province_station_sns_requests', requestsOf(stationUsed, 'sns', ['PublishBatch']) / stations.sent, 'req/delivery');
    report('province_station_rate_here', stations.sent / stationSeconds, 'scripts/s');
    report('province_station_time_20000', PROVINCE_STATIONS / (stations.sent / stationSeconds) / 60, 'min at the rate here');
    const stationYuan = ((PROVINCE_STATIONS * (stationUsed.writeUnits / stations.sent) * USD_PER_MILLION_WRITE_UNITS + PROVINCE_STATIONS * (stationUsed.readUnits / stations.sent) * USD_PER_MILLION_READ_UNITS) / 1_000_000) * YUAN_PER_USD;
    report('province_cost_station_dynamodb', stationYuan, 'yuan');
    note(`stations: ${stations.sent} scripts in ${stationSeconds.toFixed(1)} s, ${requestsOf(stationUsed, 'sns', ['PublishBatch'])} PublishBatch calls`);
    snsClient.destroy();
  } finally {
    await sink.stop();
  }
} finally {
  await database.stop();
}
