/**
 * @module workflows/auto-pause
 * A notice whose sends keep failing is paused by the dispatcher like a manual pause (same state,
 * same send fence), with the reason on the notice and an audit entry filed by the system.
 */
import { ALARM_LINES } from '../domain/alarm-lines.js';
import { auditEntry, type AuditActor } from '../domain/audit.js';
import type { DeliveryRecord } from '../domain/delivery.js';
import { Conflict } from '../domain/errors.js';
import { failureTrip, type FailureThreshold } from '../domain/failure-guard.js';
import type { Logger } from '../http/logger.js';
import type { Store } from '../store/index.js';

/** The dispatcher's own name in the audit log. */
export const dispatcherActor: AuditActor = { tokenId: 'dispatcher', name: 'dispatcher', role: 'system' };

/**
 * Pauses the notices whose failures passed the threshold, as the system: the same state and fence
 * as a manual pause, the reason on the notice, an audit entry in the same transaction. Two
 * dispatchers may find the same notice failing; the pause is conditional, so one of them files it.
 */
export async function pauseOnFailures(
  deps: { store: Store; logger: Logger; clock: () => Date },
  refs: readonly Pick<DeliveryRecord, 'county' | 'campaignId' | 'noticeId'>[],
  threshold: FailureThreshold,
  timeZone: string,
): Promise<string[]> {
  const { store, logger, clock } = deps;
  const paused: string[] = [];
  if (threshold.failures <= 0) return paused;
  for (const ref of refs) {
    const [counts, notice] = await Promise.all([
      store.deliveries.counts(ref.county, ref.campaignId, ref.noticeId),
      store.notices.get(ref.county, ref.campaignId, ref.noticeId, { consistent: true }),
    ]);
    if (notice?.state !== 'scheduled') continue;
    const trip = failureTrip(counts, threshold, notice.guardBaseline);
    if (!trip) continue;
    const now = clock();
    const autoPaused = { at: now.toISOString(), reason: trip.reason, failures: trip.failures, attempts: trip.attempts };
    try {
      await store.notices.transition(notice, { from: 'scheduled', to: 'paused' }, { autoPaused }, now, (after) =>
        auditEntry({
          county: notice.county,
          actor: dispatcherActor,
          action: 'notice.auto-pause',
          subject: { kind: 'notice', id: `${notice.campaignId}/${notice.id}` },
          before: { state: notice.state, counts },
          after: { state: after.state, autoPaused },
          now,
          timeZone,
        }),
      );
    } catch (error) {
      if (error instanceof Conflict) continue; // paused, cancelled or changed meanwhile (another run got there first)
      throw error;
    }
    paused.push(`${notice.campaignId}/${notice.id}`);
    logger.error(ALARM_LINES.noticeAutoPaused, { county: notice.county, campaignId: notice.campaignId, noticeId: notice.id, failures: trip.failures, attempts: trip.attempts, percent: trip.percent });
  }
  return paused;
}
