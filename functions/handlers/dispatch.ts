/**
 * @module handlers/dispatch
 * The dispatch Lambda, run every minute by EventBridge. For now it proves it can reach the
 * table and reports that; the delivery loop arrives with the delivery feature (issue 4).
 * A failure is thrown, not caught: Lambda retries it, then it lands in the dead-letter queue
 * and the alarm on dispatch errors fires.
 */
import { depsFromEnvironment } from './deps.js';

const deps = depsFromEnvironment(process.env);

export interface DispatchSummary {
  startedAt: string;
  claimed: number;
  sent: number;
}

export async function handler(): Promise<DispatchSummary> {
  const startedAt = deps.clock().toISOString();
  await deps.store.ping();
  const summary = { startedAt, claimed: 0, sent: 0 };
  deps.logger.info('dispatch run', { ...summary });
  return summary;
}
