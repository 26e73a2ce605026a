/**
 * @module routes/wechat
 * `GET|POST /wechat/callback`: the URL set in the official account's 服务器配置. WeChat checks it
 * with a GET (echo `echostr` back) and then POSTs its events there, each signed with the Token
 * set beside it (signature = SHA-1 of the sorted token, timestamp and nonce). pufa answers only a
 * request whose signature matches, whose timestamp is within five minutes, and whose
 * (timestamp, nonce) it has not seen before; anything else is 401 and changes nothing.
 *
 * Of the events, pufa reads MASSSENDJOBFINISH: a mass send's result (sent and error counts),
 * applied to its delivery, the notice's counters and the tallies. Every other event or message
 * is answered "success" and left alone (pufa holds no conversation with followers).
 */
import { z } from 'zod';
import { Invalid, Unauthenticated } from '../domain/errors.js';
import { checkWeChatCallback, messageKind, parseMassSendJobFinish } from '../domain/wechat-callback.js';
import { signedLinkRoute } from '../http/route.js';
import { newRouter } from '../http/router.js';
import type { AppDeps } from '../http/env.js';

const signedQuery = z.object({
  signature: z.string().max(64).optional(),
  timestamp: z.string().max(20).optional(),
  nonce: z.string().max(64).optional(),
});

const description =
  'Signed by WeChat with the account’s callback Token (signature, timestamp, nonce in the query); a forged, stale or replayed request gets 401. Set this URL and the Token in 公众号 → 设置与开发 → 基本配置 → 服务器配置 (明文模式).';

const verifyRoute = signedLinkRoute({
  method: 'get',
  path: '/wechat/callback',
  tags: ['wechat'],
  summary: 'WeChat’s check of the server URL: echoes echostr when the signature matches',
  description,
  request: { query: signedQuery.extend({ echostr: z.string().max(200).optional() }) },
  responses: { 200: { description: 'echostr, as WeChat asks', content: { 'text/plain': { schema: z.string() } } } },
});

const eventRoute = signedLinkRoute({
  method: 'post',
  path: '/wechat/callback',
  tags: ['wechat'],
  summary: 'WeChat’s events: a mass send’s result (MASSSENDJOBFINISH) is applied to its send and the tallies',
  description,
  request: { query: signedQuery.extend({ openid: z.string().max(64).optional(), encrypt_type: z.string().max(20).optional() }) },
  responses: { 200: { description: '"success", as WeChat asks', content: { 'text/plain': { schema: z.string() } } } },
});

/** The callback's signature and freshness, then its nonce remembered: a replay is refused here. */
async function checkSigned(deps: AppDeps, query: z.infer<typeof signedQuery>): Promise<void> {
  const channel = deps.wechat ? await deps.wechat() : undefined;
  if (!channel) throw new Unauthenticated('No WeChat account is configured here, so no callback can be verified.');
  const { signature = '', timestamp = '', nonce = '' } = query;
  const now = deps.clock();
  checkWeChatCallback({ token: channel.callbackToken, signature, timestamp, nonce }, now);
  if (!(await deps.store.wechatNonces.remember(deps.config.county, nonce, timestamp, now))) {
    throw new Unauthenticated('This WeChat callback was received before (same timestamp and nonce): a replay is not applied twice.');
  }
}

export function wechatRoutes() {
  return newRouter()
    .openapi(verifyRoute, async (c) => {
      const query = c.req.valid('query');
      await checkSigned(c.var.deps, query);
      return c.text(query.echostr ?? '', 200);
    })
    .openapi(eventRoute, async (c) => {
      const deps = c.var.deps;
      const query = c.req.valid('query');
      await checkSigned(deps, query);
      try {
        await applyEvent(deps, query, await c.req.text());
        return c.text('success', 200);
      } catch (error) {
        // Nothing was applied: WeChat's retry of this very request (same timestamp and nonce) must be let in.
        await deps.store.wechatNonces.forget(deps.config.county, query.nonce ?? '', query.timestamp ?? '');
        throw error;
      }
    });
}

/** Applies a mass send's result; any other event or message is left alone (WeChat hears "success" either way). */
async function applyEvent(deps: AppDeps, query: { encrypt_type?: string | undefined }, xml: string): Promise<void> {
  if (query.encrypt_type !== undefined && query.encrypt_type !== 'raw') {
    throw new Invalid('pufa reads WeChat’s events in plaintext mode (明文模式) only: set 消息加解密方式 to 明文模式 in 服务器配置.', [{ field: 'query.encrypt_type', message: `"${query.encrypt_type}" is not read; use 明文模式` }]);
  }
  const { msgType, event } = messageKind(xml);
  if (msgType !== 'event' || event !== 'MASSSENDJOBFINISH') return;
  const finish = parseMassSendJobFinish(xml);
  const county = deps.config.county;
  const now = deps.clock();
  await deps.store.wechatSends.recordResult(
    county,
    {
      msgId: finish.msgId,
      status: finish.status,
      totalCount: finish.totalCount,
      filterCount: finish.filterCount,
      sentCount: finish.sentCount,
      errorCount: finish.errorCount,
      finishedAt: new Date(finish.createTime * 1000).toISOString(),
    },
    now,
  );
  const applied = await deps.store.wechatSends.applyResult(county, finish.msgId, now);
  deps.logger.info('WeChat mass send finished', { msgId: finish.msgId, status: finish.status, sentCount: finish.sentCount, errorCount: finish.errorCount, applied: applied.kind });
}
