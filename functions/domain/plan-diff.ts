/**
 * @module domain/plan-diff
 * Decides what loading a plan file changes. Loading the same file twice changes nothing (each
 * entry carries the hash of its text); an edited entry updates only drafts (and rejected
 * notices, which go back to draft); approved, scheduled or finished content is never silently
 * overwritten — it is reported as kept, with the reason. Entries missing from the file are
 * reported, not deleted. Pure: current records in, decisions out.
 */
import type { Actor, CampaignRecord, NoticeRecord, NoticeState } from './planning.js';
import { campaignYear, noticeContentOf } from './planning.js';
import { withEditor } from './review.js';
import { campaignFromPlan, planHash, planYearFromFile, type PlanFile, type PlanYearRecord } from './plan.js';

export type EntryAction = 'create' | 'update' | 'unchanged' | 'kept';

export interface CampaignDecision {
  id: string;
  action: EntryAction;
  reason?: string;
  record?: CampaignRecord;
  expectedVersion?: number;
}

export interface NoticeDecision {
  campaignId: string;
  id: string;
  action: EntryAction;
  reason?: string;
  record?: NoticeRecord;
  expectedVersion?: number;
}

export interface PlanDiff {
  year: number;
  planYear: { action: Exclude<EntryAction, 'kept'>; record: PlanYearRecord; expectedVersion?: number };
  campaigns: CampaignDecision[];
  notices: NoticeDecision[];
  /** In the system (loaded from a plan earlier) but no longer in the file: left as they are. */
  notInFile: { campaignId: string; noticeId?: string }[];
}

export interface CurrentPlan {
  planYear: PlanYearRecord | undefined;
  campaigns: CampaignRecord[];
  notices: Map<string, NoticeRecord[]>;
}

/** Notice states a plan may still rewrite. */
const rewritable: readonly NoticeState[] = ['draft', 'rejected'];
/** Once any notice is past review, the campaign's window and key date are fixed. */
const pinsCampaign: readonly NoticeState[] = ['approved', 'scheduled', 'done'];

export function diffPlan(
  plan: PlanFile,
  current: CurrentPlan,
  context: { county: string; timeZone: string; actor: Actor; now: Date },
): PlanDiff {
  const now = context.now.toISOString();
  const desiredYear = planYearFromFile(plan, context.county, context.timeZone, context.now, (current.planYear?.version ?? 0) + 1);
  const planYear = !current.planYear
    ? { action: 'create' as const, record: desiredYear }
    : current.planYear.planHash === desiredYear.planHash
      ? { action: 'unchanged' as const, record: current.planYear }
      : { action: 'update' as const, record: desiredYear, expectedVersion: current.planYear.version };

  const existingCampaigns = new Map(current.campaigns.map((campaign) => [campaign.id, campaign]));
  const campaigns: CampaignDecision[] = [];
  const notices: NoticeDecision[] = [];
  const notInFile: PlanDiff['notInFile'] = [];

  for (const entry of plan.campaigns) {
    const input = campaignFromPlan(entry, plan.year);
    const hash = planHash(input);
    const existing = existingCampaigns.get(entry.id);
    const existingNotices = current.notices.get(entry.id) ?? [];
    const record: CampaignRecord = {
      id: entry.id,
      county: context.county,
      year: campaignYear(input.window),
      title: input.title,
      theme: input.theme,
      window: input.window,
      ...(input.keyDate ? { keyDate: input.keyDate } : {}),
      ...(input.description ? { description: input.description } : {}),
      ...(input.events?.length ? { events: input.events } : {}),
      ...(input.departments?.length ? { departments: input.departments } : {}),
      state: existing?.state ?? 'active',
      source: 'plan',
      planHash: hash,
      version: (existing?.version ?? 0) + 1,
      createdAt: existing?.createdAt ?? now,
      updatedAt: now,
      createdBy: existing?.createdBy ?? context.actor,
    };
    if (!existing) {
      campaigns.push({ id: entry.id, action: 'create', record });
    } else if (existing.planHash === hash) {
      campaigns.push({ id: entry.id, action: 'unchanged' });
    } else if (existing.source === 'api') {
      campaigns.push({ id: entry.id, action: 'kept', reason: 'it was changed in the app since it was loaded from a file' });
    } else if (existing.state === 'cancelled') {
      campaigns.push({ id: entry.id, action: 'kept', reason: 'the campaign is cancelled' });
    } else if (existingNotices.some((notice) => pinsCampaign.includes(notice.state))) {
      campaigns.push({ id: entry.id, action: 'kept', reason: 'it has approved or scheduled notices; change it in the app' });
    } else {
      campaigns.push({ id: entry.id, action: 'update', record, expectedVersion: existing.version });
    }

    const noticesById = new Map(existingNotices.map((notice) => [notice.id, notice]));
    for (const noticeEntry of entry.notices) {
      const noticeHash = planHash(noticeEntry);
      const existingNotice = noticesById.get(noticeEntry.id);
      const base = { campaignId: entry.id, id: noticeEntry.id };
      if (existingNotice?.planHash === noticeHash) {
        notices.push({ ...base, action: 'unchanged' });
        continue;
      }
      if (existingNotice?.source === 'api') {
        notices.push({ ...base, action: 'kept', reason: 'it was changed in the app since it was loaded from a file' });
        continue;
      }
      if (existingNotice && !rewritable.includes(existingNotice.state)) {
        notices.push({ ...base, action: 'kept', reason: `it is ${existingNotice.state}; approved or sent content is not overwritten` });
        continue;
      }
      const content = noticeContentOf(noticeEntry);
      const noticeRecord: NoticeRecord = {
        id: noticeEntry.id,
        campaignId: entry.id,
        county: context.county,
        ...(noticeEntry.title ? { title: noticeEntry.title } : {}),
        audience: noticeEntry.audience,
        schedule: noticeEntry.schedule,
        ...(noticeEntry.lateWindowMinutes ? { lateWindowMinutes: noticeEntry.lateWindowMinutes } : {}),
        ...(noticeEntry.onHoliday ? { onHoliday: noticeEntry.onHoliday } : {}),
        ...(noticeEntry.departments?.length ? { departments: noticeEntry.departments } : {}),
        ...content,
        state: 'draft',
        author: existingNotice?.author ?? context.actor,
        // Whoever loads a plan that writes the notice is one of its writers, as an edit in the app is.
        editors: withEditor(existingNotice, context.actor),
        review: {},
        source: 'plan',
        planHash: noticeHash,
        version: (existingNotice?.version ?? 0) + 1,
        createdAt: existingNotice?.createdAt ?? now,
        updatedAt: now,
      };
      notices.push(
        existingNotice
          ? { ...base, action: 'update', record: noticeRecord, expectedVersion: existingNotice.version }
          : { ...base, action: 'create', record: noticeRecord },
      );
    }
    for (const notice of existingNotices) {
      if (notice.source === 'plan' && !entry.notices.some((noticeEntry) => noticeEntry.id === notice.id)) {
        notInFile.push({ campaignId: entry.id, noticeId: notice.id });
      }
    }
  }
  const inFile = new Set(plan.campaigns.map((campaign) => campaign.id));
  for (const campaign of current.campaigns) {
    if (campaign.source === 'plan' && !inFile.has(campaign.id)) notInFile.push({ campaignId: campaign.id });
  }
  return { year: plan.year, planYear, campaigns, notices, notInFile };
}

export function diffChangesNothing(diff: PlanDiff): boolean {
  return (
    diff.planYear.action === 'unchanged' &&
    diff.campaigns.every((campaign) => campaign.action === 'unchanged' || campaign.action === 'kept') &&
    diff.notices.every((notice) => notice.action === 'unchanged' || notice.action === 'kept')
  );
}
