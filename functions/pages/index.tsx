/**
 * @module pages
 * The web pages, mounted at /app on the same Hono app as the API. Every unsafe request is checked
 * for a same-origin request (./same-origin), on top of the SameSite=Strict session cookie; the
 * session cookie is honoured here only, never by the API.
 */
import { Hono } from 'hono';
import { Unavailable } from '../domain/errors.js';
import type { AppEnv } from '../http/env.js';
import { errorFields } from '../http/logger.js';
import { Layout } from './layout.js';
import { activityPages } from './activities.js';
import { authPages } from './auth.js';
import { campaignPages } from './campaign.js';
import { dashboardPages } from './dashboard.js';
import { dutyReportPages } from './duty-report.js';
import { outboxPages } from './outbox.js';
import { planPages } from './plan.js';
import { reviewPages } from './review.js';
import { rollupPages } from './rollup.js';
import { sameOriginOnly } from './same-origin.js';
import { stationPages } from './station.js';
import { stationListPages } from './stations.js';

export function webPages() {
  const pages = new Hono<AppEnv>();
  pages.use(sameOriginOnly());
  pages.route('/', authPages());
  pages.route('/', stationPages());
  pages.route('/', stationListPages());
  pages.route('/', reviewPages());
  pages.route('/', dashboardPages());
  pages.route('/', dutyReportPages());
  pages.route('/', rollupPages());
  pages.route('/', planPages());
  pages.route('/', activityPages());
  pages.route('/', campaignPages());
  pages.route('/', outboxPages());
  // A person at a page gets a page, in Chinese, when the database does not answer; every other
  // error goes on to the app's handler (problem+json, logged there).
  pages.onError(function unavailablePage(error, c) {
    if (!(error instanceof Unavailable)) throw error;
    c.var.deps.logger.error('dependency unavailable', { requestId: c.var.requestId, ...errorFields(error) });
    return c.html(
      <Layout title="服务暂时不可用">
        <div class="flash err" role="alert">
          数据库暂时无法连接，本次请求没有完成（提交的内容没有保存）。请稍等片刻（约 {error.retryAfterSeconds} 秒）后刷新页面重试；如果一直如此，请联系系统管理员。
        </div>
        <p class="muted" style="font-size:.85rem">
          请求编号 {c.var.requestId}（{error.message}）
        </p>
      </Layout>,
      503,
      { 'Retry-After': String(error.retryAfterSeconds) },
    );
  });
  return pages;
}
