/**
 * @module local/wechat-sink
 * A local stand-in for the WeChat official-account API, as local/sns-sink.ts is for SNS: the
 * real client (wechat/client.ts) runs unchanged against it, so the WeChat channel works end to
 * end without WeChat. It answers stable_token, uploadimg, add_material, draft/add, mass/preview,
 * mass/sendall and mass/get with WeChat's answer shapes and error codes, keeps what it was given,
 * models the mass-send quotas (订阅号: one a day; 服务号: each follower at most four a month,
 * followers modelled as a count per tag), dedups clientmsgid, can play API 群发保护, and after a
 * short delay finishes each job and POSTs WeChat's signed MASSSENDJOBFINISH event to a callback.
 *
 * Mass sends are kept in the sink's own `WeChatOutbox`, not in notify/outbox.ts: that Outbox's
 * entries are typed `kind: 'sms' | 'station'`, and a WeChat kind would change its API.
 *
 * Modelled from WeChat's pages (see wechat/types.ts and wechat/errors.ts). MASSSENDJOBFINISH's
 * fields and meanings come from WeChat's older 事件推送群发结果 text as SDKs quote it (Status is
 * "send success", "send fail" or "err(num)"; FilterCount is who is left after filters, including
 * "用户接收已超4条的过滤", and FilterCount = SentCount + ErrorCount). Not documented, so chosen
 * here: the 24-hour clientmsgid window; that a protected send answers like any other submission
 * and shows SENDING in mass/get until confirmed; "send fail" for a refused or lapsed one.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { Hono, type Context } from 'hono';
import { DateTime } from 'luxon';
import type { WeChatMassSend } from '../wechat/types.js';

/** WeChat's own day and month: mass-send quotas count in China's time. */
const ZONE = 'Asia/Shanghai';
const PROTECTION_WINDOW_MS = 30 * 60_000;
const CLIENT_MSG_ID_WINDOW_MS = 24 * 3600_000;
const SERVICE_MONTHLY_PER_FOLLOWER = 4;

export interface WeChatSinkFaults {
  /** Added to every call, before it is handled. */
  latencyMs?: number;
  /** Calls of `path` are handled, then answered only after `ms`: WeChat did the work, the caller has not heard yet. */
  answerDelay?: { path: string; ms: number };
  /** Answer the next `times` calls of `path` (e.g. `/cgi-bin/message/mass/sendall`) with this errcode. */
  errcodes?: { path: string; errcode: number; times: number }[];
}

export type { WeChatMassSend } from '../wechat/types.js';

/** The mass sends the sink took, oldest first. */
export class WeChatOutbox {
  private readonly entries: WeChatMassSend[] = [];
  add(entry: WeChatMassSend): void {
    this.entries.push(entry);
  }
  list(): readonly WeChatMassSend[] {
    return this.entries;
  }
}

export interface WeChatSinkOptions {
  appId: string;
  appSecret: string;
  accountType: 'subscription' | 'service';
  /** All followers; `tags` splits some of them into tags (disjoint here, for simplicity). */
  followers: number;
  tags?: Record<number, number>;
  /** Where MASSSENDJOBFINISH goes, and the token it is signed with (the 服务器配置 Token). */
  callback?: { url: string; token: string };
  clock?: () => Date;
  outbox?: WeChatOutbox;
  faults?: WeChatSinkFaults;
  tokenLifetimeSeconds?: number;
  /** API 群发保护: to-all sends wait for `POST /__sink/confirm/{msgId}`. */
  protection?: boolean;
  /** From submission (or confirmation) to the job's end. */
  finishDelayMs?: number;
  /** The account's original id, ToUserName of pushed events. */
  originalId?: string;
}

interface Token {
  value: string;
  expiresAt: number;
  revoked: boolean;
}

const sign = (token: string, timestamp: string, nonce: string) => createHash('sha1').update([token, timestamp, nonce].sort().join('')).digest('hex');
const cdata = (value: string) => `<![CDATA[${value.replace(/]]>/g, ']]]]><![CDATA[>')}]]>`;

export function massSendJobFinishXml(send: WeChatMassSend, toUser: string, createTime: number): string {
  // As WeChat's own sample event writes it (its text says "send success"): pufa reads both.
  const status = send.status === 'SEND_SUCCESS' ? 'sendsuccess' : 'send fail';
  return (
    `<xml><ToUserName>${cdata(toUser)}</ToUserName><FromUserName>${cdata('mphelper')}</FromUserName>` +
    `<CreateTime>${createTime}</CreateTime><MsgType>${cdata('event')}</MsgType><Event>${cdata('MASSSENDJOBFINISH')}</Event>` +
    `<MsgID>${send.msgId}</MsgID><Status>${cdata(status)}</Status><TotalCount>${send.totalCount}</TotalCount>` +
    `<FilterCount>${send.filterCount}</FilterCount><SentCount>${send.sentCount}</SentCount><ErrorCount>${send.errorCount}</ErrorCount>` +
    `<CopyrightCheckResult><Count>0</Count><ResultList></ResultList><CheckState>1</CheckState></CopyrightCheckResult>` +
    `<ArticleUrlResult><Count>0</Count><ResultList></ResultList></ArticleUrlResult></xml>`
  );
}

export function createWeChatSinkApp(options: WeChatSinkOptions) {
  const clock = options.clock ?? (() => new Date());
  const outbox = options.outbox ?? new WeChatOutbox();
  const lifetimeMs = (options.tokenLifetimeSeconds ?? 7200) * 1000;
  const finishDelayMs = options.finishDelayMs ?? 50;
  const faults = options.faults ?? {};
  const injected = (faults.errcodes ?? []).map((fault) => ({ ...fault }));
  const calls = new Map<string, number>();
  const tokens = new Map<string, Token>();
  const media = new Map<string, { bytes: Uint8Array; contentType: string }>();
  const materials = new Set<string>();
  const drafts = new Map<string, Record<string, unknown>[]>();
  const previews: { openId: string; mediaId: string; at: string }[] = [];
  const byClientMsgId = new Map<string, WeChatMassSend>();
  /** Mass sends received this month, per follower segment ('all' is the untagged rest). */
  const received = new Map<string, number>();
  /** Protected sends waiting for an administrator, and whom they will reach. */
  const pendingSegments = new Map<string, { targeted: [string, number][]; month: string }>();
  const timers = new Set<NodeJS.Timeout>();
  const callbackFailures: unknown[] = [];
  const deliveries: Promise<void>[] = [];
  let current: Token | undefined;
  /** Where results go: set at start, or later once the receiving server knows its URL. */
  let callback = options.callback;
  let nextId = 1_000_000_001;
  let baseUrl = 'http://127.0.0.1';

  const app = new Hono();
  const ok = (c: Context, body: Record<string, unknown> = {}) => c.json({ errcode: 0, errmsg: 'ok', ...body });
  const fail = (c: Context, errcode: number, errmsg: string, extra: Record<string, unknown> = {}) => c.json({ errcode, errmsg, ...extra });

  app.use('/cgi-bin/*', async (c, next) => {
    calls.set(c.req.path, (calls.get(c.req.path) ?? 0) + 1);
    if (faults.latencyMs) await new Promise((wake) => setTimeout(wake, faults.latencyMs));
    const fault = injected.find((entry) => entry.path === c.req.path && entry.times > 0);
    if (fault) {
      fault.times -= 1;
      return fail(c, fault.errcode, `injected by the local WeChat sink`);
    }
    if (c.req.path !== '/cgi-bin/stable_token') {
      const token = tokens.get(c.req.query('access_token') ?? '');
      if (!token || token.revoked) return fail(c, 40001, 'invalid credential, access_token is invalid or not latest');
      if (token.expiresAt <= clock().getTime()) return fail(c, 42001, 'access_token expired');
    }
    await next();
    const held = faults.answerDelay;
    if (held && held.path === c.req.path) await new Promise((wake) => setTimeout(wake, held.ms));
  });

  app.post('/cgi-bin/stable_token', async (c) => {
    const body = await c.req.json().catch(() => ({}) as Record<string, unknown>);
    if (body.grant_type !== 'client_credential') return fail(c, 40002, 'invalid grant_type');
    if (body.appid !== options.appId) return fail(c, 40013, 'invalid appid');
    if (body.secret !== options.appSecret) return fail(c, 40125, 'invalid appsecret');
    const now = clock().getTime();
    // Normal mode: the same token while valid; WeChat renews it in its last 5 minutes, old and new both valid meanwhile.
    if (body.force_refresh === true || !current || current.revoked || current.expiresAt - now < 300_000) {
      if (body.force_refresh === true && current) current.revoked = true;
      current = { value: randomBytes(32).toString('base64url'), expiresAt: now + lifetimeMs, revoked: false };
      tokens.set(current.value, current);
    }
    return c.json({ access_token: current.value, expires_in: Math.round((current.expiresAt - now) / 1000) });
  });

  const upload = async (c: Context, limit: number, types: readonly string[]) => {
    const form = await c.req.parseBody();
    const file = form['media'];
    if (!(file instanceof File)) return { error: fail(c, 41005, 'media data missing') };
    if (!types.includes(file.type)) return { error: fail(c, 40005, 'invalid file type') };
    if (file.size > limit) return { error: fail(c, 40009, 'invalid image size') };
    const id = randomBytes(12).toString('hex');
    media.set(id, { bytes: new Uint8Array(await file.arrayBuffer()), contentType: file.type });
    return { id, url: `${baseUrl}/__sink/media/${id}` };
  };

  app.post('/cgi-bin/media/uploadimg', async (c) => {
    const stored = await upload(c, 1024 * 1024, ['image/jpeg', 'image/png']);
    return 'error' in stored ? stored.error : ok(c, { url: stored.url });
  });

  app.post('/cgi-bin/material/add_material', async (c) => {
    if (c.req.query('type') !== 'image') return fail(c, 40004, 'invalid media type');
    const stored = await upload(c, 10 * 1024 * 1024, ['image/jpeg', 'image/png', 'image/gif', 'image/bmp']);
    if ('error' in stored) return stored.error;
    materials.add(stored.id);
    return c.json({ media_id: stored.id, url: stored.url });
  });

  app.get('/__sink/media/:id', (c) => {
    const item = media.get(c.req.param('id'));
    return item ? c.body(Buffer.from(item.bytes), 200, { 'Content-Type': item.contentType }) : c.notFound();
  });

  app.post('/cgi-bin/draft/add', async (c) => {
    const body = (await c.req.json().catch(() => ({}))) as { articles?: Record<string, unknown>[] };
    if (!Array.isArray(body.articles) || body.articles.length === 0) return fail(c, 44003, 'empty news data');
    for (const article of body.articles) {
      if (typeof article.title !== 'string' || !article.title || typeof article.content !== 'string' || !article.content) return fail(c, 44003, 'empty news data');
      if (!materials.has(String(article.thumb_media_id))) return fail(c, 40007, 'invalid media_id');
    }
    const mediaId = randomBytes(16).toString('base64url');
    drafts.set(mediaId, body.articles);
    return c.json({ media_id: mediaId });
  });

  app.post('/cgi-bin/message/mass/preview', async (c) => {
    const body = (await c.req.json().catch(() => ({}))) as { touser?: string; mpnews?: { media_id?: string }; msgtype?: string };
    if (body.msgtype !== 'mpnews') return fail(c, 40008, 'invalid message type');
    if (!drafts.has(body.mpnews?.media_id ?? '')) return fail(c, 40007, 'invalid media_id');
    if (!body.touser) return fail(c, 40003, 'invalid openid');
    previews.push({ openId: body.touser, mediaId: body.mpnews?.media_id ?? '', at: clock().toISOString() });
    return c.json({ errcode: 0, errmsg: 'preview success', msg_id: nextId++ });
  });

  const dayOf = (at: number) => DateTime.fromMillis(at, { zone: ZONE }).toISODate();
  const monthOf = (at: number) => DateTime.fromMillis(at, { zone: ZONE }).toFormat('yyyy-MM');
  const sentOn = (at: number, match: (send: WeChatMassSend) => boolean, period: (at: number) => string | null) =>
    outbox.list().filter((send) => send.status !== 'SEND_FAIL' && match(send) && period(Date.parse(send.submittedAt)) === period(at)).length;
  const segments = (toAll: boolean, tagId?: number): [string, number][] => {
    const tags = Object.entries(options.tags ?? {});
    const tagged = tags.reduce((sum, [, count]) => sum + count, 0);
    if (!toAll) return [[`tag:${tagId}`, options.tags?.[tagId ?? -1] ?? 0]];
    return [...tags.map(([tag, count]): [string, number] => [`tag:${tag}`, count]), ['all', Math.max(0, options.followers - tagged)]];
  };

  app.post('/cgi-bin/message/mass/sendall', async (c) => {
    const body = (await c.req.json().catch(() => ({}))) as {
      filter?: { is_to_all?: boolean; tag_id?: number };
      mpnews?: { media_id?: string };
      msgtype?: string;
      clientmsgid?: string;
    };
    const now = clock().getTime();
    if (body.msgtype !== 'mpnews') return fail(c, 40008, 'invalid message type');
    const clientMsgId = body.clientmsgid;
    if (clientMsgId !== undefined && Buffer.byteLength(clientMsgId) > 64) return fail(c, 45067, 'clientmsgid size out of limit');
    const earlier = clientMsgId === undefined ? undefined : byClientMsgId.get(clientMsgId);
    if (earlier && now - Date.parse(earlier.submittedAt) < CLIENT_MSG_ID_WINDOW_MS) return fail(c, 45065, 'clientmsgid exist', { msg_id: Number(earlier.msgId) });
    const mediaId = body.mpnews?.media_id ?? '';
    const articles = drafts.get(mediaId);
    if (!articles) return fail(c, 40007, 'invalid media_id');
    const toAll = body.filter?.is_to_all === true;
    const tagId = toAll ? undefined : body.filter?.tag_id;
    if (options.accountType === 'subscription' && sentOn(now, () => true, dayOf) >= 1) return fail(c, 45028, 'has no masssend quota');
    if (options.accountType === 'service' && toAll && (sentOn(now, (send) => send.toAll, dayOf) >= 1 || sentOn(now, (send) => send.toAll, monthOf) >= SERVICE_MONTHLY_PER_FOLLOWER)) {
      return fail(c, 45028, 'has no masssend quota');
    }
    const targeted = segments(toAll, tagId);
    const month = monthOf(now);
    let totalCount = 0;
    let filterCount = 0;
    for (const [segment, count] of targeted) {
      totalCount += count;
      // 服务号: a follower who had four this month is left out (counted in TotalCount, not FilterCount).
      if (options.accountType === 'service' && (received.get(`${month}:${segment}`) ?? 0) >= SERVICE_MONTHLY_PER_FOLLOWER) continue;
      filterCount += count;
    }
    const send: WeChatMassSend = {
      msgId: String(nextId++),
      msgDataId: String(nextId++),
      ...(clientMsgId === undefined ? {} : { clientMsgId }),
      mediaId,
      articles,
      toAll,
      ...(tagId === undefined ? {} : { tagId }),
      submittedAt: new Date(now).toISOString(),
      status: 'SENDING',
      awaitingConfirmation: options.protection === true && toAll,
      totalCount,
      filterCount,
      sentCount: 0,
      errorCount: 0,
    };
    outbox.add(send);
    if (clientMsgId !== undefined) byClientMsgId.set(clientMsgId, send);
    if (!send.awaitingConfirmation) finishLater(send, targeted, month);
    else pendingSegments.set(send.msgId, { targeted, month });
    return c.json({ errcode: 0, errmsg: 'send job submission success', msg_id: Number(send.msgId), msg_data_id: Number(send.msgDataId) });
  });

  /** A protected send that nobody confirmed within 30 minutes has failed, as WeChat says. */
  const lapse = (send: WeChatMassSend) => {
    if (send.awaitingConfirmation && clock().getTime() - Date.parse(send.submittedAt) > PROTECTION_WINDOW_MS) finish(send, false);
  };

  app.post('/cgi-bin/message/mass/get', async (c) => {
    const body = (await c.req.json().catch(() => ({}))) as { msg_id?: string | number };
    const send = outbox.list().find((entry) => entry.msgId === String(body.msg_id));
    if (!send) return fail(c, 40059, 'invalid msg id');
    lapse(send);
    return c.json({ msg_id: Number(send.msgId), msg_status: send.status });
  });

  app.post('/__sink/confirm/:msgId', (c) => {
    const send = outbox.list().find((entry) => entry.msgId === c.req.param('msgId'));
    const pending = pendingSegments.get(c.req.param('msgId'));
    if (!send || !pending) return c.json({ error: 'no mass send awaits confirmation under this msg_id' }, 404);
    lapse(send);
    if (!send.awaitingConfirmation) return c.json({ error: 'the 30 minutes to confirm have passed' }, 409);
    send.awaitingConfirmation = false;
    pendingSegments.delete(send.msgId);
    finishLater(send, pending.targeted, pending.month);
    return c.json({ confirmed: send.msgId });
  });

  app.post('/__sink/refuse/:msgId', (c) => {
    const send = outbox.list().find((entry) => entry.msgId === c.req.param('msgId'));
    if (!send || !send.awaitingConfirmation) return c.json({ error: 'no mass send awaits confirmation under this msg_id' }, 404);
    finish(send, false);
    return c.json({ refused: send.msgId });
  });

  function finishLater(send: WeChatMassSend, targeted: [string, number][], month: string) {
    const timer = setTimeout(() => {
      timers.delete(timer);
      for (const [segment] of targeted) {
        if (options.accountType === 'service' && (received.get(`${month}:${segment}`) ?? 0) >= SERVICE_MONTHLY_PER_FOLLOWER) continue;
        received.set(`${month}:${segment}`, (received.get(`${month}:${segment}`) ?? 0) + 1);
      }
      finish(send, true);
    }, finishDelayMs);
    timers.add(timer);
  }

  function finish(send: WeChatMassSend, success: boolean) {
    send.awaitingConfirmation = false;
    pendingSegments.delete(send.msgId);
    send.status = success ? 'SEND_SUCCESS' : 'SEND_FAIL';
    send.sentCount = success ? send.filterCount : 0;
    send.errorCount = 0;
    if (callback) deliveries.push(deliver(callback, send));
  }

  async function deliver(callback: { url: string; token: string }, send: WeChatMassSend): Promise<void> {
    const timestamp = String(Math.floor(clock().getTime() / 1000));
    const nonce = String(randomBytes(4).readUInt32BE());
    const url = new URL(callback.url);
    url.searchParams.set('signature', sign(callback.token, timestamp, nonce));
    url.searchParams.set('timestamp', timestamp);
    url.searchParams.set('nonce', nonce);
    try {
      const response = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'text/xml' }, body: massSendJobFinishXml(send, options.originalId ?? 'gh_pufa_local', Number(timestamp)) });
      if (!response.ok) throw new Error(`the callback answered HTTP ${response.status}`);
    } catch (error) {
      callbackFailures.push(error);
    }
  }

  return {
    app,
    outbox,
    previews,
    drafts,
    calls: (path?: string) => (path ? (calls.get(path) ?? 0) : [...calls.values()].reduce((sum, count) => sum + count, 0)),
    /** Every token issued so far lapses now (the next call answers 42001). */
    expireTokens: () => {
      const now = clock().getTime();
      for (const token of tokens.values()) token.expiresAt = Math.min(token.expiresAt, now);
    },
    failNext: (path: string, errcode: number, times = 1) => injected.push({ path, errcode, times }),
    /** Resolves when every callback so far was delivered; rejects with the first that failed. */
    callbacksSettled: async () => {
      while (timers.size > 0) await new Promise((wake) => setTimeout(wake, 5));
      await Promise.all(deliveries);
      if (callbackFailures.length > 0) throw callbackFailures[0];
    },
    setBaseUrl: (url: string) => (baseUrl = url),
    /** Sends results to `target` from now on (the app's URL is known only once it listens). */
    setCallback: (target: { url: string; token: string }) => {
      callback = target;
    },
    stopTimers: () => {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
    },
  };
}

export type WeChatSink = ReturnType<typeof createWeChatSinkApp>;

export interface RunningWeChatSink extends Omit<WeChatSink, 'app' | 'setBaseUrl' | 'stopTimers'> {
  endpoint: string;
  stop(): Promise<void>;
}

export async function startWeChatSink(options: WeChatSinkOptions & { port?: number }): Promise<RunningWeChatSink> {
  const { app, setBaseUrl, stopTimers, ...sink } = createWeChatSinkApp(options);
  return new Promise((resolve) => {
    const server = serve({ fetch: app.fetch, port: options.port ?? 0, hostname: '127.0.0.1' }, (info: AddressInfo) => {
      const endpoint = `http://127.0.0.1:${info.port}`;
      setBaseUrl(endpoint);
      resolve({
        ...sink,
        endpoint,
        stop: async () => {
          stopTimers();
          await new Promise<void>((done) => server.close(() => done()));
        },
      });
    });
  });
}
