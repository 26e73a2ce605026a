/**
 * @module handlers/dispatch
 * The dispatch Lambda, run every minute by EventBridge: dispatcher runs for the time this
 * invocation has left (less a margin to write the last outcomes). Its timeout is longer than the
 * minute, so consecutive invocations overlap and the SMS cap is used all the time over a long
 * push; the shared limiter in the table keeps them together under the cap
 * (handlers/dispatch-schedule.ts). A failure is thrown, not caught: the invocation fails, the
 * alarm on dispatch errors fires, and after EventBridge's retries the event lands in the
 * dead-letter queue; the deliveries themselves are safe in the table (their claims run out and
 * the next run takes them).
 *
 * Each invocation's counts (sent, failed, uncertain, expired, skipped) go out as CloudWatch
 * embedded metric format lines (Powertools Metrics, handlers/metrics.ts); every line it logs
 * carries Lambda's request id.
 */
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { LambdaContext } from 'hono/aws-lambda';
import { invocationLogFields } from '../http/request-ids.js';
import { notifierFromConfig } from '../notify/from-config.js';
import { audioLinksFromConfig } from '../speech/s3-audio-links.js';
import { dispatchSettingsFromConfig, runDispatch, type DispatchDeps, type DispatchSummary } from '../workflows/dispatch.js';
import { wechatFromConfig } from '../wechat/from-config.js';
import { depsFromEnvironment } from './deps.js';
import { DISPATCH_MARGIN_MS, dispatchBudgetMs } from './dispatch-schedule.js';
import { dispatchCounts, METRICS_SERVICE } from './metrics.js';

const deps = await depsFromEnvironment(process.env);
/** Presigned links to recordings for pushed scripts; the dispatcher may read recordings, never write or make them. */
function linksOf(config: typeof deps.config): DispatchDeps['audioLinks'] {
  const links = audioLinksFromConfig(config);
  return links ? async () => links : undefined;
}
const notifier = notifierFromConfig(deps.config);
const settings = dispatchSettingsFromConfig(deps.config);
const dispatchDeps: DispatchDeps = { store: deps.store, notifier, clock: deps.clock, logger: deps.logger, phoneKeys: deps.phoneKeys, settings, audioLinks: linksOf(deps.config), wechat: wechatFromConfig(deps) };
// The namespace comes from POWERTOOLS_METRICS_NAMESPACE, set by the stack; its warnings go to our log.
const metrics = new Metrics({ serviceName: METRICS_SERVICE.dispatch, logger: deps.logger });

/** The budget of an invocation without a Lambda context (tests, a direct call). */
const DEFAULT_BUDGET_MS = 45_000;
/** Below this much budget left, an invocation does not start another run. */
const RUN_AGAIN_MIN_MS = 2_000;
/** The pause before running again: the other run's claims are in the due index by then. */
const RUN_AGAIN_AFTER_MS = 1_000;

/**
 * Runs the dispatcher until the budget is spent or nothing is due. `runDispatch` ends early when
 * a round claims nothing because another run claimed the same due deliveries first ("leave it to
 * them"). Once invocations overlap, that other run is the previous minute's, close to its own
 * deadline: an invocation that left it the work would leave the cap unused from then until the
 * next tick (seen in bench/dispatch-aws-shape.ts: 34 s at 0 SMS). So while time is left and
 * deliveries are still due and unclaimed, it runs again. An idle invocation still ends at once:
 * one due query more.
 */
export async function handler(_event?: unknown, context?: Partial<Pick<LambdaContext, 'getRemainingTimeInMillis' | 'awsRequestId'>>): Promise<DispatchSummary> {
  const remaining = context?.getRemainingTimeInMillis?.() ?? DEFAULT_BUDGET_MS + DISPATCH_MARGIN_MS;
  const deadline = Date.now() + dispatchBudgetMs(remaining);
  // This invocation's lines (the run summaries, errors it carries on from) carry its request id.
  const invocationDeps: DispatchDeps = { ...dispatchDeps, logger: deps.logger.child(invocationLogFields(context)) };
  let total = await runDispatch(invocationDeps, { budgetMs: deadline - Date.now() });
  while (deadline - Date.now() > RUN_AGAIN_MIN_MS + RUN_AGAIN_AFTER_MS) {
    if (!(await deps.store.deliveries.anyDue(deps.clock()))) break;
    await new Promise((wake) => setTimeout(wake, RUN_AGAIN_AFTER_MS));
    total = added(total, await runDispatch(invocationDeps, { budgetMs: deadline - Date.now() }));
  }
  for (const [name, value] of dispatchCounts(total)) metrics.addMetric(name, MetricUnit.Count, value);
  metrics.publishStoredMetrics();
  return total;
}

/** Two runs' summaries as one invocation's: counts added, from the first run's start. */
function added(first: DispatchSummary, second: DispatchSummary): DispatchSummary {
  const sum = { ...first };
  for (const key of ['claimed', 'sent', 'failed', 'skipped', 'expired', 'cancelled', 'retried', 'deferred', 'parked', 'uncertain', 'returned', 'stopped', 'lostLeases', 'expanded', 'wechatFollowed', 'wechatEnded'] as const) {
    sum[key] = first[key] + second[key];
  }
  const optOutsSynced = (first.optOutsSynced ?? 0) + (second.optOutsSynced ?? 0);
  if (first.optOutsSynced !== undefined || second.optOutsSynced !== undefined) sum.optOutsSynced = optOutsSynced;
  sum.completedNotices = [...first.completedNotices, ...second.completedNotices];
  return sum;
}
