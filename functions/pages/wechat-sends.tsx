/**
 * @module pages/wechat-sends
 * A WeChat notice's mass sends on its campaign page, one line per send time, said as staff need
 * them: taken by WeChat, held for an administrator's confirmation (and until when), how many
 * followers it reached, or why it failed; and whether the reviewer's WeChat got the preview.
 */
import { DateTime } from 'luxon';
import { WECHAT_CONFIRMATION_MINUTES, type DeliveryRecord } from '../domain/delivery.js';
import type { NoticeRecord } from '../domain/planning.js';
import { forPeople } from '../domain/schedule.js';


const local = (utc: string, timeZone: string, format = 'M月d日 HH:mm') => {
  const time = DateTime.fromISO(utc, { zone: 'UTC' }).setZone(timeZone);
  return time.isValid ? time.toFormat(format) : utc;
};

/** Where one mass send stands, in a sentence. */
export function wechatSendStatus(delivery: Pick<DeliveryRecord, 'state' | 'scheduledAt' | 'reason' | 'wechat'>, timeZone: string): { text: string; kind: 'ok' | 'wait' | 'err' | 'muted' } {
  const { wechat } = delivery;
  const failed = (reason: string | undefined) => ({ text: `发送失败：${reason ?? wechat?.status ?? '原因不明'}`, kind: 'err' as const });
  switch (delivery.state) {
    case 'pending':
      return { text: `待发送（${local(delivery.scheduledAt, timeZone)}）`, kind: 'muted' };
    case 'sending':
      return { text: '正在提交微信', kind: 'wait' };
    case 'failed':
    case 'undelivered':
      return failed(delivery.reason);
    case 'expired':
      return { text: '已过期，未发出', kind: 'muted' };
    case 'skipped':
      return { text: `已跳过${delivery.reason ? `：${delivery.reason}` : ''}`, kind: 'muted' };
    case 'cancelled':
      return { text: '已取消', kind: 'muted' };
    case 'uncertain':
      return { text: '结果不明：不知微信是否已收到这次群发', kind: 'err' };
    default:
      break;
  }
  if (wechat?.phase === 'awaiting-confirmation') {
    const until = DateTime.fromISO(wechat.submittedAt, { zone: 'UTC' }).plus({ minutes: WECHAT_CONFIRMATION_MINUTES }).toISO() ?? wechat.submittedAt;
    return { text: `等待管理员在微信中确认（群发保护，${local(until, timeZone)} 前）`, kind: 'wait' };
  }
  if (wechat?.phase === 'finished') {
    const reached = wechat.sentCount ?? 0;
    if (delivery.state === 'delivered' || reached > 0) {
      return { text: `已送达 ${reached} 位粉丝（共 ${wechat.totalCount ?? reached}，失败 ${wechat.errorCount ?? 0}）`, kind: 'ok' };
    }
    return failed(delivery.reason);
  }
  return { text: '已提交微信', kind: 'wait' };
}

/** Whether the reviewer's WeChat got the article's preview, once its draft was made. */
export function previewStatus(draft: NoticeRecord['wechatDraft'], timeZone: string): { text: string; ok: boolean } | undefined {
  if (!draft) return undefined;
  const { preview } = draft;
  if (!preview) return { text: '已存入公众号草稿箱，未发送预览', ok: false };
  if (preview.error) return { text: `预览没有发到审核人员的微信：${preview.error}`, ok: false };
  return { text: `预览已于 ${local(preview.at, timeZone)} 发到审核人员的微信${preview.to ? `（${preview.to}）` : ''}`, ok: true };
}

const COLOURS = { ok: '#1a7f37', wait: '#9a6700', err: '#cf222e', muted: '#59636e' } as const;

export function WeChatSends(props: { deliveries: readonly DeliveryRecord[]; more: boolean; draft: NoticeRecord['wechatDraft']; timeZone: string }) {
  const preview = previewStatus(props.draft, props.timeZone);
  return (
    <div class="wechat-sends" style="font-size:.9rem;margin-top:.25rem">
      {preview && <div class={preview.ok ? 'wechat-preview' : 'wechat-preview muted'}>{preview.text}</div>}
      {props.deliveries.length > 0 && (
        <ul style="margin:.25rem 0 0;padding-left:1.2rem">
          {props.deliveries.map((delivery) => {
            const status = wechatSendStatus(delivery, props.timeZone);
            const to = delivery.recipient.kind === 'wechat' && delivery.recipient.tagId !== undefined ? `标签 ${delivery.recipient.tagId}` : '全部粉丝';
            return (
              <li class={`wechat-send wechat-send-${status.kind}`}>
                <span class="muted">{forPeople(delivery.scheduledAt, props.timeZone)} · {to}：</span>
                <span style={`color:${COLOURS[status.kind]}`}>{status.text}</span>
              </li>
            );
          })}
        </ul>
      )}
      {props.more && <p class="muted" style="margin:.25rem 0 0">只列出前 {props.deliveries.length} 次群发。</p>}
    </div>
  );
}
