/**
 * @module local/ticker
 * The local stand-in for the EventBridge schedule: a dispatcher run every few seconds (never two
 * at once), and a console line for every message the local SNS sink accepts.
 */
import type { AppDeps } from '../http/env.js';
import { errorFields } from '../http/logger.js';
import { maskPhone } from '../domain/phone.js';
import { notifierFromConfig } from '../notify/from-config.js';
import { dispatchSettingsFromConfig, runDispatch } from '../workflows/dispatch.js';
import type { OutboxEntry } from './sns-sink.js';

export function printOutboxEntry(entry: OutboxEntry): void {
  const to = entry.phoneNumber ? `短信 → ${maskPhone(entry.phoneNumber, 'restricted')}` : `广播站 → ${entry.attributes.station ?? '?'}`;
  const text = entry.phoneNumber ? entry.message : ((JSON.parse(entry.message) as { text?: string }).text ?? entry.message);
  process.stdout.write(`[outbox] ${to}: ${text.length > 60 ? `${text.slice(0, 60)}…` : text}\n`);
}

export function startTicker(deps: AppDeps, everySeconds: number): { stop(): void; idle(): Promise<void> } {
  if (everySeconds <= 0) return { stop: () => undefined, idle: async () => undefined };
  const notifier = notifierFromConfig(deps.config);
  const settings = dispatchSettingsFromConfig(deps.config);
  let running: Promise<void> | undefined;
  const tick = () => {
    if (running) return; // the previous run is still going: skip, as a Lambda would be skipped by its lease
    running = runDispatch(
      { store: deps.store, notifier, clock: deps.clock, logger: deps.logger, phoneKeys: deps.phoneKeys, settings, audioLinks: async () => (await deps.speech()).audio, wechat: deps.wechat },
      { budgetMs: Math.max(1_000, everySeconds * 1000 - 1_000) },
    ).then(
      () => undefined,
      (error: unknown) => deps.logger.error('dispatch run failed; the next tick retries', errorFields(error)),
    ).finally(() => {
      running = undefined;
    });
  };
  const timer = setInterval(tick, everySeconds * 1000);
  timer.unref();
  setTimeout(tick, 1_000).unref();
  return {
    stop: () => clearInterval(timer),
    idle: () => running ?? Promise.resolve(),
  };
}
