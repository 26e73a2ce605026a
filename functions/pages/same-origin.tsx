/**
 * @module pages/same-origin
 * Every unsafe request to the pages (a form post, the composer's preview, signing out) must come
 * from a page of this very origin: the browser says so in `Sec-Fetch-Site: same-origin` or in an
 * `Origin` equal to ours. Unlike hono/csrf, which looks only at form-like bodies, this holds for any
 * body or none, so a body-less post from another port of the same host (same site, so the
 * SameSite=Strict cookie goes along) is refused too.
 */
import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../http/env.js';
import { Layout } from './layout.js';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function sameOriginOnly() {
  return createMiddleware<AppEnv>(async function sameOrigin(c, next) {
    if (SAFE_METHODS.has(c.req.method)) return next();
    const fromThisOrigin = c.req.header('Sec-Fetch-Site') === 'same-origin' || c.req.header('Origin') === new URL(c.req.url).origin;
    if (!fromThisOrigin) {
      return c.html(
        <Layout title="请求被拒绝">
          <div class="flash err" role="alert">
            这个请求不是从本系统的页面发出的，已被拒绝，什么也没有改动。请回到<a href="/app">本系统的页面</a>重新操作。
          </div>
        </Layout>,
        403,
      );
    }
    return next();
  });
}
