/**
 * @module domain/notice-progress
 * How a notice reads to people: a name when it has no title (notices loaded from a plan often
 * have none), and where it stands once scheduled — its state said with its delivery counts, so a
 * notice whose every send expired never reads as done. Pure.
 */
import { deliveryRate, type DeliveryCounts } from './delivery.js';
import { channelLabels, noticeStateLabels, type NoticeRecord, type NoticeState } from './planning.js';

/** States in which deliveries exist, so counts are worth reading. */
export const statesWithDeliveries: readonly NoticeState[] = ['scheduled', 'paused', 'done', 'cancelled'];


function when(schedule: NoticeRecord['schedule']): string {
  switch (schedule.kind) {
    case 'fixed':
      return schedule.at.replace('T', ' ');
    case 'key-date': {
      const day = schedule.days === 0 ? '节点日当天' : schedule.days < 0 ? `节点日前 ${-schedule.days} 天` : `节点日后 ${schedule.days} 天`;
      return `${day} ${schedule.at}`;
    }
    case 'rrule':
      return `周期 ${schedule.rule}${schedule.at ? ` ${schedule.at}` : ''}`;
  }
}

/** The notice's title, or (without one) its channel and when it goes out, e.g. 短信 · 节点日前 1 天 18:00. */
export function noticeName(notice: Pick<NoticeRecord, 'title' | 'channel' | 'schedule'>): string {
  return notice.title ?? `${channelLabels[notice.channel]} · ${when(notice.schedule)}`;
}

export interface NoticeProgress {
  label: string;
  /** e.g. 已发 3 · 过期 1 · 跳过 0 · 失败 0 · 送达 2（67%） · 未送达 1; absent before scheduling. */
  counts?: string;
}

export function noticeProgress(state: NoticeState, counts: DeliveryCounts | undefined): NoticeProgress {
  if (!counts || counts.total === 0 || !statesWithDeliveries.includes(state)) return { label: noticeStateLabels[state] };
  const parts = [`已发 ${counts.sent}`, `过期 ${counts.expired}`, `跳过 ${counts.skipped}`, `失败 ${counts.failed}`];
  // What the carrier reported, once any receipt came: 送达 N (of those sent) and 未送达 N.
  const rate = deliveryRate(counts);
  if (rate !== undefined) parts.push(`送达 ${counts.delivered}（${rate}%）`);
  if (counts.undelivered > 0) parts.push(`未送达 ${counts.undelivered}`);
  if (counts.aired > 0) parts.push(`已播 ${counts.aired}`);
  if (counts.pending > 0) parts.push(`待发 ${counts.pending}`);
  if (counts.cancelled > 0) parts.push(`取消 ${counts.cancelled}`);
  // Sends a crash interrupted: nobody knows whether they arrived, and they are not resent unasked.
  if (counts.uncertain > 0) parts.push(`结果不明 ${counts.uncertain}`);
  // "Done" means the dispatcher has nothing left: that alone says nothing of what reached anyone.
  const label =
    state === 'done' && counts.sent === 0
      ? counts.expired === counts.total
        ? '已过期，未发出'
        : '已结束，未发出'
      : noticeStateLabels[state];
  return { label, counts: parts.join(' · ') };
}
