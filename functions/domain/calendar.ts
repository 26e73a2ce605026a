/**
 * @module domain/calendar
 * The year at a glance, month by month: the month's theme (一月一主题), its key dates, and the
 * campaigns touching it with their notices and states — the shape the web calendar draws.
 */
import { marksOfMonth, type DayMark, type HolidayCalendar } from './holidays.js';
import { noticeName } from './notice-progress.js';
import type { PlanYearRecord } from './plan.js';
import { noticeStateLabels, overlapsMonth, type CampaignRecord, type NoticeRecord, type NoticeState } from './planning.js';

export interface CalendarNotice {
  id: string;
  title?: string | undefined;
  /** The title, or for an untitled notice (most loaded from a plan) its channel and send time. */
  name: string;
  channel: NoticeRecord['channel'];
  state: NoticeState;
  stateLabel: string;
  sends: number;
  firstSend?: string | undefined;
}

export interface CalendarMonth {
  month: number;
  theme: { id: string; name: string } | null;
  keyDates: { date: string; name: string; theme?: string | undefined }[];
  /** Public holidays (days off) and make-up workdays (调休上班) of the month, day by day. */
  holidays: (DayMark & { date: string })[];
  campaigns: (Pick<CampaignRecord, 'id' | 'title' | 'theme' | 'window' | 'keyDate' | 'state'> & {
    notices: CalendarNotice[];
    /** The campaign's public events on days of this month (集中宣传, 法律咨询 …). */
    events: NonNullable<CampaignRecord['events']>;
  })[];
}

export interface Calendar {
  year: number;
  timeZone: string | null;
  planned: boolean;
  /** False when neither the holiday library nor the plan knows the year: no day is marked. */
  holidayData: boolean;
  months: CalendarMonth[];
}

export function buildCalendar(
  year: number,
  plan: PlanYearRecord | undefined,
  campaigns: readonly CampaignRecord[],
  noticesByCampaign: ReadonlyMap<string, readonly NoticeRecord[]>,
  holidays: HolidayCalendar,
): Calendar {
  const themes = new Map((plan?.themes ?? []).map((theme) => [theme.id, theme]));
  const months = Array.from({ length: 12 }, (_, index): CalendarMonth => {
    const month = index + 1;
    const themeId = plan?.months[String(month)];
    const theme = themeId ? themes.get(themeId) : undefined;
    const prefix = `${year}-${String(month).padStart(2, '0')}-`;
    return {
      month,
      theme: theme ? { id: theme.id, name: theme.name } : null,
      keyDates: (plan?.keyDates ?? []).filter((keyDate) => keyDate.date.startsWith(prefix)),
      holidays: marksOfMonth(holidays, prefix.slice(0, 7)),
      campaigns: campaigns
        .filter((campaign) => overlapsMonth(campaign.window, year, month))
        .map((campaign) => ({
          id: campaign.id,
          title: campaign.title,
          theme: campaign.theme,
          window: campaign.window,
          keyDate: campaign.keyDate,
          state: campaign.state,
          events: (campaign.events ?? []).filter((event) => event.date.startsWith(prefix)),
          notices: (noticesByCampaign.get(campaign.id) ?? []).map((notice) => ({
            id: notice.id,
            title: notice.title,
            name: noticeName(notice),
            channel: notice.channel,
            state: notice.state,
            stateLabel: noticeStateLabels[notice.state],
            sends: notice.sends?.length ?? 0,
            firstSend: notice.sends?.[0]?.local,
          })),
        })),
    };
  });
  return { year, timeZone: plan?.timeZone ?? null, planned: plan !== undefined, holidayData: holidays.knowsYear(year), months };
}
