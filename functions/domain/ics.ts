/**
 * @module domain/ics
 * The year as an iCalendar feed (RFC 5545) for phone calendar subscriptions: each month's theme,
 * the key dates, every campaign over its window with its public events (集中宣传, 法律咨询 … with
 * the place as LOCATION), and every scheduled send at its time. The format
 * (line folding at 75 octets, escaping, CRLF) is ical-generator's; timed events are in UTC (`Z`), so
 * no VTIMEZONE is needed, and all-day events are dates. Pure: the same data gives the same text
 * (DTSTAMP is the plan's last change, not the clock).
 */
import { createHash } from 'node:crypto';
import ical, { type ICalCalendar } from 'ical-generator';
import type { PlanYearRecord } from './plan.js';
import { noticeName } from './notice-progress.js';
import { channelLabels, publicEventKindLabels, type CampaignRecord, type NoticeRecord, type PublicEvent } from './planning.js';
import { localToUtc } from './schedule.js';

export interface YearFeedInput {
  county: string;
  year: number;
  /** The county's zone: the plan's when loaded. Event times are local wall-clock times in it. */
  timeZone: string;
  plan: PlanYearRecord | undefined;
  campaigns: readonly CampaignRecord[];
  notices: ReadonlyMap<string, readonly NoticeRecord[]>;
  /** Township names by id, for events' places. */
  townships?: ReadonlyMap<string, string>;
}

/** How long a send shows in a calendar: a moment, drawn as a quarter of an hour. */
const SEND_MINUTES = 15;
/** Notices whose sends are fixed (written when scheduled) and still meant to go or gone. */
const SENDING_STATES = new Set(['scheduled', 'paused', 'done']);

// ical-generator reads an all-day date's fields in the process's zone: a local-midnight Date keeps
// the calendar date whatever that zone is.
const day = (date: string) => new Date(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10)));
const nextDay = (date: string) => {
  const next = day(date);
  next.setDate(next.getDate() + 1);
  return next;
};

export function yearFeed(input: YearFeedInput): string {
  const { county, year, plan } = input;
  const stamp = new Date(plan?.updatedAt ?? `${year}-01-01T00:00:00Z`);
  const calendar = ical({
    name: `${year} 年普法宣传日历`,
    description: `一月一主题、节点日、集中宣传活动和已排期的发送（${county}）`,
    prodId: { company: 'pufa', product: 'pufa', language: 'ZH' },
    ttl: 3600,
  });
  const uid = (kind: string, id: string) => `${kind}-${id}-${year}@${county}.pufa`;

  for (const [month, themeId] of Object.entries(plan?.months ?? {})) {
    const theme = plan?.themes.find((candidate) => candidate.id === themeId);
    if (!theme) continue;
    const first = `${year}-${month.padStart(2, '0')}-01`;
    const end = day(first);
    end.setMonth(end.getMonth() + 1);
    calendar.createEvent({ id: uid('theme', month), stamp, start: day(first), end, allDay: true, summary: `${Number(month)}月主题：${theme.name}`, description: theme.description ?? null });
  }
  for (const keyDate of plan?.keyDates ?? []) {
    calendar.createEvent({ id: uid('keydate', keyDate.date), stamp, start: day(keyDate.date), end: nextDay(keyDate.date), allDay: true, summary: keyDate.name });
  }
  for (const campaign of input.campaigns) {
    if (campaign.state === 'cancelled') continue;
    addCampaign(calendar, campaign, input.notices.get(campaign.id) ?? [], { uid, stamp, timeZone: plan?.timeZone ?? input.timeZone, townships: input.townships ?? new Map() });
  }
  return calendar.toString();
}

function addCampaign(
  calendar: ICalCalendar,
  campaign: CampaignRecord,
  notices: readonly NoticeRecord[],
  context: { uid: (kind: string, id: string) => string; stamp: Date; timeZone: string; townships: ReadonlyMap<string, string> },
): void {
  const { uid, stamp } = context;
  calendar.createEvent({
    id: uid('campaign', campaign.id),
    stamp,
    start: day(campaign.window.start),
    end: nextDay(campaign.window.end),
    allDay: true,
    summary: `集中宣传：${campaign.title}`,
    description: [campaign.keyDate ? `节点日 ${campaign.keyDate}` : undefined, campaign.description].filter(Boolean).join('\n') || null,
  });
  for (const event of campaign.events ?? []) {
    calendar.createEvent({
      // Named by what it is, not where it sits in the list: removing another event leaves its UID as it was.
      id: uid('event', `${campaign.id}-${createHash('sha256').update(JSON.stringify([event.kind, event.date, event.from, event.to, event.place, event.township, event.title])).digest('hex').slice(0, 16)}`),
      // The campaign's last change, so a calendar app takes an edit made through the API too.
      stamp: new Date(Math.max(stamp.getTime(), Date.parse(campaign.updatedAt))),
      ...eventTimes(event, context.timeZone),
      summary: `${event.title ?? publicEventKindLabels[event.kind]}：${campaign.title}`,
      location: event.township ? `${event.place}（${context.townships.get(event.township) ?? event.township}）` : event.place,
      description: [`${publicEventKindLabels[event.kind]}`, event.description].filter(Boolean).join('\n'),
    });
  }
  for (const notice of notices) {
    if (!SENDING_STATES.has(notice.state)) continue;
    for (const send of notice.sends ?? []) {
      const start = new Date(send.at);
      calendar.createEvent({
        id: uid('send', `${campaign.id}-${notice.id}-${send.at}`),
        stamp,
        start,
        end: new Date(start.getTime() + SEND_MINUTES * 60_000),
        summary: `${channelLabels[notice.channel]}：${noticeName(notice)}`,
        description: `${campaign.title}${send.holiday ? `\n${send.holiday.name}${send.holiday.action === 'moved' ? `，由 ${send.holiday.from ?? ''} 移来` : ''}` : ''}`,
      });
    }
  }
}

/** All day on its date, or from–to on it in the county's zone (as UTC instants). */
function eventTimes(event: PublicEvent, timeZone: string): { start: Date; end: Date; allDay?: true } {
  if (event.from === undefined || event.to === undefined) return { start: day(event.date), end: nextDay(event.date), allDay: true };
  return { start: new Date(localToUtc(`${event.date}T${event.from}`, timeZone)), end: new Date(localToUtc(`${event.date}T${event.to}`, timeZone)) };
}
