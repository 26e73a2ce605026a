/**
 * @module domain/wechat-quota
 * WeChat's mass-send (群发) quotas, checked when a plan is made rather than discovered when WeChat
 * answers 45028 ("has no masssend quota").
 *
 * - 订阅号 (subscription account): one mass send a day; the count resets at midnight and does not
 *   carry over.
 * - 服务号 (service account): each follower receives at most 4 mass messages a calendar month;
 *   the API may be called more often, but a fifth send in the month fails for those who already
 *   had four.
 *
 * Sources: the WeChat Open Community's official post 公众平台群发规则 ("订阅号…1天只能群发1条消息（每天0点更新，
 * 次数不会累加）", "服务号…1个月（按自然月）内可发送4条群发消息"),
 * https://developers.weixin.qq.com/community/develop/doc/000c8c659b87a084cc799cccc51409; and the
 * 高级群发接口 documentation as quoted in developer write-ups ("对于认证服务号…用户每月只能接收4条…多于4条的
 * 群发将对该用户发送失败"). Days and months are the county's local ones (WeChat counts in China time).
 *
 * A send to all followers reaches every tag, so it counts against each tag's month. A follower can
 * carry several tags; which followers overlap is not known when planning, so two tags' sends are
 * counted apart — a follower in both may still reach the limit sooner than this check says.
 */
import { DateTime } from 'luxon';
import { Invalid } from './errors.js';

export type WeChatAccountType = 'subscription' | 'service';
export type WeChatAudience = 'all' | { tagId: number };

export interface PlannedWeChatSend {
  /** A local date-time in the county's zone (`2021-03-15T09:00`), or an instant with an offset. */
  at: string;
  audience: WeChatAudience;
  noticeRef: string;
}

export const SUBSCRIPTION_SENDS_PER_DAY = 1;
export const SERVICE_SENDS_PER_FOLLOWER_PER_MONTH = 4;

export interface WeChatQuotaFinding {
  period: 'day' | 'month';
  /** `2021-03-15` for a day, `2021-03` for a month. */
  date: string;
  /** Service accounts: whose month it is — 'all' followers or one tag. */
  audience?: WeChatAudience;
  /** The sends counted, in time order. */
  noticeRefs: string[];
  message: string;
}

export interface WeChatQuotaCheck {
  /** Over the limit: WeChat would refuse the send, or fail it for (some) followers. */
  problems: WeChatQuotaFinding[];
  /** At the limit: valid, but nothing more can go out that day or month. */
  warnings: WeChatQuotaFinding[];
}

interface LocalSend {
  day: string;
  month: string;
  instant: number;
  send: PlannedWeChatSend;
}

export function checkWeChatQuota(accountType: WeChatAccountType, sends: readonly PlannedWeChatSend[], timeZone: string): WeChatQuotaCheck {
  const local = sends.map((send, index) => toLocal(send, index, timeZone)).sort((a, b) => a.instant - b.instant);
  return accountType === 'subscription' ? checkSubscription(local) : checkService(local);
}

function toLocal(send: PlannedWeChatSend, index: number, timeZone: string): LocalSend {
  const at = DateTime.fromISO(send.at, { zone: timeZone });
  if (!at.isValid) throw new Invalid(`WeChat send ${send.noticeRef}: "${send.at}" is not a date-time in ${timeZone}`, [{ field: `sends.${index}.at`, message: at.invalidExplanation ?? 'not a date-time' }]);
  return { day: at.toISODate() ?? '', month: at.toFormat('yyyy-MM'), instant: at.toMillis(), send };
}

function groupBy<K>(sends: readonly LocalSend[], key: (send: LocalSend) => K): Map<K, LocalSend[]> {
  const groups = new Map<K, LocalSend[]>();
  for (const send of sends) {
    const k = key(send);
    const group = groups.get(k);
    if (group) group.push(send);
    else groups.set(k, [send]);
  }
  return groups;
}

const refsOf = (sends: readonly LocalSend[]) => sends.map((local) => local.send.noticeRef);

function checkSubscription(sends: readonly LocalSend[]): WeChatQuotaCheck {
  const check: WeChatQuotaCheck = { problems: [], warnings: [] };
  for (const [day, onDay] of groupBy(sends, (send) => send.day)) {
    const noticeRefs = refsOf(onDay);
    const limit = `订阅号每天只能群发 ${SUBSCRIPTION_SENDS_PER_DAY} 次`;
    if (onDay.length > SUBSCRIPTION_SENDS_PER_DAY) {
      check.problems.push({ period: 'day', date: day, noticeRefs, message: `${day} 安排了 ${onDay.length} 次群发（${noticeRefs.join('、')}）：${limit}` });
    } else if (onDay.length === SUBSCRIPTION_SENDS_PER_DAY) {
      check.warnings.push({ period: 'day', date: day, noticeRefs, message: `${day} 已有 ${onDay.length} 次群发（${noticeRefs.join('、')}）：${limit}，当天不能再发` });
    }
  }
  return check;
}

const audienceKey = (audience: WeChatAudience) => (audience === 'all' ? 'all' : `tag:${audience.tagId}`);
const audienceText = (audience: WeChatAudience) => (audience === 'all' ? '全部粉丝' : `标签 ${audience.tagId} 的粉丝`);

function checkService(sends: readonly LocalSend[]): WeChatQuotaCheck {
  const check: WeChatQuotaCheck = { problems: [], warnings: [] };
  const limit = `服务号每位粉丝每月最多收到 ${SERVICE_SENDS_PER_FOLLOWER_PER_MONTH} 次群发`;
  for (const [month, inMonth] of groupBy(sends, (send) => send.month)) {
    // Every audience named this month; 'all' is always one (followers with no tag get only those).
    const audiences = new Map<string, WeChatAudience>([['all', 'all']]);
    for (const { send } of inMonth) audiences.set(audienceKey(send.audience), send.audience);
    for (const [key, audience] of audiences) {
      // A tag's followers receive the sends to that tag and every send to all.
      const reaching = inMonth.filter(({ send }) => send.audience === 'all' || audienceKey(send.audience) === key);
      if (reaching.length < SERVICE_SENDS_PER_FOLLOWER_PER_MONTH) continue;
      const noticeRefs = refsOf(reaching);
      const who = audienceText(audience);
      if (reaching.length > SERVICE_SENDS_PER_FOLLOWER_PER_MONTH) {
        check.problems.push({ period: 'month', date: month, audience, noticeRefs, message: `${month} ${who}将收到 ${reaching.length} 次群发（${noticeRefs.join('、')}）：${limit}，第 ${SERVICE_SENDS_PER_FOLLOWER_PER_MONTH + 1} 次起会发送失败` });
      } else {
        check.warnings.push({ period: 'month', date: month, audience, noticeRefs, message: `${month} ${who}已有 ${reaching.length} 次群发（${noticeRefs.join('、')}）：${limit}，本月不能再发` });
      }
    }
  }
  return check;
}
