/**
 * @module local/demo
 * On a first start (a new table), `npm start` loads campaigns/ so there is something to look at:
 * the sample registry and every year plan found there. A plan that does not check out is
 * reported and skipped; the server still starts.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatProblem } from '../domain/yaml-source.js';
import { newCountyRecord } from '../domain/county.js';
import type { Store } from '../store/index.js';
import type { PhoneKeys } from '../domain/phone.js';
import { importCsv } from '../workflows/imports.js';
import { loadPlan } from '../workflows/plans.js';
import { readPlanFile } from './plan-file.js';

const PLAN_FILE = /^\d{4}\.ya?ml$/;
/** Made-up numbers (+86 199 0000 xxxx) for demos; never real people's. */
const SAMPLE_SUBSCRIBERS = 'subscribers.sample.csv';

const tookSince = (started: number) => `${((performance.now() - started) / 1000).toFixed(1)} s`;

export async function loadDemoPlans(
  store: Store,
  options: { campaignsDir: string; county: string; timeZone: string; now: Date; phoneKeys: PhoneKeys },
): Promise<string[]> {
  const lines: string[] = [];
  if (!(await store.counties.get(options.county))) {
    // The demo county as a record, as the operator would create it (POST /counties): its name heads reports; Ya'an city reads it.
    const tianquan = options.county === 'tianquan';
    const record = newCountyRecord({ id: options.county, name: tianquan ? '天全县' : options.county, ...(tianquan ? { smsSignature: '天全普法', city: 'yaan', province: 'sichuan' } : {}) }, options.now, options.timeZone);
    await store.counties.create(record, { audits: [], now: options.now });
    lines.push(`    county: ${record.id} (${record.name}${record.city ? `, city ${record.city}, province ${record.province ?? ''}` : ''})`);
  }
  const files = readdirSync(options.campaignsDir).filter((name) => PLAN_FILE.test(name)).sort();
  for (const name of files) {
    const started = performance.now();
    const read = await readPlanFile(join(options.campaignsDir, name), { defaultTimeZone: options.timeZone });
    if (!read.ok) {
      lines.push(`    ${name}: not loaded, ${read.problems.length} problem(s): ${read.problems.map(formatProblem)[0] ?? ""}`);
      continue;
    }
    const result = await loadPlan(
      { store, config: { timeZone: options.timeZone }, now: options.now },
      { plan: { ...read.plan, county: options.county }, registry: read.registry, county: options.county, loader: { kind: 'system' }, actor: { tokenId: 'demo', name: '示例数据' }, dryRun: false },
    );
    lines.push(
      result.ok
        ? `    ${name}: ${result.report.campaigns.length} campaigns, ${result.report.notices.length} notices (drafts), ${tookSince(started)}`
        : `    ${name}: not loaded: ${result.problems[0]?.message ?? ''}`,
    );
  }
  const subscribers = join(options.campaignsDir, SAMPLE_SUBSCRIBERS);
  if (existsSync(subscribers)) {
    const started = performance.now();
    const report = await importCsv(store, { county: options.county, kind: 'subscribers', file: readFileSync(subscribers), dryRun: false, now: options.now, phoneKeys: options.phoneKeys });
    lines.push(`    ${SAMPLE_SUBSCRIBERS}: ${report.created} sample subscribers${report.rejected.length > 0 ? `, ${report.rejected.length} rows rejected` : ''}, ${tookSince(started)}`);
  }
  return lines;
}
