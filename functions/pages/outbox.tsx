/**
 * @module pages/outbox
 * The outbox (admin, local mode): every SMS and station push the local SNS sink accepted, newest
 * first, numbers masked, times in the county's zone; and the WeChat mass sends the local WeChat
 * stand-in took. In AWS there is no sink, and the page says so.
 */
import { Hono } from 'hono';
import { maskPhone } from '../domain/phone.js';
import { forPeople } from '../domain/schedule.js';
import type { AppEnv } from '../http/env.js';
import type { WeChatMassSend as WeChatMassSendEntry } from '../wechat/types.js';
import { Layout } from './layout.js';
import { pageFor } from './session.js';

/** A page, not an archive: the newest messages are what a demo or a developer checks. */
const SHOWN = 200;

/** A station push carries its script as JSON; anything else is shown as it came. */
function scriptText(message: string): string {
  try {
    const parsed: unknown = JSON.parse(message);
    return typeof parsed === 'object' && parsed !== null && 'text' in parsed && typeof parsed.text === 'string' ? parsed.text : message;
  } catch {
    return message;
  }
}

const MASS_SEND_STATUS: Record<WeChatMassSendEntry['status'], string> = { SENDING: '发送中', SEND_SUCCESS: '发送成功', SEND_FAIL: '发送失败' };

/** An article's title as the stand-in kept it (WeChat's draft fields, untyped there). */
const articleTitle = (article: Record<string, unknown>) => (typeof article.title === 'string' ? article.title : '（无标题）');

function WeChatMassSends(props: { sends: readonly WeChatMassSendEntry[]; timeZone: string }) {
  return (
    <section aria-labelledby="wechat-outbox-title" style="margin-top:1.5rem">
      <h2 id="wechat-outbox-title" style="font-size:1.15rem">
        微信公众号群发（本地模拟）
      </h2>
      {props.sends.length === 0 ? (
        <div class="card">
          <p>还没有群发任何微信公众号文章。</p>
        </div>
      ) : (
        <table id="wechat-outbox">
          <thead>
            <tr>
              <th scope="col">提交时间（本地时间，{props.timeZone}）</th>
              <th scope="col">发给</th>
              <th scope="col">文章</th>
              <th scope="col">状态</th>
              <th scope="col">人数</th>
            </tr>
          </thead>
          <tbody>
            {props.sends.map((send) => (
              <tr>
                <td>{forPeople(send.submittedAt, props.timeZone)}</td>
                <td>{send.toAll || send.tagId === undefined ? '全部粉丝' : `标签 ${send.tagId}`}</td>
                <td>{send.articles.map((article) => `《${articleTitle(article)}》`).join('、')}</td>
                <td>
                  {MASS_SEND_STATUS[send.status]}
                  {send.awaitingConfirmation && <div class="muted">等待管理员在微信中确认（群发保护）</div>}
                </td>
                <td>
                  共 {send.totalCount}，过滤后 {send.filterCount}，送达 {send.sentCount}，失败 {send.errorCount}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

export function outboxPages() {
  const pages = new Hono<AppEnv>();
  pages.use('/outbox', pageFor('admin'));

  pages.get('/outbox', (c) => {
    const { outbox, wechatOutbox, config } = c.var.deps;
    const entries = [...(outbox?.list() ?? [])].reverse().slice(0, SHOWN);
    const massSends = [...(wechatOutbox?.list() ?? [])].reverse().slice(0, SHOWN);
    return c.html(
      <Layout title="发件箱（本地模式）" caller={c.var.caller} path="/app/outbox">
        {!outbox ? (
          <div class="card">发件箱只在本地模式（npm start）下提供：此服务器通过 Amazon SNS 真实发送，请在 AWS 控制台查看发送记录。</div>
        ) : entries.length === 0 ? (
          <div class="card">
            <p>还没有发出任何短信或广播推送。</p>
            <p class="muted">审核通过并排期的内容到点后会出现在这里。</p>
          </div>
        ) : (
          <table>
            <thead>
              <tr>
                <th scope="col">时间（本地时间，{config.timeZone}）</th>
                <th scope="col">类型</th>
                <th scope="col">接收方</th>
                <th scope="col">内容</th>
              </tr>
            </thead>
            <tbody>
              {entries.map((entry) => (
                <tr>
                  <td>{forPeople(entry.receivedAt, config.timeZone)}</td>
                  <td>{entry.kind === 'sms' ? '短信' : '广播推送'}</td>
                  <td>{entry.phoneNumber ? maskPhone(entry.phoneNumber, 'admin') : (entry.attributes.station ?? '')}</td>
                  <td>{entry.kind === 'sms' ? entry.message : scriptText(entry.message)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {wechatOutbox && <WeChatMassSends sends={massSends} timeZone={config.timeZone} />}
      </Layout>,
    );
  });
  return pages;
}
