/**
 * @module workflows/imports
 * CSV imports of stations and subscribers, shared by `npm run import` and the API. Rows that do
 * not check out are reported with their line and reason; the rest are added or changed.
 * Importing the same file twice changes nothing. A station import files its audit entries with its
 * writes (it is a registry change); a subscriber import, thousands of rows written one by one, files
 * one entry summing up what it changed once it is done.
 */
import { auditEntry, type AuditAction, type AuditActor } from '../domain/audit.js';
import { Invalid } from '../domain/errors.js';
import { parseStations, parseSubscribers, type ImportKind, type Rejected } from '../domain/csv-import.js';
import { decodeText, type TextEncodingName } from '../domain/text-encoding.js';
import type { PhoneKeys } from '../domain/phone.js';
import { sameSubscriber, subscriberRecord } from '../domain/subscriber.js';
import type { StationSubscriptions } from '../notify/station-subscriptions.js';
import type { Store } from '../store/index.js';
import { inParallel } from './parallel.js';
import { partOf } from './plans.js';
import { syncStationSubscriptions, type SyncReport } from './station-pushes.js';

export interface ImportReport {
  kind: ImportKind;
  /** How the file's bytes were read (text handed in as a string counts as UTF-8). */
  encoding: TextEncodingName;
  dryRun: boolean;
  rows: number;
  created: number;
  updated: number;
  unchanged: number;
  rejected: Rejected[];
  /** A station import: the push subscriptions it made, ended or could not make. */
  pushes?: SyncReport;
}

/** Subscribers written in parallel: each is a lookup and a write. */
const CONCURRENCY = 8;

export async function importCsv(
  store: Store,
  request: {
    county: string;
    kind: ImportKind;
    /** The file as saved (bytes: the encoding is detected) or text already decoded. */
    file: Uint8Array | string;
    dryRun: boolean;
    now: Date;
    /** Keys each row's number (the deployment's secret). */
    phoneKeys: PhoneKeys;
    onProgress?: (done: number, total: number) => void;
    /** Who is importing, for the audit log, and the county's time zone (which day it is filed under). */
    audit?: { actor: AuditActor; timeZone: string } | undefined;
    /** The station topic's subscriptions (the stations' push endpoints); none: recorded as not set up. */
    subscriptions?: StationSubscriptions | undefined;
  },
): Promise<ImportReport> {
  const decoded = typeof request.file === 'string' ? { ok: true as const, text: request.file, encoding: 'utf-8' as const } : decodeText(request.file);
  if (!decoded.ok) throw new Invalid('The file cannot be imported.', [{ field: 'body', message: decoded.problem }]);
  const text = decoded.text;
  const registry = await store.registry.get(request.county);
  const base = { kind: request.kind, encoding: decoded.encoding, dryRun: request.dryRun, created: 0, updated: 0, unchanged: 0 };
  const { audit } = request;
  const entry = audit
    ? (action: AuditAction, after: object) =>
        auditEntry({ county: request.county, actor: audit.actor, action, subject: { kind: request.kind, id: request.county }, after, now: request.now, timeZone: audit.timeZone })
    : undefined;

  if (request.kind === 'stations') {
    const parsed = await parseStations(text, registry);
    if (!parsed.ok) throw new Invalid('The file cannot be imported.', [{ field: 'body', message: parsed.problem }]);
    const stations = parsed.rows.map(({ line: _line, ...station }) => station);
    const report = request.dryRun
      ? { created: [], updated: [], unchanged: [] }
      : await store.registry.upsert(request.county, { townships: [], villages: [], stations, groups: [], departments: [], placements: [] }, entry && ((changed, part) => entry('registry.update', { import: 'stations', changed, ...partOf(part) })));
    const pushes = request.dryRun ? undefined : await syncStationSubscriptions({ store, subscriptions: request.subscriptions, now: request.now }, request.county, stations);
    request.onProgress?.(parsed.lines, parsed.lines);
    return {
      ...base,
      rows: parsed.lines,
      created: report.created.length,
      updated: report.updated.length,
      unchanged: report.unchanged.length,
      rejected: parsed.rejected,
      ...(pushes ? { pushes } : {}),
    };
  }

  const parsed = await parseSubscribers(text, registry);
  if (!parsed.ok) throw new Invalid('The file cannot be imported.', [{ field: 'body', message: parsed.problem }]);
  const report: ImportReport = { ...base, rows: parsed.lines, rejected: parsed.rejected };
  let done = parsed.rejected.length;
  request.onProgress?.(done, parsed.lines);
  await inParallel(parsed.rows, CONCURRENCY, async (row) => {
    const phoneKey = request.phoneKeys.keyOf(row.phone);
    const existing = await store.subscribers.findByPhoneKey(request.county, phoneKey);
    const record = subscriberRecord(request.county, { ...row, phoneKey }, existing, request.now);
    const result = request.dryRun
      ? existing
        ? sameSubscriber(existing, record)
          ? 'unchanged'
          : 'updated'
        : 'created'
      : await store.subscribers.upsert(record, existing);
    report[result] += 1;
    done += 1;
    request.onProgress?.(done, parsed.lines);
  });
  if (entry && !request.dryRun && report.created + report.updated > 0) {
    await store.audit.file(entry('subscribers.import', { rows: report.rows, created: report.created, updated: report.updated, unchanged: report.unchanged, rejected: report.rejected.length }));
  }
  return report;
}
