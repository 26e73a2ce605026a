/**
 * @module handlers/dispatch-schedule
 * How the dispatch Lambda runs in AWS, in one place for the stack (infra/stack.ts), the handler
 * (handlers/dispatch.ts) and the AWS-shape benchmark (bench/dispatch-aws-shape.ts).
 *
 * EventBridge starts a run every period. A run sends until its budget (the time the invocation
 * has left, less a margin to record the last outcomes) is spent, or until nothing is due (an
 * idle run ends at once). With a timeout no longer than the period, each minute would hold at
 * most timeout − margin seconds of sending: 50 s in 60, about 5/6 of the SMS cap over a long
 * push. So the timeout is longer than the period: each run's budget reaches past the next tick,
 * consecutive runs overlap, and some run is always sending. The send-slot limiter is in the
 * table (store/rate.ts) and shared by every run, so two runs together still send no more than the
 * cap in any second; claims are conditional writes, so they never send the same delivery.
 *
 * The timeout stays under two periods, so at most two scheduled runs are ever alive at once
 * (run k ends before run k+2 starts), and reserved concurrency holds the function to that
 * number whatever else invokes it (a manual invoke, a delayed or repeated event): a backlog can
 * never pile up runs that only split the same cap and hold more claims.
 */

/** EventBridge's schedule: one run a minute. */
export const DISPATCH_PERIOD_SECONDS = 60;

/**
 * 1.5 periods: the budget (85 s) covers the next tick with 25 s to spare for EventBridge firing
 * late and a cold start, and 90 s is far enough under two periods (120 s) that a third run never
 * overlaps the two. An idle run still ends in well under a second, so the longer timeout costs
 * nothing outside a push; during one, two runs share the cap (a run bills at most 90 s a minute).
 */
export const DISPATCH_TIMEOUT_SECONDS = 90;

/** At most this many runs at once: the two that overlap by design. */
export const DISPATCH_RESERVED_CONCURRENCY = 2;

/** Time kept back at the end of an invocation to record the last outcomes. */
export const DISPATCH_MARGIN_MS = 5_000;

/** A run's budget from the time its invocation has left (Lambda's getRemainingTimeInMillis). */
export function dispatchBudgetMs(remainingMs: number): number {
  return Math.max(1_000, remainingMs - DISPATCH_MARGIN_MS);
}
