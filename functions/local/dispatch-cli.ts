/**
 * @module local/dispatch-cli
 * `npm run dispatch`: one dispatcher run by hand. Against the running `npm start` it sends through
 * that server's SNS sink (so its outbox shows the messages) and on that server's clock (its
 * `--clock`); with the server stopped it opens the data folder and a sink of its own that prints
 * each message and makes its carrier receipts as `npm start`'s does (applied before it exits);
 * `--aws` uses the deployed table and Amazon SNS with your credentials.
 */
import './quiet-sdk-warning.js';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { loadConfig } from '../config.js';
import { createLogger } from '../http/logger.js';
import { createSnsClient, createSnsNotifier } from '../notify/sns.js';
import { notifierFromConfig } from '../notify/from-config.js';
import { version } from '../version.js';
import { dispatchSettingsFromConfig, runDispatch } from '../workflows/dispatch.js';
import { runCli, UsageError } from './cli.js';
import { localReceiptOptions } from './receipt-options.js';
import { sinkReceipts } from './receipts.js';
import { DEFAULT_DATA_DIR, LOCAL_STATION_TOPIC } from './runtime.js';
import { Outbox, startSnsSink } from './sns-sink.js';
import { openTarget } from './target.js';
import { printOutboxEntry } from './ticker.js';
import type { AudioLinks } from '../speech/audio-store.js';
import { audioLinksFromConfig } from '../speech/s3-audio-links.js';

const USAGE = `Usage:
  npm run dispatch [-- --budget SECONDS] [--data-dir DIR] [--aws]
Runs the dispatcher once: sends what is due, retries what failed, expires what is too late.`;

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { budget: { type: 'string' }, 'data-dir': { type: 'string' }, aws: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const budget = z.coerce.number().int().min(1).max(900).safeParse(values.budget ?? 50);
  if (!budget.success) throw new UsageError('--budget: seconds, 1 to 900');
  const receiptOptions = localReceiptOptions(process.env);
  const dataDir = values['data-dir'] ?? DEFAULT_DATA_DIR;
  const target = await openTarget({ aws: values.aws ?? false, dataDir, county: undefined });
  const logger = createLogger({ level: 'warn' });
  const receipts = sinkReceipts(receiptOptions, () => ({ store: target.store, clock: target.clock, logger }));
  const sink = values.aws || target.snsEndpoint ? undefined : await startSnsSink({ outbox: new Outbox(10_000, printOutboxEntry), clock: target.clock, receipts });
  try {
    const notifier = values.aws
      ? notifierFromConfig(target.config)
      : createSnsNotifier(createSnsClient({ region: target.config.region, endpoint: target.snsEndpoint ?? sink?.endpoint }), {
          stationTopicArn: LOCAL_STATION_TOPIC,
          smsType: target.config.sms.type,
        });
    const summary = await runDispatch(
      {
        store: target.store,
        notifier,
        clock: target.clock,
        logger,
        phoneKeys: await target.phoneKeys(),
        // With --aws, links to the deployment's audio bucket (PUFA_AUDIO_BUCKET), as the dispatch
        // function makes them; without it, a pushed script goes without its recording's link.
        audioLinks: values.aws ? awsAudioLinks(target.config) : async () => (await target.speech()).audio,
        settings: dispatchSettingsFromConfig(values.aws ? loadConfig(process.env, version) : target.config),
        wechat: target.wechat,
      },
      { budgetMs: budget.data * 1000 },
    );
    const { startedAt: _startedAt, completedNotices, ...counts } = summary;
    console.log(
      `Dispatched: ${Object.entries(counts)
        .filter(([, value]) => typeof value === 'number' && value > 0)
        .map(([name, value]) => `${name} ${String(value)}`)
        .join(', ') || 'nothing was due'}${completedNotices.length > 0 ? `; finished: ${completedNotices.join(', ')}` : ''}.`,
    );
    // The receipts of what this run sent, before the sink and the database close.
    await sink?.receiptsSettled();
    return 0;
  } finally {
    await sink?.stop();
    await target.close();
  }
}

function awsAudioLinks(config: Parameters<typeof audioLinksFromConfig>[0]): (() => Promise<AudioLinks>) | undefined {
  const links = audioLinksFromConfig(config);
  if (!links) console.error('warning: PUFA_AUDIO_BUCKET is not set: pushed scripts will carry no link to their recording');
  return links ? async () => links : undefined;
}

runCli(main, USAGE);
