/**
 * @module bench/cost
 * Cost per delivery: the AWS requests the real dispatcher makes per SMS and per station script
 * delivered — DynamoDB and SNS counted apart by SDK middleware on the clients — and the DynamoDB
 * capacity consumed (DynamoDB Local reports it when asked). Each figure is printed beside the
 * least the design could do. Expansion (turning the audience into deliveries) is not counted
 * here: it has its own benchmark.
 */
import { createLogger } from '../functions/http/logger.js';
import { LOCAL_STATION_TOPIC } from '../functions/local/runtime.js';
import { Outbox, startSnsSink } from '../functions/local/sns-sink.js';
import { createSnsClient, createSnsNotifier } from '../functions/notify/sns.js';
import type { Store } from '../functions/store/index.js';
import { defaultDispatchSettings, runDispatch, type DispatchDeps } from '../functions/workflows/dispatch.js';
import { addSubscribers, benchPhoneKeys, benchRegistry, COUNTY, finishExpansion, loadScene, sceneEnv, scheduleNotice } from './scene.js';
import { describeRequests, note, quick, report, requestsOf, startDatabase, type Meter } from './shared.js';

const SMS = quick ? 200 : 1_000;
/** Stations in the registry, the sample's and made-up ones: a multiple of 10, so full batches are possible. */
const STATIONS = quick ? 100 : 1_000;

/**
 * The dispatcher's clock: real time, except that its waits for the next second's send slots
 * pass at once. Cost does not depend on how long the run takes, and so the benchmark can use
 * the default cap (20/s) without waiting 50 s for 1,000 messages.
 */
class SkippingClock {
  private skipped = 0;
  now = () => new Date(Date.now() + this.skipped);
  sleep = async (ms: number) => {
    this.skipped += ms;
  };
}

/** Runs the dispatcher until the notice has nothing pending, as successive scheduled runs would. */
async function dispatchAll(deps: DispatchDeps, store: Store, ids: { campaignId: string; noticeId: string }): Promise<number> {
  let sent = 0;
  for (;;) {
    sent += (await runDispatch(deps, { budgetMs: 50_000 })).sent;
    if ((await store.deliveries.counts(COUNTY, ids.campaignId, ids.noticeId)).pending === 0) return sent;
  }
}

/** The size DynamoDB bills a stored item at, near enough: names and values as UTF-8. */
async function itemBytes(store: Store, ids: { campaignId: string; noticeId: string }): Promise<number> {
  const page = await store.deliveries.page(COUNTY, ids.campaignId, ids.noticeId, { limit: 1 });
  const item = page.items[0];
  return item ? Buffer.byteLength(JSON.stringify(item)) : 0;
}

function costLines(kind: 'sms' | 'station', meter: Meter, before: ReturnType<Meter['reading']>, delivered: number, minimum: { sns: number; readUnits: number }) {
  const used = meter.since(before);
  const dynamo = requestsOf(used, 'dynamodb');
  const publishes = requestsOf(used, 'sns', ['Publish', 'PublishBatch']);
  report(`cost_${kind}_delivered`, delivered, kind === 'sms' ? 'sms' : 'scripts');
  report(`cost_${kind}_dynamodb_requests`, dynamo / delivered, 'req/delivery');
  // A claim and an outcome per delivery; reads (due pages, notices, opt-outs) amortise towards 0.
  report(`cost_${kind}_dynamodb_requests_min`, 2, 'req/delivery');
  report(`cost_${kind}_sns_requests`, publishes / delivered, 'req/delivery');
  report(`cost_${kind}_sns_requests_min`, minimum.sns, 'req/delivery');
  report(`cost_${kind}_write_units`, used.writeUnits / delivered, 'WCU/delivery');
  // The delivery item (under 1 KB) written twice — claimed, then ended — with no index or transaction.
  report(`cost_${kind}_write_units_min`, 2, 'WCU/delivery');
  report(`cost_${kind}_read_units`, used.readUnits / delivered, 'RCU/delivery');
  report(`cost_${kind}_read_units_min`, minimum.readUnits, 'RCU/delivery');
  note(`DynamoDB per delivery: ${describeRequests(used, 'dynamodb', delivered)}`);
  note(`SNS in all: ${describeRequests(used, 'sns')}`);
}

const database = await startDatabase({ tableName: 'bench-cost', env: sceneEnv });
try {
  const { store } = database.local;
  const { meter } = database;
  const registry = benchRegistry(STATIONS - benchRegistry().stations.length);
  await loadScene(store, registry);
  await addSubscribers(store, registry, { to: SMS });
  const sink = await startSnsSink({ outbox: new Outbox(100) });
  try {
    const snsClient = createSnsClient({ region: 'cn-north-1', endpoint: sink.endpoint });
    meter.attachSns(snsClient);
    const notifier = createSnsNotifier(snsClient, { stationTopicArn: LOCAL_STATION_TOPIC, smsType: 'Transactional' });
    const clock = new SkippingClock();
    const deps: DispatchDeps = {
      store,
      notifier,
      clock: clock.now,
      sleep: clock.sleep,
      logger: createLogger({ level: 'silent' }),
      phoneKeys: benchPhoneKeys,
      settings: defaultDispatchSettings,
    };
    note(`SMS cap ${defaultDispatchSettings.smsPerSecond}/s (the default); ${SMS} subscribers; ${STATIONS} stations`);

    const sms = await scheduleNotice(store, 'sms');
    await finishExpansion(store, sms);
    const smsBytes = await itemBytes(store, sms);
    let before = meter.reading();
    const smsSent = await dispatchAll(deps, store, sms);
    // Each delivery read once, from the due index: 0.5 RCU per 4 KB, eventually consistent.
    costLines('sms', meter, before, smsSent, { sns: 1, readUnits: (0.5 * smsBytes) / 4096 });

    const scripts = await scheduleNotice(store, 'broadcast');
    await finishExpansion(store, scripts);
    const scriptBytes = await itemBytes(store, scripts);
    before = meter.reading();
    const scriptsSent = await dispatchAll(deps, store, scripts);
    // PublishBatch takes 10 entries: one call per 10 scripts at best.
    costLines('station', meter, before, scriptsSent, { sns: Math.ceil(scriptsSent / 10) / scriptsSent, readUnits: (0.5 * scriptBytes) / 4096 });
    snsClient.destroy();
  } finally {
    await sink.stop();
  }
} finally {
  await database.stop();
}
