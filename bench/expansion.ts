/**
 * @module bench/expansion
 * Expansion: an SMS notice to 100,000 subscribers becomes 100,000 deliveries through the real
 * workflow (`workflows/expand.ts`: scheduling does a first slice, then the job is advanced to
 * the end as the dispatcher's runs would). Figures: the time it takes, and the write requests
 * and write capacity it uses against the least a bulk writer could do (25 items a BatchWrite).
 */
import { addSubscribers, benchRegistry, COUNTY, finishExpansion, loadScene, sceneEnv, scheduleNotice } from './scene.js';
import { describeRequests, note, quick, report, requestsOf, seconds, startDatabase } from './shared.js';

const SUBSCRIBERS = quick ? 5_000 : 100_000;
const WRITES = ['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem', 'TransactWriteItems'];

const database = await startDatabase({ tableName: 'bench-expansion', env: sceneEnv });
try {
  const { store } = database.local;
  const { meter } = database;
  const registry = benchRegistry();
  await loadScene(store, registry);
  const setup = performance.now();
  await addSubscribers(store, registry, { to: SUBSCRIBERS });
  note(`setup: ${SUBSCRIBERS} subscribers written with BatchWrite in ${seconds(setup).toFixed(1)} s (not measured)`);

  const before = meter.reading();
  const started = performance.now();
  const ids = await scheduleNotice(store, 'sms');
  await finishExpansion(store, ids);
  const elapsed = seconds(started);
  const used = meter.since(before);

  const deliveries = (await store.deliveries.counts(COUNTY, ids.campaignId, ids.noticeId)).total;
  if (deliveries !== SUBSCRIBERS) throw new Error(`expected ${SUBSCRIBERS} deliveries, the expansion made ${deliveries}`);
  const writes = requestsOf(used, 'dynamodb', WRITES);
  const minimum = Math.ceil(deliveries / 25);
  report('expansion_deliveries', deliveries, 'deliveries');
  report('expansion_time', elapsed, 's');
  report('expansion_rate', deliveries / elapsed, 'deliveries/s');
  report('expansion_write_requests', writes, 'req');
  report('expansion_write_requests_min', minimum, 'req');
  report('expansion_write_requests_vs_min', writes / minimum, 'ratio');
  report('expansion_write_units', used.writeUnits / deliveries, 'WCU/delivery');
  // Each delivery is one item under 1 KB in the table and one in the due index.
  report('expansion_write_units_min', 2, 'WCU/delivery');
  report('expansion_read_requests', requestsOf(used, 'dynamodb') - writes, 'req');
  note(`requests: ${describeRequests(used, 'dynamodb')}`);
} finally {
  await database.stop();
}
