/**
 * @module handlers/metrics
 * The metrics the dispatch and receipts Lambdas emit, in one place for the handlers (which write
 * them as CloudWatch embedded metric format lines through Powertools Metrics) and the stack
 * (infra/stack.ts and infra/receipts.ts alarm on them). No AWS import: the CDK app reads it too.
 *
 * The namespace is the stack's (`Pufa/<stack name>`, so two deployments in one account do not add
 * up), set by the stack as POWERTOOLS_METRICS_NAMESPACE; Powertools adds one dimension, `service`,
 * the emitting function's name below. The summaries are taken by their count fields, not their
 * types: importing the dispatch workflow here would put it in the receipts handler's reach
 * (test/infra/grants.test.ts reads imports, types too).
 */
/** The environment variable Powertools Metrics reads its namespace from. */
export const METRICS_NAMESPACE_VARIABLE = 'POWERTOOLS_METRICS_NAMESPACE';

/** The namespace of a stack's metrics. */
export const metricsNamespace = (stackName: string) => `Pufa/${stackName}`;

/** The `service` dimension of each function's metrics. */
export const METRICS_SERVICE = { dispatch: 'dispatch', receipts: 'receipts' } as const;

/** Per receipts batch: SMS the carrier took (delivered) and refused (undelivered), each counted once however often a batch is retried. */
export const RECEIPT_METRICS = { delivered: 'SmsDelivered', undelivered: 'SmsUndelivered', unmatched: 'ReceiptsUnmatched' } as const;

/** Per dispatch invocation (both runs of it added): deliveries by how they ended. */
export const DISPATCH_METRICS = { sent: 'DeliveriesSent', failed: 'DeliveriesFailed', uncertain: 'DeliveriesUncertain', expired: 'DeliveriesExpired', skipped: 'DeliveriesSkipped' } as const;

/** A metric name and its count, as the handlers hand them to Powertools Metrics. */
export type Count = readonly [name: string, value: number];

/** From a receipts batch's summary (workflows/receipts.ts ReceiptsSummary). */
export function receiptCounts(summary: Record<'delivered' | 'undelivered' | 'unmatched', number>): Count[] {
  return [
    [RECEIPT_METRICS.delivered, summary.delivered],
    [RECEIPT_METRICS.undelivered, summary.undelivered],
    [RECEIPT_METRICS.unmatched, summary.unmatched],
  ];
}

/** From an invocation's summary (workflows/dispatch.ts DispatchSummary). */
export function dispatchCounts(summary: Record<keyof typeof DISPATCH_METRICS, number>): Count[] {
  return (Object.keys(DISPATCH_METRICS) as (keyof typeof DISPATCH_METRICS)[]).map((key) => [DISPATCH_METRICS[key], summary[key]] as const);
}
