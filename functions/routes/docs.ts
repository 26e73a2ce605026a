/**
 * @module routes/docs
 * `GET /openapi.json` is generated from the routes' own zod schemas; `GET /docs` renders that
 * same document as a page, on the server, so it works with no CDN and no script. The app mounts
 * these lazily: the document needs every route group (routes/groups), so they are all imported then.
 */
import type { OpenAPIHono } from '@hono/zod-openapi';
import { html } from 'hono/html';
import type { AppEnv } from '../http/env.js';
import { problemTypes } from '../http/problem.js';
import { BEARER_SCHEME } from '../http/route.js';
import { newRouter } from '../http/router.js';
import { allRouteGroups } from './groups.js';

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

/** `/openapi.json` and `/docs`, describing every route group. */
export async function docsRoutes(version: string): Promise<OpenAPIHono<AppEnv>> {
  const app = newRouter();
  app.route('/', await allRouteGroups());
  app.openAPIRegistry.registerComponent('securitySchemes', BEARER_SCHEME, {
    type: 'http',
    scheme: 'bearer',
    description: 'An access token issued by an admin (`POST /tokens`) or by `npm run token -- create`.',
  });

  const documentConfig = {
    openapi: '3.1.0',
    info: {
      title: 'pufa 普法宣传排期 API',
      version,
      description: 'Plans, reviews and sends county legal-publicity campaigns. Errors are application/problem+json.',
    },
  };

  app.doc31('/openapi.json', documentConfig);

  app.get('/docs', (c) => {
    const document = app.getOpenAPI31Document(documentConfig);
    const operations = Object.entries(document.paths ?? {}).flatMap(([path, item]) =>
      METHODS.flatMap((method) => {
        const operation = item?.[method];
        if (!operation) return [];
        const rolesValue: unknown = (operation as Record<string, unknown>)['x-pufa-roles'];
        const roles = Array.isArray(rolesValue) ? rolesValue.join(', ') : String(rolesValue ?? 'public');
        return [{ method: method.toUpperCase(), path, summary: operation.summary ?? '', roles, tag: operation.tags?.[0] ?? '' }];
      }),
    );
    return c.html(html`<!doctype html>
<html lang="zh-CN">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>pufa API 文档</title>
<style>
body{font-family:system-ui,"Noto Sans CJK SC",sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;line-height:1.5}
table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ddd;padding:.4rem;text-align:left;vertical-align:top}
code{background:#f4f4f4;padding:0 .2rem}.m{font-weight:bold;font-family:monospace}
</style></head>
<body>
<h1>pufa API 文档 <small>v${version}</small></h1>
<p>机器可读的 OpenAPI 3.1 文档：<a href="/openapi.json">/openapi.json</a>。除 <code>/health</code>、<code>/docs</code> 外，所有接口都需要请求头 <code>Authorization: Bearer pufa_…</code>。</p>
<h2>接口</h2>
<table><thead><tr><th>方法</th><th>路径</th><th>说明</th><th>允许的角色</th><th>分组</th></tr></thead><tbody>
${operations.map(
  (op) => html`<tr><td class="m">${op.method}</td><td><code>${op.path}</code></td><td>${op.summary}</td><td>${op.roles}</td><td>${op.tag}</td></tr>`,
)}
</tbody></table>
<h2>错误类型</h2>
<p>所有错误均以 <code>application/problem+json</code> 返回，包含 <code>type</code>、<code>title</code>、<code>status</code>、<code>detail</code>、<code>requestId</code>；输入错误另含 <code>errors</code>，逐项指出字段。</p>
<table><thead><tr><th>type</th><th>状态码</th><th>含义</th></tr></thead><tbody>
${Object.entries(problemTypes).map(
  ([type, { status, title }]) => html`<tr id="problem-${type}"><td><code>${type}</code></td><td>${status}</td><td>${title}</td></tr>`,
)}
</tbody></table>
</body></html>`);
  });
  return app;
}
