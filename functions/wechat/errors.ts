/**
 * @module wechat/errors
 * What can go wrong when pufa asks the WeChat official-account API, as classes a caller can tell
 * apart: WeChat's own refusals carry its `errcode`/`errmsg`; a network failure, a timeout or an
 * answer that is not the JSON WeChat documents are errors of their own, never swallowed.
 *
 * Codes, from WeChat's pages read for this module (developers.weixin.qq.com, doc/service and
 * doc/subscription, "api_sendall", "api_massmsgget", "api_getstableaccesstoken", "api_setspeed";
 * and the answers quoted on WeChat's developer community):
 * - 40001 "invalid credential, access_token is invalid or not latest", 40013 "invalid appid",
 *   42001 "access_token expired", 45009 "reach max api daily quota limit", 45011 "api minute-quota
 *   reach limit must slower retry next minute": WeChat's common error codes
 *   (developers.weixin.qq.com/doc/channels/API/basics/commErrCode.html; 40001/42001 also in the
 *   mass/get table). 40014 "不合法的 access_token" and 40125 "无效的appsecret": the 公众号 全局返回码
 *   list as copied on csdn/cnblogs — WeChat's own 公众号 page was not in the search index.
 * - 45028 "has no masssend quota" (community answers quoting sendall).
 * - 45065 "clientmsgid exist", seen answered together with the earlier `msg_id`
 *   (`{"errcode":45065,"errmsg":"clientmsgid exist","msg_id":3147494552}`, community thread).
 * - 45066 "same clientmsgid retry too fast", 45067 "clientmsgid size out of limit" (community).
 * - 89504 "正在等管理员确认,请耐心等待", 89505 "正在等管理员确认,请稍候重试": listed in the
 *   mass/speed/set error table; WeChat does not say whether sendall answers them.
 */

/** Access-token codes: refresh the token once and ask again. */
export const TOKEN_CODES: ReadonlySet<number> = new Set([40001, 40014, 42001]);
/** Ask again later: API quotas (45009, 45011), and 45066, the same clientmsgid again within a minute (a retry too soon after a send whose answer was lost). */
export const RATE_LIMIT_CODES: ReadonlySet<number> = new Set([45009, 45011, 45066]);
export const NO_MASS_SEND_QUOTA = 45028;
export const CLIENT_MSG_ID_EXISTS = 45065;
export const AWAITING_ADMIN_CODES: ReadonlySet<number> = new Set([89504, 89505]);

/** WeChat answered with a non-zero errcode. */
export class WeChatApiError extends Error {
  override name = 'WeChatApiError';
  constructor(
    /** The path asked, e.g. `/cgi-bin/message/mass/sendall`. */
    readonly path: string,
    readonly errcode: number,
    readonly errmsg: string,
  ) {
    super(`WeChat ${path} answered ${errcode}: ${errmsg}`);
  }
}

/** The access token was refused even after one refresh: the lease is wrong, not the moment. */
export class WeChatTokenRejected extends WeChatApiError {
  override name = 'WeChatTokenRejected';
}

/** 45009/45011: an API quota is used up; the caller asks again later. */
export class WeChatRateLimited extends WeChatApiError {
  override name = 'WeChatRateLimited';
}

/** 45028: no mass-send quota left (订阅号: one a day; 服务号: the month's). */
export class WeChatQuotaReached extends WeChatApiError {
  override name = 'WeChatQuotaReached';
}

/**
 * 45065 without the earlier msg_id: a mass send with this clientmsgid was already made, but
 * WeChat did not say which. It was sent once; it must not be sent again.
 */
export class WeChatDuplicateSend extends WeChatApiError {
  override name = 'WeChatDuplicateSend';
  constructor(
    path: string,
    errcode: number,
    errmsg: string,
    readonly clientMsgId: string,
  ) {
    super(path, errcode, errmsg);
  }
}

/** 89504/89505: an administrator has yet to confirm in WeChat (API 群发保护). */
export class WeChatAwaitingConfirmation extends WeChatApiError {
  override name = 'WeChatAwaitingConfirmation';
}

/** No answer: the connection failed or the call ran past its timeout. */
export class WeChatUnreachable extends Error {
  override name = 'WeChatUnreachable';
  constructor(
    readonly path: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** An answer that is not JSON, or not the JSON WeChat documents for this call. */
export class WeChatBadAnswer extends Error {
  override name = 'WeChatBadAnswer';
  constructor(
    readonly path: string,
    message: string,
    /** The first 500 characters of what came back. */
    readonly body: string,
    readonly status: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The typed error for a non-zero errcode (the token, 45065 and mass-send cases are the client's). */
export function errorFor(path: string, errcode: number, errmsg: string): WeChatApiError {
  if (RATE_LIMIT_CODES.has(errcode)) return new WeChatRateLimited(path, errcode, errmsg);
  if (errcode === NO_MASS_SEND_QUOTA) return new WeChatQuotaReached(path, errcode, errmsg);
  if (AWAITING_ADMIN_CODES.has(errcode)) return new WeChatAwaitingConfirmation(path, errcode, errmsg);
  return new WeChatApiError(path, errcode, errmsg);
}
