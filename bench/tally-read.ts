/**
 * @module bench/tally-read
 * Tally read cost: what it costs to read a year's figures with 10, 1,000 and 100,000 activity
 * records behind them — the consumed read capacity and the time, of the Query `GET /tallies`
 * makes for a year (`store.tallies.year`) and of the whole request through the app. The cost
 * follows the number of counter cells, not of records; the plan load creates the year's cells
 * (every month of each theme, township and kind), so only new material kinds add to it.
 */
import { createApp } from '../functions/app.js';
import { hashTokenSecret, newId, newTokenSecret, tokenRecordFromGrant } from '../functions/domain/access.js';
import { activityKinds, type ActivityRecord } from '../functions/domain/activity.js';
import { plannedCells, recount } from '../functions/domain/tally.js';
import { tableOf } from '../functions/store/internal.js';
import { keys } from '../functions/store/keys.js';
import { benchRegistry } from './scene.js';
import { median, note, putAll, quick, report, startDatabase, type Meter } from './shared.js';

const SIZES = quick ? [10, 100, 2_000] : [10, 1_000, 100_000];
const YEAR = 2025;
const READS = quick ? 5 : 20;
const THEMES = ['civil-code', 'consumer-rights', 'national-security', 'anti-drug-aids', 'constitution', 'rural-revitalisation', 'private-economy', 'pollution-prevention', 'anti-organised-crime', 'epidemic-prevention'];
const MATERIALS = ['宣传单', '宣传手册', '宣传品', '挂图', '光盘'];

/** A small seeded generator (mulberry32): the same records on every run. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = state;
    mixed = Math.imul(mixed ^ (mixed >>> 15), mixed | 1);
    mixed ^= mixed + Math.imul(mixed ^ (mixed >>> 7), mixed | 61);
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4294967296;
  };
}

/** `count` plausible records of a county's year: any day, township, village, theme, kind, materials. */
function activities(county: string, count: number): ActivityRecord[] {
  const random = seeded(count);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
  const { villages } = benchRegistry();
  return Array.from({ length: count }, (_, index) => {
    const month = 1 + Math.floor(random() * 12);
    const date = `${YEAR}-${String(month).padStart(2, '0')}-${String(1 + Math.floor(random() * 28)).padStart(2, '0')}`;
    const village = pick(villages);
    const kind = pick(activityKinds);
    const materials = Array.from({ length: Math.floor(random() * 3) }, () => ({ kind: pick(MATERIALS), count: 1 + Math.floor(random() * 500) }));
    const at = `${date}T10:00:00.000Z`;
    return {
      id: `act-${county}-${index}`,
      county,
      year: YEAR,
      month,
      date,
      township: village.township,
      village: village.id,
      theme: pick(THEMES),
      kind,
      ...(kind === 'other' ? { kindName: '法治讲座' } : {}),
      participants: Math.floor(random() * 300),
      // One row per kind, as the workflow stores them.
      materials: [...new Map(materials.map((material) => [material.kind, material])).values()],
      version: 1,
      createdBy: { tokenId: 'tok_bench', name: '宣传员' },
      createdAt: at,
      updatedAt: at,
    };
  });
}

/**
 * Writing 100,000 records one transaction each (as `POST /activities` does) would take longer
 * than the whole benchmark budget here. What is measured is the read, so the records are put with
 * BatchWrite in the store's item format (the same keys as `store/activities.ts` writes), and the
 * counters they imply are computed once with the domain's own `recount` and written with the
 * store's `tallies.overwrite` — the same cells, with the same values, that one transaction per
 * record would have left.
 */
async function seedYear(database: Awaited<ReturnType<typeof startDatabase>>, county: string, count: number): Promise<number> {
  const { store } = database.local;
  const records = activities(county, count);
  const items = records.map((record) => ({
    ...keys.activity(record.county, record.id),
    ...keys.activitiesOfYear(record.county, record.year),
    ...keys.activityInYear(record.date, record.id),
    type: 'activity',
    ...record,
  }));
  // As loading the year's plan does: the year's cells exist, empty, before anything is counted.
  await store.tallies.prepare(county, plannedCells(YEAR, { themes: THEMES, townships: benchRegistry().townships.map((township) => township.id), departments: benchRegistry().departments.map((department) => department.id), kinds: activityKinds }));
  // Setup only: the bulk load goes past the store's methods, on its own table.
  const { db, tableName } = tableOf(store);
  await putAll(db, tableName, items);
  const cells = [...recount(records).values()];
  for (const cell of cells) await store.tallies.overwrite(county, cell);
  return cells.length;
}

async function timed(meter: Meter, read: () => Promise<unknown>): Promise<{ ms: number; readUnits: number }> {
  for (let warm = 0; warm < 3; warm += 1) await read();
  const samples: number[] = [];
  const before = meter.reading();
  for (let index = 0; index < READS; index += 1) {
    const started = performance.now();
    await read();
    samples.push(performance.now() - started);
  }
  return { ms: median(samples), readUnits: meter.since(before).readUnits / READS };
}

const database = await startDatabase({ tableName: 'bench-tally' });
try {
  const { store } = database.local;
  const app = createApp(database.local.deps);
  const results = new Map<number, { query: { ms: number; readUnits: number }; request: { ms: number; readUnits: number } }>();
  for (const size of SIZES) {
    const county = `tally${size}`;
    const seeding = performance.now();
    const cells = await seedYear(database, county, size);
    note(`${size} records: ${cells} counter cells (setup ${((performance.now() - seeding) / 1000).toFixed(1)} s, not measured)`);

    const secret = newTokenSecret();
    const now = new Date();
    await store.tokens.create(tokenRecordFromGrant({ role: 'county', name: '依法治县办' }, { id: newId('tok', now), county, createdBy: 'bench', now }), await hashTokenSecret(secret));
    const query = await timed(database.meter, () => store.tallies.year(county, YEAR));
    const request = await timed(database.meter, async () => {
      const response = await app.request(`/tallies?year=${YEAR}`, { headers: { Authorization: `Bearer ${secret}` } });
      if (response.status !== 200) throw new Error(`GET /tallies answered ${response.status}`);
      return response.arrayBuffer();
    });
    results.set(size, { query, request });
    report(`tally_${size}_query_read_units`, query.readUnits, 'RCU');
    report(`tally_${size}_query_time_p50`, query.ms, 'ms');
    report(`tally_${size}_request_read_units`, request.readUnits, 'RCU');
    report(`tally_${size}_request_time_p50`, request.ms, 'ms');
  }
  const smallest = results.get(SIZES[0] ?? 0);
  const largest = results.get(SIZES.at(-1) ?? 0);
  if (smallest && largest) {
    const label = `${SIZES.at(-1)}_vs_${SIZES[0]}`;
    report(`tally_query_read_units_ratio_${label}`, largest.query.readUnits / smallest.query.readUnits, 'ratio');
    report(`tally_query_time_ratio_${label}`, largest.query.ms / smallest.query.ms, 'ratio');
    report(`tally_request_read_units_ratio_${label}`, largest.request.readUnits / smallest.request.readUnits, 'ratio');
    report(`tally_request_time_ratio_${label}`, largest.request.ms / smallest.request.ms, 'ratio');
  }
  const middle = results.get(SIZES[1] ?? 0);
  if (middle && largest) report(`tally_query_read_units_ratio_${SIZES.at(-1)}_vs_${SIZES[1]}`, largest.query.readUnits / middle.query.readUnits, 'ratio');
} finally {
  await database.stop();
}
