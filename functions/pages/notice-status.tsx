/**
 * @module pages/notice-status
 * A notice's name and state as the pages show them: the state badge with its delivery counts.
 */
import type { DeliveryCounts } from '../domain/delivery.js';
import { noticeName, noticeProgress } from '../domain/notice-progress.js';
import type { NoticeRecord } from '../domain/planning.js';
import { StateBadge } from './layout.js';

export function NoticeName(props: { notice: Pick<NoticeRecord, 'title' | 'channel' | 'schedule'> }) {
  return <>{noticeName(props.notice)}</>;
}

export function NoticeProgress(props: { state: NoticeRecord['state']; counts?: DeliveryCounts | undefined }) {
  const progress = noticeProgress(props.state, props.counts);
  return (
    <>
      <StateBadge label={progress.label} />
      {progress.counts && <div class="muted" style="font-size:.85rem">{progress.counts}</div>}
    </>
  );
}
