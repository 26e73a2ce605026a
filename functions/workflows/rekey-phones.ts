/**
 * @module workflows/rekey-phones
 * Re-keys the phone numbers stored before keys were secret: items keyed with the old unkeyed
 * SHA-256 of their number (which anyone could reverse from a mask in 10,000 tries) move to the
 * deployment's HMAC key. Run by `npm run migrate-phone-keys` (and by `npm start` when it creates a
 * local secret for a table that already holds data).
 *
 * What it covers, item by item, found by one Scan of the table:
 * - subscribers: moved to their new key (the item's sort key and the by-number index);
 * - SMS deliveries in any state but `sending`: moved to their new id (a delivery id ends with the
 *   recipient's key), keeping their place in the due index; one a dispatcher holds (`sending`) is
 *   counted and left for the next run;
 * - opt-outs of numbers the table knows (from subscribers and deliveries): moved to the new key;
 * - opt-outs that came from SNS's list: the next dispatcher run reads the list again under the
 *   new keys (the sync marker is forgotten);
 * - opt-outs of numbers the table does not hold (made through the API for a stranger): the
 *   number is nowhere, so they cannot be re-keyed; they are counted and left in place.
 * Not covered: audit entries keep the keys they were filed with (the log is not rewritten).
 *
 * Idempotent (an item already under its new key is not touched) and resumable (its place in the
 * Scan is saved after every page; a run that stops part-way goes on from there).
 */
import type { AuditActor } from '../domain/audit.js';
import { auditEntry } from '../domain/audit.js';
import { deliveryId, type DeliveryRecord } from '../domain/delivery.js';
import { legacyPhoneKey, type PhoneKeys } from '../domain/phone.js';
import type { Store } from '../store/index.js';
import { rekeyStoreOf } from '../store/rekey.js';

export const PHONE_REKEY_MIGRATION = 'phone-keys-v1';

export interface RekeyReport {
  subscribers: number;
  deliveries: number;
  optOuts: number;
  /** Items another writer changed meanwhile (run again to take them). */
  skipped: number;
  /** Deliveries a dispatcher held (`sending`): run again once their leases are over. */
  inFlight: number;
  /** Old opt-outs of numbers pufa does not hold: left as they are. */
  unattributedOptOuts: number;
  /** Old opt-outs from SNS's list: the next dispatcher run reads the list again. */
  snsOptOutsResynced: number;
  /** False when the run stopped at its page budget; run again to go on. */
  complete: boolean;
}

export async function rekeyPhones(
  store: Store,
  phoneKeys: PhoneKeys,
  options: {
    now: () => Date;
    restart?: boolean;
    /** Stop after this many Scan pages (tests of resuming; a huge table spread over runs). */
    maxPages?: number;
    /** Items the Scan reads per page (default 200). */
    pageSize?: number;
    onPage?: (report: RekeyReport) => void;
    audit?: { actor: AuditActor; county: string; timeZone: string } | undefined;
  },
): Promise<RekeyReport> {
  const table = rekeyStoreOf(store);
  const report: RekeyReport = { subscribers: 0, deliveries: 0, optOuts: 0, skipped: 0, inFlight: 0, unattributedOptOuts: 0, snsOptOutsResynced: 0, complete: false };
  const saved = options.restart ? undefined : await table.progress(PHONE_REKEY_MIGRATION);
  let cursor = saved && !saved.done ? saved.cursor : undefined;
  const legacyOptOuts = new Map<string, string | undefined>(); // old opt-out key -> source
  const numbers = new Set<string>();
  let pages = 0;
  do {
    const page = await table.scanPage(cursor, options.pageSize);
    for (const item of page.items) {
      if (item.kind === 'subscriber') {
        const record = item.record;
        numbers.add(record.phone);
        if (record.phoneKey !== legacyPhoneKey(record.phone)) continue;
        const moved = await table.moveSubscriber(record, { ...record, phoneKey: phoneKeys.keyOf(record.phone) });
        report[moved ? 'subscribers' : 'skipped'] += 1;
      } else if (item.kind === 'delivery') {
        const { record } = item;
        if (record.recipient.kind !== 'sms') continue;
        numbers.add(record.recipient.phone);
        if (record.recipient.phoneKey !== legacyPhoneKey(record.recipient.phone)) continue;
        if (record.state === 'sending') {
          report.inFlight += 1;
          continue;
        }
        const recipient = { ...record.recipient, phoneKey: phoneKeys.keyOf(record.recipient.phone) };
        const after: DeliveryRecord = { ...record, recipient, id: deliveryId(record.campaignId, record.noticeId, record.sendIndex, recipient) };
        const moved = await table.moveDelivery(record, after, item.dueAt);
        report[moved ? 'deliveries' : 'skipped'] += 1;
      } else if (!item.keyed) {
        legacyOptOuts.set(item.phoneKey, item.source);
      }
    }
    cursor = page.nextCursor;
    pages += 1;
    await table.saveProgress(PHONE_REKEY_MIGRATION, { cursor, done: false }, options.now());
    options.onPage?.(report);
  } while (cursor && (options.maxPages === undefined || pages < options.maxPages));

  // Old opt-outs of numbers seen in this run move to their new keys. (A resumed run sees only the
  // numbers of its own pages, so it looks the old opt-outs up by number rather than by the Scan.)
  const byOldKey = new Map([...numbers].map((phone) => [legacyPhoneKey(phone), phone] as const));
  const found = await table.existingOptOuts([...byOldKey.keys()]);
  for (const [oldKey, item] of found) {
    if (item.keying !== undefined) continue;
    const phone = byOldKey.get(oldKey);
    if (!phone) continue;
    await table.moveOptOut(oldKey, phoneKeys.keyOf(phone), item);
    legacyOptOuts.delete(oldKey);
    report.optOuts += 1;
  }
  for (const source of legacyOptOuts.values()) report[source === 'sns' ? 'snsOptOutsResynced' : 'unattributedOptOuts'] += 1;
  if (report.snsOptOutsResynced > 0) await table.forgetOptOutSync();

  report.complete = cursor === undefined && report.skipped === 0 && report.inFlight === 0;
  if (cursor === undefined) await table.saveProgress(PHONE_REKEY_MIGRATION, { cursor: undefined, done: report.complete }, options.now());
  const moved = report.subscribers + report.deliveries + report.optOuts;
  if (options.audit && moved > 0) {
    const { actor, county, timeZone } = options.audit;
    await store.audit.file(auditEntry({ county, actor, action: 'subscribers.rekey', subject: { kind: 'subscribers', id: county }, after: { ...report }, now: options.now(), timeZone }));
  }
  return report;
}
