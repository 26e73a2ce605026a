/**
 * @module local/import-cli
 * `npm run import -- stations|subscribers FILE`: imports a CSV into the local system (the running
 * `npm start`, the data folder, or with --aws the deployed table), with a progress bar on large
 * files and a summary at the end listing every rejected line and why.
 */
import './quiet-sdk-warning.js';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { commandLineActor } from '../domain/audit.js';
import { importCsv } from '../workflows/imports.js';
import { CliFailure, runCli, UsageError } from './cli.js';
import { DEFAULT_DATA_DIR } from './runtime.js';
import { openTarget } from './target.js';

const USAGE = `Usage:
  npm run import -- stations FILE.csv [--dry-run]
  npm run import -- subscribers FILE.csv [--dry-run]
Options: --county <id>, --data-dir <dir>, --aws (the deployed table named by PUFA_TABLE_NAME)
Headers may be Chinese or English: 手机号/phone, 乡镇/township, 村/village, 群体/groups, 同意/consent, 姓名/name;
编号/id, 名称/name, 所属村/village, 管理员/operator, 联系电话/contact, 推送地址/endpoint.`;

/** Rejected lines listed in full up to this many; the rest are counted. */
const LIST_LIMIT = 50;

function progressBar(): (done: number, total: number) => void {
  let lastShown = -1;
  return (done, total) => {
    const percent = total === 0 ? 100 : Math.floor((done / total) * 100);
    if (process.stderr.isTTY) {
      if (percent === lastShown && done !== total) return;
      const width = 30;
      const filled = Math.round((percent / 100) * width);
      process.stderr.write(`\r[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${String(percent).padStart(3)}% ${done}/${total}`);
      if (done === total) process.stderr.write('\n');
    } else if (percent >= lastShown + 10 || done === total) {
      process.stderr.write(`${percent}% (${done}/${total})\n`);
    } else {
      return;
    }
    lastShown = percent;
  };
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { 'dry-run': { type: 'boolean' }, county: { type: 'string' }, 'data-dir': { type: 'string' }, aws: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const kind = z.enum(['stations', 'subscribers']).safeParse(positionals[0]);
  if (!kind.success || !positionals[1]) throw new UsageError('Say what to import (stations or subscribers) and the file.');
  let file: Uint8Array;
  try {
    // Bytes, not UTF-8 text: files saved by Excel on Chinese Windows are GBK, some tools write UTF-16.
    file = readFileSync(positionals[1]);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new CliFailure(`Cannot read ${positionals[1]}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'a folder, not a file' : (code ?? String(error))}`);
  }
  const target = await openTarget({ aws: values.aws ?? false, dataDir: values['data-dir'] ?? DEFAULT_DATA_DIR, county: values.county });
  try {
    const report = await importCsv(target.store, {
      county: target.county,
      kind: kind.data,
      file,
      dryRun: values['dry-run'] ?? false,
      now: target.clock(),
      phoneKeys: await target.phoneKeys(),
      subscriptions: target.stationSubscriptions,
      onProgress: progressBar(),
      audit: { actor: commandLineActor('npm run import'), timeZone: target.config.timeZone },
    });
    const lines = [
      `${report.dryRun ? 'Would import' : 'Imported'} ${report.kind} from ${positionals[1]}${report.encoding === 'utf-8' ? '' : ` (read as ${report.encoding})`}: ${report.rows} rows — ${report.created} new, ${report.updated} changed, ${report.unchanged} unchanged, ${report.rejected.length} rejected.`,
      // The admin's own file, on the admin's own terminal: the reasons quote the cells as written.
      ...report.rejected.slice(0, LIST_LIMIT).map((rejected) => `  line ${rejected.line}: ${rejected.reason}`),
      ...(report.rejected.length > LIST_LIMIT ? [`  … and ${report.rejected.length - LIST_LIMIT} more rejected lines`] : []),
    ];
    console.log(lines.join('\n'));
    return report.rejected.length > 0 ? 1 : 0;
  } finally {
    await target.close();
  }
}

runCli(main, USAGE);
