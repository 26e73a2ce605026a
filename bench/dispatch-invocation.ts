/**
 * @module bench/dispatch-invocation
 * One dispatch Lambda invocation, for bench/dispatch-aws-shape.ts: a process of its own (like an
 * execution environment) that imports the real handler (functions/handlers/dispatch.ts, which
 * builds its dependencies from the environment the bench gives it: DynamoDB Local, the SNS sink,
 * the cap), says it is ready (the init phase, not counted in Lambda's timeout), then on `invoke`
 * calls `handler` with a context whose remaining time runs out at the deadline, as Lambda's
 * `getRemainingTimeInMillis` does. The bench kills it with SIGKILL at that deadline if it has not
 * ended by then, as Lambda stops a function at its timeout.
 */
import '../functions/local/quiet-sdk-warning.js';
import type { DispatchSummary } from '../functions/workflows/dispatch.js';

export type InvocationRequest = { type: 'invoke'; deadlineMs: number };
export type InvocationAnswer = { type: 'ready' } | { type: 'done'; summary: DispatchSummary; endedAtMs: number } | { type: 'failed'; error: string };

const send = (answer: InvocationAnswer, then: () => void = () => undefined) => process.send?.(answer, undefined, {}, then);

const { handler } = await import('../functions/handlers/dispatch.js');

process.once('message', (request: InvocationRequest) => {
  const context = { getRemainingTimeInMillis: () => request.deadlineMs - Date.now() };
  handler(undefined, context).then(
    (summary) => send({ type: 'done', summary, endedAtMs: Date.now() }, () => process.exit(0)),
    (error: unknown) => send({ type: 'failed', error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) }, () => process.exit(1)),
  );
});
send({ type: 'ready' });
