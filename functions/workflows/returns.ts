/**
 * @module workflows/returns
 * Sends content back to review when what it would send changed under it: a registered template's
 * text (plan load or `PUT /sms-templates`), the year's settings (signature, opt-out hint, quiet
 * hours, time zone), or the year's pronunciation lexicon where a broadcast reads a changed word. Submitted and approved notices touched by the change go back to draft, each
 * with a conditional write on the state and version it was read in, and an audit entry. Scheduled
 * notices keep the text fixed when they were scheduled (and approved): they are not touched.
 */
import type { AuditEntry } from '../domain/audit.js';
import { touchedBy, type RenderingChange } from '../domain/approval.js';
import type { NoticeRecord, NoticeState } from '../domain/planning.js';
import { lexiconSegments, type SpeechLexicon } from '../domain/speech-lexicon.js';
import { normaliseForSpeech } from '../domain/speech-text.js';
import { Conflict } from '../domain/errors.js';
import type { Store } from '../store/index.js';

/** The year's pronunciation lexicon, changed by a plan load: broadcasts it would read differently go back. */
export interface LexiconChange {
  year: number;
  before: SpeechLexicon;
  after: SpeechLexicon;
}

/**
 * Would the broadcast's recording sound different under the new lexicon? Only when the words its
 * text uses, with their pinyin, differ between the two: a change to a word it does not read, or a
 * new release of the speech code, sends nothing back.
 */
function recordingChanged(notice: NoticeRecord, change: LexiconChange): boolean {
  if (notice.channel !== 'broadcast' || !notice.audio) return false;
  const text = normaliseForSpeech(notice.broadcast.script);
  const used = (lexicon: SpeechLexicon) => JSON.stringify(lexiconSegments(text, lexicon).flatMap((segment) => (segment.entry ? [[segment.entry.word, segment.entry.pinyin]] : [])));
  return used(change.before) !== used(change.after);
}

export interface ReturnedNotice {
  campaignId: string;
  id: string;
}

const underReview: readonly NoticeState[] = ['submitted', 'approved'];
const PAGE = 100;

/**
 * Finds the notices the change touches and (unless `dryRun`) returns them to draft. A notice
 * moved by someone else meanwhile is left to its new state: scheduling and sending check the
 * approved fingerprint anyway.
 */
export async function returnToReview(
  store: Store,
  county: string,
  change: RenderingChange & { lexicon?: LexiconChange | undefined },
  options: { now: Date; reason: string; dryRun: boolean; audit: (notice: NoticeRecord, after: NoticeRecord) => AuditEntry },
): Promise<ReturnedNotice[]> {
  if (change.templates.length === 0 && change.years.length === 0 && !change.lexicon) return [];
  const years = new Map<string, number | undefined>();
  const yearOf = async (campaignId: string) => {
    if (!years.has(campaignId)) years.set(campaignId, (await store.campaigns.get(county, campaignId))?.year);
    return years.get(campaignId);
  };
  const touched: NoticeRecord[] = [];
  for (const state of underReview) {
    let cursor: string | undefined;
    do {
      const page = await store.notices.listByState(county, state, { limit: PAGE, cursor });
      for (const notice of page.items) {
        const year = change.years.length > 0 || change.lexicon ? await yearOf(notice.campaignId) : undefined;
        if (touchedBy(notice, year, change) || (change.lexicon && year === change.lexicon.year && recordingChanged(notice, change.lexicon))) touched.push(notice);
      }
      cursor = page.nextCursor;
    } while (cursor);
  }
  const returned: ReturnedNotice[] = [];
  for (const notice of touched) {
    if (!options.dryRun) {
      try {
        await store.notices.transition(notice, { from: notice.state, to: 'draft' }, { review: { returnedBecause: options.reason } }, options.now, (after) => options.audit(notice, after));
      } catch (error) {
        if (error instanceof Conflict) continue;
        throw error;
      }
    }
    returned.push({ campaignId: notice.campaignId, id: notice.id });
  }
  return returned;
}
