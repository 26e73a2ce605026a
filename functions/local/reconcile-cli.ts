/**
 * @module local/reconcile-cli
 * `npm run reconcile -- --year 2021 [--repair]`: recounts a year's tallies from the records and
 * deliveries, prints every difference, and with --repair sets the counters to the recount.
 * Exits 1 when differences remain (so a scheduled check can alert).
 */
import './quiet-sdk-warning.js';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { commandLineActor } from '../domain/audit.js';
import { reconcileYear } from '../workflows/reconcile.js';
import { runCli, UsageError } from './cli.js';
import { DEFAULT_DATA_DIR } from './runtime.js';
import { openTarget } from './target.js';

const USAGE = `Usage:
  npm run reconcile -- --year 2021 [--repair] [--county <id>] [--data-dir <dir>] [--aws]`;

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { year: { type: 'string' }, repair: { type: 'boolean' }, county: { type: 'string' }, 'data-dir': { type: 'string' }, aws: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const year = z.coerce.number().int().min(2000).max(2100).safeParse(values.year);
  if (!year.success) throw new UsageError('--year: a year such as 2021');
  const target = await openTarget({ aws: values.aws ?? false, dataDir: values['data-dir'] ?? DEFAULT_DATA_DIR, county: values.county });
  try {
    const report = await reconcileYear(target.store, { county: target.county, year: year.data, repair: values.repair ?? false, now: target.clock(), timeZone: target.config.timeZone, actor: commandLineActor('npm run reconcile') });
    console.log(`Recounted ${report.year} from ${report.activities} activities and ${report.deliveries} deliveries: ${report.differences.length} difference(s).`);
    for (const difference of report.differences) {
      const { cell } = difference;
      console.log(`  ${cell.dimension}=${cell.value} month ${cell.month} ${difference.counter}: stored ${difference.stored}, records say ${difference.expected}`);
    }
    if (report.repaired > 0) console.log(`Repaired ${report.repaired} counter item(s).`);
    return report.differences.length > 0 && report.repaired === 0 ? 1 : 0;
  } finally {
    await target.close();
  }
}

runCli(main, USAGE);
