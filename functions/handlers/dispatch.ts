/**
 * @module handlers/dispatch
 * The dispatch Lambda, run every minute by EventBridge: one dispatcher run with the time this
 * invocation has left (less a margin to write the last outcomes). A failure is thrown, not
 * caught: the invocation fails, the alarm on dispatch errors fires, and after EventBridge's
 * retries the event lands in the dead-letter queue; the deliveries themselves are safe in the
 * table (their claims run out and the next run takes them).
 */
import type { LambdaContext } from 'hono/aws-lambda';
import { notifierFromConfig } from '../notify/from-config.js';
import { dispatchSettingsFromConfig, runDispatch, type DispatchSummary } from '../workflows/dispatch.js';
import { depsFromEnvironment } from './deps.js';

const deps = await depsFromEnvironment(process.env);
const notifier = notifierFromConfig(deps.config);
const settings = dispatchSettingsFromConfig(deps.config);

/** Time kept back at the end of an invocation to record the last outcomes. */
const MARGIN_MS = 5_000;
const DEFAULT_BUDGET_MS = 45_000;

export async function handler(_event?: unknown, context?: Pick<LambdaContext, 'getRemainingTimeInMillis'>): Promise<DispatchSummary> {
  const remaining = context?.getRemainingTimeInMillis?.() ?? DEFAULT_BUDGET_MS + MARGIN_MS;
  return runDispatch(
    { store: deps.store, notifier, clock: deps.clock, logger: deps.logger, phoneKeys: deps.phoneKeys, settings },
    { budgetMs: Math.max(1_000, remaining - MARGIN_MS) },
  );
}
