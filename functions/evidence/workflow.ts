/**
 * @module evidence/workflow
 * Evidence for an activity (台账), in three steps: a presigned upload form (scope, type and size
 * checked first), the browser's upload straight to the store, and a confirmation that reads the
 * bytes, checks them by their magic numbers against what was declared, makes a thumbnail of an
 * image, and adds the evidence to the activity's record — a new version of the record, so the
 * tallies' "activities with evidence" move in the same transaction, with an audit entry.
 * Whoever may change an activity may add and remove its evidence; whoever may read it may see it.
 */
import type { Config } from '../config.js';
import { newId, requireInScope, type Caller } from '../domain/access.js';
import type { ActivityRecord } from '../domain/activity.js';
import { Conflict, Invalid, NotFound } from '../domain/errors.js';
import {
  checkDecodable,
  checkUploaded,
  contentDisposition,
  evidenceContentTypes,
  evidenceKeys,
  evidenceKinds,
  evidenceRefused,
  isImage,
  MAX_EVIDENCE_BYTES,
  MAX_EVIDENCE_PER_ACTIVITY,
  savedFileName,
  SNIFF_BYTES,
  THUMBNAIL_MAX_PIXELS,
  type Evidence,
  type EvidenceContentType,
  type EvidenceKind,
  type EvidenceUpload,
} from '../domain/evidence.js';
import { actorOf } from '../domain/review.js';
import { imageSize } from '../images/image-store.js';
import type { Store } from '../store/index.js';
import { auditFor } from '../workflows/context.js';
import type { EvidenceStore, OpenedFile, UploadForm } from './evidence-store.js';

export interface EvidenceDeps {
  store: Pick<Store, 'activities'>;
  files: EvidenceStore;
  config: Pick<Config, 'timeZone'>;
  now: Date;
}

/** Two people adding evidence to one activity at once: each re-reads and tries again, a few times. */
const RECORD_ATTEMPTS = 3;

async function activityInScope(deps: Pick<EvidenceDeps, 'store'>, caller: Caller, activityId: string): Promise<ActivityRecord> {
  const activity = await deps.store.activities.require(caller.county, activityId);
  requireInScope(caller, activity);
  return activity;
}

function requireRoom(activity: ActivityRecord): void {
  if ((activity.evidence?.length ?? 0) >= MAX_EVIDENCE_PER_ACTIVITY) {
    throw new Conflict(`An activity keeps at most ${MAX_EVIDENCE_PER_ACTIVITY} pieces of evidence: remove one first. 每项活动最多 ${MAX_EVIDENCE_PER_ACTIVITY} 份佐证材料，请先删除一份。`);
  }
}

/** Step 1: a form to upload one file to, good for ten minutes. */
export async function presignEvidence(deps: EvidenceDeps, caller: Caller, activityId: string, upload: EvidenceUpload, origin: string): Promise<{ evidenceId: string; upload: UploadForm }> {
  const activity = await activityInScope(deps, caller, activityId);
  requireRoom(activity);
  const evidenceId = newId('ev', deps.now);
  const form = await deps.files.presign({
    key: evidenceKeys.incoming(caller.county, activityId, evidenceId),
    contentType: upload.contentType,
    kind: upload.kind,
    fileName: upload.fileName,
    maxBytes: MAX_EVIDENCE_BYTES,
    origin,
    now: deps.now,
  });
  return { evidenceId, upload: form };
}

/** The evidence id an upload key of this activity names, or a 400 naming `body.key`. */
function evidenceIdOf(caller: Caller, activityId: string, key: string): string {
  const evidenceId = key.split('/').at(-1) ?? '';
  if (!/^ev_[A-Za-z0-9]{1,40}$/.test(evidenceId) || key !== evidenceKeys.incoming(caller.county, activityId, evidenceId)) {
    throw new Invalid('Not an upload key of this activity.', [{ field: 'body.key', message: 'must be the `key` of an upload form asked for this activity' }]);
  }
  return evidenceId;
}

const isEvidenceType = (value: string | undefined): value is EvidenceContentType => evidenceContentTypes.some((type) => type === value);
const isEvidenceKind = (value: string | undefined): value is EvidenceKind => evidenceKinds.some((kind) => kind === value);

/**
 * Step 3: checks the uploaded file and keeps it on the activity. A file that is not what was
 * declared is deleted and refused (400 naming `body.key`); confirming again an upload already
 * kept answers the evidence kept.
 */
export async function confirmEvidence(deps: EvidenceDeps, caller: Caller, activityId: string, key: string): Promise<{ evidence: Evidence; created: boolean }> {
  const evidenceId = evidenceIdOf(caller, activityId, key);
  const activity = await activityInScope(deps, caller, activityId);
  const already = activity.evidence?.find((item) => item.id === evidenceId);
  if (already) return { evidence: already, created: false };
  requireRoom(activity);

  const head = await deps.files.read(key, SNIFF_BYTES);
  if (!head) throw new Invalid('Nothing was uploaded under this key.', [{ field: 'body.key', message: '没有收到这份文件（上传未完成或表单已过期）。 Nothing was uploaded under this key (not sent, or the form lapsed).' }]);
  const refuse = async (error: Error): Promise<never> => {
    await deps.files.remove([key]);
    throw error;
  };
  const contentType = head.contentType;
  if (!isEvidenceType(contentType)) return refuse(evidenceRefused('只接受 JPEG、PNG 或 PDF。', 'Only a JPEG, a PNG or a PDF is kept.'));
  try {
    checkUploaded(contentType, head.size, head.bytes);
  } catch (error) {
    return refuse(error as Error);
  }

  let size: { width: number; height: number } | undefined;
  let thumbnail: Uint8Array | undefined;
  let thumbnailProblem: string | undefined;
  if (isImage(contentType)) {
    const whole = await deps.files.read(key);
    if (!whole || whole.etag !== head.etag) throw new Conflict('The upload changed while it was checked: confirm it again.');
    try {
      size = checkDecodable(imageSize(whole.bytes, contentType as 'image/jpeg' | 'image/png'));
    } catch (error) {
      return refuse(error as Error);
    }
    // Loaded here, not at start: the image decoders are only for this step (evidence/thumbnail).
    const { makeThumbnail, PngBomb } = await import('./thumbnail.js');
    if (size.width * size.height > THUMBNAIL_MAX_PIXELS) {
      thumbnailProblem = `${size.width}×${size.height}: too large for a thumbnail here (over ${THUMBNAIL_MAX_PIXELS} pixels)`;
    } else {
      try {
        thumbnail = (await makeThumbnail(whole.bytes, contentType as 'image/jpeg' | 'image/png')).bytes;
      } catch (error) {
        // Image data that inflates past what its header allows is an attack, not a photo: refused.
        if (error instanceof PngBomb) return refuse(evidenceRefused('PNG 图片数据与其宽高不符（解压后过大），已删除。', `${error.message}; the upload was deleted.`));
        // A real scan the pure-JS decoders cannot read (e.g. an arithmetic-coded JPEG) is still evidence: kept, the reason recorded.
        thumbnailProblem = `the decoder could not read it: ${error instanceof Error ? error.message : String(error)}`.slice(0, 300);
      }
    }
  }

  const kept = evidenceKeys.kept(caller.county, activityId, evidenceId);
  await deps.files.keep(key, kept, head.etag, contentType);
  const evidence: Evidence = {
    id: evidenceId,
    kind: isEvidenceKind(head.kind) ? head.kind : 'other',
    contentType,
    bytes: head.size,
    fileName: head.fileName ?? `${evidenceId}`,
    ...(size ?? {}),
    thumbnail: thumbnail !== undefined,
    ...(thumbnailProblem ? { thumbnailProblem } : {}),
    addedAt: deps.now.toISOString(),
    addedBy: actorOf(caller),
  };
  try {
    if (thumbnail) await deps.files.put(evidenceKeys.thumbnail(caller.county, activityId, evidenceId), thumbnail, 'image/jpeg');
    await changeRecord(deps, caller, activityId, (current) => {
      // Two confirmations of one upload at once: the one that wrote it first stands.
      if (current.evidence?.some((item) => item.id === evidenceId)) return undefined;
      requireRoom(current);
      return [...(current.evidence ?? []), evidence];
    }, 'evidence.add', { after: evidence });
  } catch (error) {
    // No record names the kept file: take it (and its thumbnail) away again, so no file of
    // villagers' names outlives the failure; the upload is to be sent again. A failed clean-up is
    // reported with the failure, never dropped.
    const cleanup = await deps.files.remove(evidenceFileKeys(caller.county, activityId, evidence)).then(
      () => undefined,
      (cleanupError: unknown) => cleanupError,
    );
    if (cleanup !== undefined) throw new AggregateError([error, cleanup], `Keeping the evidence failed, and so did removing its files (${evidenceFileKeys(caller.county, activityId, evidence).join(', ')}).`);
    throw error;
  }
  return { evidence, created: true };
}

/** Writes the activity's evidence list anew (a new version of the record), re-reading on a concurrent change. */
async function changeRecord(
  deps: EvidenceDeps,
  caller: Caller,
  activityId: string,
  /** The new list, or undefined when there is nothing to change. */
  change: (current: ActivityRecord) => Evidence[] | undefined,
  action: 'evidence.add' | 'evidence.remove',
  audited: { before?: Evidence; after?: Evidence },
): Promise<void> {
  for (let attempt = 1; ; attempt += 1) {
    const current = await activityInScope(deps, caller, activityId);
    const evidence = change(current);
    if (evidence === undefined) return;
    const { evidence: _old, ...rest } = current;
    const after: ActivityRecord = { ...rest, ...(evidence.length > 0 ? { evidence } : {}), version: current.version + 1, updatedAt: deps.now.toISOString() };
    try {
      await deps.store.activities.replace(current, after, auditFor(deps, caller)(action, { kind: 'activity', id: activityId }, audited.before, audited.after));
      return;
    } catch (error) {
      if (!(error instanceof Conflict) || attempt >= RECORD_ATTEMPTS) throw error;
    }
  }
}

/** Removes a piece of evidence from its activity, then its files. */
export async function removeEvidence(deps: EvidenceDeps, caller: Caller, activityId: string, evidenceId: string): Promise<Evidence> {
  const activity = await activityInScope(deps, caller, activityId);
  const removed = activity.evidence?.find((item) => item.id === evidenceId);
  if (!removed) throw new NotFound(`Activity "${activityId}" has no evidence "${evidenceId}".`);
  await changeRecord(deps, caller, activityId, (current) => (current.evidence ?? []).filter((item) => item.id !== evidenceId), 'evidence.remove', { before: removed });
  await deps.files.remove(evidenceFileKeys(caller.county, activityId, removed));
  return removed;
}

/** The files a piece of evidence has: the file and, for an image, its thumbnail. */
export function evidenceFileKeys(county: string, activityId: string, evidence: Evidence): string[] {
  return [evidenceKeys.kept(county, activityId, evidence.id), ...(evidence.thumbnail ? [evidenceKeys.thumbnail(county, activityId, evidence.id)] : [])];
}

/**
 * A kept file or its thumbnail, to serve: an image shown inline, a PDF offered as a download
 * under its own name (never rendered in pufa's origin).
 */
export async function openEvidence(
  deps: Omit<EvidenceDeps, 'now' | 'config'>,
  caller: Caller,
  activityId: string,
  evidenceId: string,
  which: 'file' | 'thumbnail',
): Promise<{ evidence: Evidence; contentType: string; disposition: string; opened: OpenedFile }> {
  const activity = await activityInScope(deps, caller, activityId);
  const evidence = activity.evidence?.find((item) => item.id === evidenceId);
  if (!evidence) throw new NotFound(`Activity "${activityId}" has no evidence "${evidenceId}".`);
  if (which === 'thumbnail' && !evidence.thumbnail) throw new NotFound('This evidence has no thumbnail (a PDF).');
  const key = which === 'thumbnail' ? evidenceKeys.thumbnail(caller.county, activityId, evidenceId) : evidenceKeys.kept(caller.county, activityId, evidenceId);
  const contentType = which === 'thumbnail' ? 'image/jpeg' : evidence.contentType;
  const disposition = contentDisposition(which === 'file' && !isImage(evidence.contentType) ? 'attachment' : 'inline', which === 'thumbnail' ? savedFileName(`thumbnail-${evidence.fileName}`, 'image/jpeg') : savedFileName(evidence.fileName, evidence.contentType));
  const opened = await deps.files.open(key, { contentType, disposition });
  if (!opened) throw new NotFound('The file of this evidence is missing from the store.');
  return { evidence, contentType, disposition, opened };
}
