/**
 * @module domain/failure-guard
 * Auto-pause (like listmonk's max_send_errors): a notice whose sends keep failing — a template the
 * carrier blocks, a wrong signature — is paused by the dispatcher before it burns its whole
 * audience. Counted since the notice was last resumed, so a resumed notice starts afresh. Pure.
 */

export interface FailureThreshold {
  /** Failures (failed sends and undelivered receipts) that trip the guard; 0 turns it off. */
  failures: number;
  /** …and at least this share of the attempts, in percent… */
  percent: number;
  /** …once at least this many sends ended (sent or failed). */
  minAttempts: number;
}

export const defaultFailureThreshold: FailureThreshold = { failures: 25, percent: 20, minAttempts: 50 };

/** The notice's counters that the guard reads. */
export interface FailureCounts {
  sent: number;
  failed: number;
  undelivered: number;
}

export interface FailureTrip {
  failures: number;
  attempts: number;
  percent: number;
  /** In Chinese, for the notice page and the audit log. */
  reason: string;
}

const since = (counts: FailureCounts, baseline: FailureCounts | undefined): FailureCounts => ({
  sent: counts.sent - (baseline?.sent ?? 0),
  failed: counts.failed - (baseline?.failed ?? 0),
  undelivered: counts.undelivered - (baseline?.undelivered ?? 0),
});

/** Undefined while the notice may go on; the trip, with its reason, once it must pause. */
export function failureTrip(counts: FailureCounts, threshold: FailureThreshold, baseline?: FailureCounts): FailureTrip | undefined {
  if (threshold.failures <= 0) return undefined;
  const { sent, failed, undelivered } = since(counts, baseline);
  const attempts = sent + failed;
  const failures = failed + undelivered;
  if (attempts < threshold.minAttempts || failures < threshold.failures) return undefined;
  if (failures * 100 < threshold.percent * attempts) return undefined;
  const percent = Math.round((failures / attempts) * 100);
  return {
    failures,
    attempts,
    percent,
    reason: `失败过多，系统已自动暂停：已结束的 ${attempts} 次发送中 ${failures} 次失败或未送达（${percent}%，阈值为至少 ${threshold.failures} 次且不低于 ${threshold.percent}%）。请检查短信模板、签名或号码，修正后再点“恢复”。`,
  };
}
