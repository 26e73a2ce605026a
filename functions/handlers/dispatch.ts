/**
 * @module handlers/dispatch
 * The dispatch Lambda, run every minute by EventBridge: one dispatcher run with the time this
 * invocation has left (less a margin to write the last outcomes). Its timeout is longer than the
 * minute, so consecutive runs overlap and the SMS cap is used all the time over a long push; the
 * shared limiter in the table keeps the runs together under the cap (handlers/dispatch-schedule.ts).
 * A failure is thrown, not caught: the invocation fails, the alarm on dispatch errors fires, and
 * after EventBridge's retries the event lands in the dead-letter queue; the deliveries themselves
 * are safe in the table (their claims run out and the next run takes them).
 */
import type { LambdaContext } from 'hono/aws-lambda';
import { notifierFromConfig } from '../notify/from-config.js';
import { dispatchSettingsFromConfig, runDispatch, type DispatchSummary } from '../workflows/dispatch.js';
import { depsFromEnvironment } from './deps.js';
import { DISPATCH_MARGIN_MS, dispatchBudgetMs } from './dispatch-schedule.js';

const deps = await depsFromEnvironment(process.env);
const notifier = notifierFromConfig(deps.config);
const settings = dispatchSettingsFromConfig(deps.config);

/** The budget of a run started without a Lambda context (tests, a direct call). */
const DEFAULT_BUDGET_MS = 45_000;

export async function handler(_event?: unknown, context?: Pick<LambdaContext, 'getRemainingTimeInMillis'>): Promise<DispatchSummary> {
  const remaining = context?.getRemainingTimeInMillis?.() ?? DEFAULT_BUDGET_MS + DISPATCH_MARGIN_MS;
  return runDispatch(
    { store: deps.store, notifier, clock: deps.clock, logger: deps.logger, phoneKeys: deps.phoneKeys, settings },
    { budgetMs: dispatchBudgetMs(remaining) },
  );
}
