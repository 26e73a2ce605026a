/**
 * @module local/migrate-cli
 * `npm run migrate-phone-keys [-- --restart] [--data-dir <dir>] [--aws]`: moves items keyed with
 * the old unkeyed hash of their phone number to the deployment's secret key (see
 * workflows/rekey-phones for what it covers). Safe to run again; a run that stops goes on from
 * where it was. Exits 1 while something is left to do (a delivery being sent, an item changed
 * meanwhile): run it again.
 */
import './quiet-sdk-warning.js';
import { parseArgs } from 'node:util';
import { commandLineActor } from '../domain/audit.js';
import { rekeyPhones } from '../workflows/rekey-phones.js';
import { runCli } from './cli.js';
import { DEFAULT_DATA_DIR } from './runtime.js';
import { openTarget } from './target.js';

const USAGE = `Usage:
  npm run migrate-phone-keys -- [--restart] [--county <id>] [--data-dir <dir>] [--aws]
  (--aws: the deployed table PUFA_TABLE_NAME, keyed with the secret PUFA_PHONE_KEY_SECRET_ARN names)`;

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { restart: { type: 'boolean' }, county: { type: 'string' }, 'data-dir': { type: 'string' }, aws: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const target = await openTarget({ aws: values.aws ?? false, dataDir: values['data-dir'] ?? DEFAULT_DATA_DIR, county: values.county });
  try {
    const report = await rekeyPhones(target.store, await target.phoneKeys(), {
      now: target.clock,
      restart: values.restart ?? false,
      audit: { actor: commandLineActor('npm run migrate-phone-keys'), county: target.county, timeZone: target.config.timeZone },
    });
    console.log(`Re-keyed ${report.subscribers} subscriber(s), ${report.deliveries} SMS deliveries, ${report.optOuts} opt-out(s).`);
    if (report.snsOptOutsResynced > 0) console.log(`  ${report.snsOptOutsResynced} opt-out(s) from SNS's list: the next dispatcher run reads the list again under the new keys.`);
    if (report.unattributedOptOuts > 0) console.log(`  ${report.unattributedOptOuts} old opt-out(s) of numbers pufa does not hold could not be re-keyed (the number is nowhere in the table); left in place.`);
    if (report.inFlight > 0) console.log(`  ${report.inFlight} delivery(ies) being sent right now: run again in a minute.`);
    if (report.skipped > 0) console.log(`  ${report.skipped} item(s) changed while moving: run again.`);
    return report.complete ? 0 : 1;
  } finally {
    await target.close();
  }
}

runCli(main, USAGE);
