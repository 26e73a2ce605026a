/**
 * @module wechat/client
 * A thin client for the WeChat official-account (公众号) API calls the WeChat channel needs:
 * the stable access token, images for articles and covers, drafts (草稿箱), preview to a
 * reviewer, mass send (群发) and its status. It holds no token itself: a `TokenSource` (the lease
 * in DynamoDB) gives one, and is asked to refresh it once when WeChat calls it stale. Each answer
 * is checked with zod (types.ts); each failure is a typed error (errors.ts). No retry here beyond
 * that one token refresh: a rate limit or a quota goes back to the caller, who knows the schedule.
 *
 * API 群发保护: WeChat's sendall and mass/get pages say only that, with protection on, a send to
 * all followers waits for an administrator's confirmation and fails if refused or not confirmed
 * within 30 minutes. Neither page documents a distinct answer for it, so the client cannot read
 * it from sendall's answer; the account's setting is passed in (`massSendProtection`) and a
 * to-all send then comes back `awaiting-confirmation`. 89504/89505 ("正在等管理员确认", listed
 * for mass/speed/set) become `WeChatAwaitingConfirmation` should any call answer them.
 */
import type { z } from 'zod';

import {
  CLIENT_MSG_ID_EXISTS,
  errorFor,
  TOKEN_CODES,
  WeChatBadAnswer,
  WeChatDuplicateSend,
  WeChatTokenRejected,
  WeChatUnreachable,
} from './errors.js';
import {
  addDraftAnswer,
  addMaterialAnswer,
  draftArticle,
  duplicateSendAnswer,
  errorAnswer,
  massSendAnswer,
  massSendInput,
  massStatusAnswer,
  previewAnswer,
  stableTokenAnswer,
  uploadImageAnswer,
  type DraftArticle,
  type MassSendInput,
  type MassSendResult,
  type MassStatus,
} from './types.js';

export const WECHAT_API = 'https://api.weixin.qq.com';
/** WeChat answers in well under a second; 15 s leaves room for a 10 MB upload on a slow link. */
const DEFAULT_TIMEOUT_MS = 15_000;

/** Gives the current access token; `refresh(stale)` replaces `stale` unless another caller already did. */
export interface TokenSource {
  get(): Promise<string>;
  refresh(stale: string): Promise<string>;
}

export interface WeChatClientOptions {
  baseUrl?: string;
  fetch?: typeof fetch;
  /** Needed by every call but `stableToken` (which the token lease itself uses). */
  token?: TokenSource;
  timeoutMs?: number;
  /** The account has API 群发保护 on (设置-安全中心-风险操作保护): to-all sends await an administrator. */
  massSendProtection?: boolean;
}

export interface WeChatClient {
  stableToken(input: { appId: string; appSecret: string; forceRefresh?: boolean }): Promise<{ accessToken: string; expiresIn: number }>;
  /** An image for use inside an article's HTML (jpg/png under 1 MB); its URL on WeChat. */
  uploadArticleImage(bytes: Uint8Array, fileName: string, contentType: string): Promise<string>;
  /** A permanent image material, for a cover's thumb_media_id. */
  addImageMaterial(bytes: Uint8Array, fileName: string, contentType: string): Promise<{ mediaId: string; url: string }>;
  /** A new draft in the draft box; its media_id. */
  addDraft(articles: readonly DraftArticle[]): Promise<string>;
  previewToOpenId(openId: string, mediaId: string): Promise<{ msgId?: string }>;
  massSend(input: MassSendInput): Promise<MassSendResult>;
  massStatus(msgId: string): Promise<MassStatus>;
}

type Body = { json: unknown } | { form: () => FormData };

export function createWeChatClient(options: WeChatClientOptions = {}): WeChatClient {
  const baseUrl = (options.baseUrl ?? WECHAT_API).replace(/\/$/, '');
  const fetchFn = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;

  /** One POST and its JSON answer, unread: network, timeout and non-JSON are errors here. */
  async function post(path: string, query: Record<string, string>, body: Body): Promise<Record<string, unknown>> {
    const url = `${baseUrl}${path}?${new URLSearchParams(query)}`;
    const init: RequestInit =
      'json' in body
        ? { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body.json) }
        : { method: 'POST', body: body.form() };
    let response: Response;
    let text: string;
    try {
      response = await fetchFn(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
      text = await response.text();
    } catch (error) {
      const timedOut = error instanceof DOMException && error.name === 'TimeoutError';
      throw new WeChatUnreachable(path, timedOut ? `WeChat ${path} did not answer within ${timeoutMs} ms` : `WeChat ${path} could not be reached`, { cause: error });
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      throw new WeChatBadAnswer(path, `WeChat ${path} answered HTTP ${response.status} with something that is not JSON`, text.slice(0, 500), response.status, { cause: error });
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new WeChatBadAnswer(path, `WeChat ${path} answered JSON that is not an object`, text.slice(0, 500), response.status);
    }
    return parsed as Record<string, unknown>;
  }

  function read<S extends z.ZodType>(path: string, schema: S, answer: Record<string, unknown>): z.infer<S> {
    const result = schema.safeParse(answer);
    if (!result.success) {
      // The excerpt may end up in a log line: an access token in it is blanked.
      const excerpt = JSON.stringify(answer, (key, value: unknown) => (key === 'access_token' ? '[redacted]' : value)).slice(0, 500);
      throw new WeChatBadAnswer(path, `WeChat ${path} answered in an unexpected shape: ${result.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`).join('; ')}`, excerpt, 200, { cause: result.error });
    }
    return result.data;
  }

  /** The errcode of an answer, 0 when it has none. A malformed errcode is a bad answer. */
  function errcodeOf(path: string, answer: Record<string, unknown>): { errcode: number; errmsg: string } {
    if (!('errcode' in answer)) return { errcode: 0, errmsg: '' };
    return read(path, errorAnswer, answer);
  }

  /**
   * A call that needs the access token: on 40001/40014/42001 the token source refreshes the
   * stale token and the call is made once more. WeChat refused the first call outright, so asking
   * again cannot do the work twice.
   */
  async function withToken(path: string, query: Record<string, string>, body: Body): Promise<Record<string, unknown>> {
    const token = options.token;
    if (!token) throw new Error(`The WeChat client was built without a token source, and ${path} needs one`);
    const first = await token.get();
    let answer = await post(path, { ...query, access_token: first }, body);
    let { errcode, errmsg } = errcodeOf(path, answer);
    if (TOKEN_CODES.has(errcode)) {
      const fresh = await token.refresh(first);
      answer = await post(path, { ...query, access_token: fresh }, body);
      ({ errcode, errmsg } = errcodeOf(path, answer));
      if (TOKEN_CODES.has(errcode)) throw new WeChatTokenRejected(path, errcode, errmsg);
    }
    return answer;
  }

  /** The answer of a call that succeeds only with errcode 0 (or none). */
  async function call(path: string, query: Record<string, string>, body: Body): Promise<Record<string, unknown>> {
    const answer = await withToken(path, query, body);
    const { errcode, errmsg } = errcodeOf(path, answer);
    if (errcode !== 0) throw errorFor(path, errcode, errmsg);
    return answer;
  }

  const mediaForm = (bytes: Uint8Array, fileName: string, contentType: string) => () => {
    const form = new FormData();
    form.append('media', new Blob([bytes], { type: contentType }), fileName);
    return form;
  };

  return {
    async stableToken({ appId, appSecret, forceRefresh = false }) {
      const path = '/cgi-bin/stable_token';
      const answer = await post(path, {}, { json: { grant_type: 'client_credential', appid: appId, secret: appSecret, force_refresh: forceRefresh } });
      const { errcode, errmsg } = errcodeOf(path, answer);
      if (errcode !== 0) throw errorFor(path, errcode, errmsg);
      const { access_token, expires_in } = read(path, stableTokenAnswer, answer);
      return { accessToken: access_token, expiresIn: expires_in };
    },

    async uploadArticleImage(bytes, fileName, contentType) {
      const path = '/cgi-bin/media/uploadimg';
      return read(path, uploadImageAnswer, await call(path, {}, { form: mediaForm(bytes, fileName, contentType) })).url;
    },

    async addImageMaterial(bytes, fileName, contentType) {
      const path = '/cgi-bin/material/add_material';
      const answer = read(path, addMaterialAnswer, await call(path, { type: 'image' }, { form: mediaForm(bytes, fileName, contentType) }));
      return { mediaId: answer.media_id, url: answer.url };
    },

    async addDraft(articles) {
      const path = '/cgi-bin/draft/add';
      if (articles.length === 0) throw new Error('A draft needs at least one article');
      const json = {
        articles: articles.map((input) => {
          const article = draftArticle.parse(input);
          return {
            title: article.title,
            author: article.author ?? '',
            digest: article.digest ?? '',
            content: article.content,
            content_source_url: article.contentSourceUrl ?? '',
            thumb_media_id: article.thumbMediaId,
            need_open_comment: article.needOpenComment ? 1 : 0,
            only_fans_can_comment: article.onlyFansCanComment ? 1 : 0,
          };
        }),
      };
      return read(path, addDraftAnswer, await call(path, {}, { json })).media_id;
    },

    async previewToOpenId(openId, mediaId) {
      const path = '/cgi-bin/message/mass/preview';
      const answer = read(path, previewAnswer, await call(path, {}, { json: { touser: openId, mpnews: { media_id: mediaId }, msgtype: 'mpnews' } }));
      return answer.msg_id === undefined ? {} : { msgId: answer.msg_id };
    },

    async massSend(input) {
      const path = '/cgi-bin/message/mass/sendall';
      const send = massSendInput.parse(input);
      const toAll = 'toAll' in send;
      const json = {
        filter: toAll ? { is_to_all: true } : { is_to_all: false, tag_id: send.tagId },
        mpnews: { media_id: send.mediaId },
        msgtype: 'mpnews',
        // 0: stop if WeChat judges the article a reprint (sendall page), rather than send it as one.
        send_ignore_reprint: 0,
        clientmsgid: send.clientMsgId,
      };
      const answer = await withToken(path, {}, { json });
      const { errcode, errmsg } = errcodeOf(path, answer);
      const state = toAll && options.massSendProtection ? 'awaiting-confirmation' : 'submitted';
      if (errcode === CLIENT_MSG_ID_EXISTS) {
        // Sent before under this clientmsgid (a retry after a lost answer): report that send, never make another.
        const earlier = read(path, duplicateSendAnswer, answer).msg_id;
        if (earlier === undefined) throw new WeChatDuplicateSend(path, errcode, errmsg, send.clientMsgId);
        return { state, msgId: earlier, duplicate: true };
      }
      if (errcode !== 0) throw errorFor(path, errcode, errmsg);
      const { msg_id, msg_data_id } = read(path, massSendAnswer, answer);
      return { state, msgId: msg_id, ...(msg_data_id === undefined ? {} : { msgDataId: msg_data_id }), duplicate: false };
    },

    async massStatus(msgId) {
      const path = '/cgi-bin/message/mass/get';
      return read(path, massStatusAnswer, await call(path, {}, { json: { msg_id: msgId } })).msg_status;
    },
  };
}
