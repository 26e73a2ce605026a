/**
 * @module domain/holiday-policy
 * What happens to one planned send that falls on a public holiday or a make-up workday: kept
 * (and said so), moved to the next or previous ordinary workday at the same wall-clock time, or
 * skipped — each with the holiday's name, so the preview and `npm run plan` can say why
 * (移至 / 跳过 …因 清明节). A move that would leave the campaign window is a skip, so every send
 * still falls inside it. Quiet hours are applied after this, by domain/schedule-expand.
 */
import { markLabel, nearestWorkday, type DayMark, type HolidayCalendar, type HolidayPolicy } from './holidays.js';

/** The holiday a send met, and what was done. */
export interface HolidayNote {
  kind: DayMark['kind'];
  name: string;
  action: 'kept' | 'moved';
  /** The planned local time, when the send was moved to another day. */
  from?: string;
}

export interface SkippedSend {
  /** The planned local time, `YYYY-MM-DDTHH:mm`. */
  local: string;
  kind: DayMark['kind'];
  name: string;
  reason: string;
}

export type PolicyOutcome = { local: string; holiday?: HolidayNote } | { skipped: SkippedSend };

export function applyHolidayPolicy(local: string, policy: HolidayPolicy, calendar: HolidayCalendar, window: { start: string; end: string }): PolicyOutcome {
  const date = local.slice(0, 10);
  const mark = calendar.mark(date);
  if (!mark) return { local };
  const label = markLabel(mark);
  const skip = (reason: string): PolicyOutcome => ({ skipped: { local, kind: mark.kind, name: mark.name, reason } });
  switch (policy) {
    case 'keep':
      return { local, holiday: { kind: mark.kind, name: mark.name, action: 'kept' } };
    case 'skip':
      return skip(`跳过 ${date}，因 ${label}`);
    case 'next-workday':
    case 'previous-workday': {
      const target = nearestWorkday(calendar, date, policy === 'next-workday' ? 1 : -1);
      if (!target) return skip(`跳过 ${date}，因 ${label}：两周内没有普通工作日`);
      if (target < window.start || target > window.end) {
        return skip(`跳过 ${date}，因 ${label}：移至 ${target} 会超出活动期 ${window.start} ~ ${window.end}`);
      }
      return { local: `${target}${local.slice(10)}`, holiday: { kind: mark.kind, name: mark.name, action: 'moved', from: local } };
    }
  }
}

/** 移至 2021-04-06 07:30，因 清明节 — for a moved send. */
export function movedReason(note: HolidayNote, local: string): string {
  const label = note.kind === 'holiday' ? note.name : `${note.name}调休上班日`;
  return note.action === 'moved' && note.from
    ? `原定 ${note.from.replace('T', ' ')}，移至 ${local.slice(0, 10)}，因 ${label}`
    : `${local.slice(0, 10)} 是 ${label}，照常发送`;
}
