/**
 * @module pages/layout
 * The frame of every page: zh-CN, readable on a cheap phone (360 px), keyboard-usable, with the
 * navigation the signed-in role may use. No front-end build: plain CSS, a little inline script.
 */
import type { Child } from 'hono/jsx';
import type { Caller, Role } from '../domain/access.js';
import { roleLabels } from '../domain/access.js';

const NAV: { href: string; label: string; roles: Role[] }[] = [
  { href: '/app/plan', label: '年度计划', roles: ['staff', 'reviewer'] },
  { href: '/app/review', label: '审核', roles: ['reviewer'] },
  { href: '/app/activities/new', label: '登记活动', roles: ['staff'] },
  { href: '/app/dashboard', label: '统计', roles: ['county', 'admin'] },
  { href: '/app/reports/duties', label: '履职情况', roles: ['county', 'admin'] },
  { href: '/app/stations', label: '广播站', roles: ['admin', 'county', 'staff'] },
  { href: '/app/station', label: '播出任务', roles: ['station'] },
  { href: '/app/outbox', label: '发件箱', roles: ['admin'] },
  { href: '/app/rollup', label: '各县汇总', roles: ['operator', 'city', 'province'] },
];

const CSS = `
*{box-sizing:border-box}body{margin:0;font-family:system-ui,"Noto Sans CJK SC","Microsoft YaHei",sans-serif;font-size:16px;line-height:1.6;color:#1f2328;background:#f6f7f9}
header{background:#8b1a1a;color:#fff;padding:.5rem 1rem;display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:center}
header a,header button{color:#fff}header .brand{font-weight:bold;font-size:1.1rem;margin-right:auto;text-decoration:none}
nav{display:flex;flex-wrap:wrap;gap:.25rem 1rem}nav a{text-decoration:none;padding:.25rem 0}nav a[aria-current=page]{border-bottom:2px solid #fff}
main{max-width:72rem;margin:0 auto;padding:1rem;overflow-wrap:break-word}h1{font-size:1.4rem;margin:.5rem 0 1rem}
.card{background:#fff;border:1px solid #d0d7de;border-radius:6px;padding:1rem;margin:0 0 1rem}
.flash{padding:.75rem 1rem;border-radius:6px;margin:0 0 1rem}.ok{background:#dafbe1;border:1px solid #4ac26b}.err{background:#ffebe9;border:1px solid #ff8182}
label{display:block;font-weight:600;margin:.5rem 0 .25rem}input,select,textarea{font:inherit;padding:.4rem .5rem;border:1px solid #8c959f;border-radius:4px;width:100%;max-width:32rem}
button,.button{font:inherit;padding:.5rem 1rem;border-radius:6px;border:1px solid #1f2328;background:#fff;cursor:pointer;text-decoration:none;color:#1f2328;display:inline-block}
button.primary{background:#1a7f37;color:#fff;border-color:#1a7f37}button.danger{background:#cf222e;color:#fff;border-color:#cf222e}
:focus-visible{outline:3px solid #0969da;outline-offset:2px}
table{border-collapse:collapse;width:100%;background:#fff}th,td{border:1px solid #d0d7de;padding:.35rem .5rem;text-align:left}th{background:#f0f2f4}
.state{font-size:.85rem;padding:0 .4rem;border-radius:1rem;background:#eaeef2;white-space:nowrap}
.muted{color:#59636e}.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(15rem,1fr));gap:1rem}
.keydate{background:#fff8c5;border-left:4px solid #bf8700;padding:.1rem .4rem}
.holidays li{font-size:.9rem}.holiday{color:#a40e26}.holiday::before{content:"休 ";font-weight:bold}.makeup-workday{color:#59636e}.makeup-workday::before{content:"班 ";font-weight:bold}
.totals{display:grid;grid-template-columns:repeat(auto-fit,minmax(9rem,1fr));gap:.75rem}.totals div{background:#fff;border:1px solid #d0d7de;border-radius:6px;padding:.75rem}
.totals strong{display:block;font-size:1.6rem}
.script{font-size:1.35rem;line-height:1.8}.big{font-size:1.3rem;padding:.9rem 1.2rem;width:100%}
@media (max-width:480px){main{padding:.5rem}header{padding:.5rem}}
`;

export function Layout(props: { title: string; caller?: Caller | undefined; path?: string; children?: Child; flash?: { kind: 'ok' | 'err'; text: string } | undefined }) {
  const links = props.caller ? NAV.filter((item) => props.caller && item.roles.includes(props.caller.role)) : [];
  return (
    <html lang="zh-CN">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${props.title} · 普法宣传排期`}</title>
        {/* The style sheet is a constant of this module: raw, as text children would be HTML-escaped (quotes and ">" broke its rules). */}
        <style dangerouslySetInnerHTML={{ __html: CSS }} />
      </head>
      <body>
        <header>
          <a class="brand" href="/app">普法宣传排期</a>
          {links.length > 0 && (
            <nav aria-label="主导航">
              {links.map((item) => (
                <a href={item.href} aria-current={props.path === item.href ? 'page' : undefined}>
                  {item.label}
                </a>
              ))}
            </nav>
          )}
          {props.caller && (
            <form method="post" action="/app/logout" style="margin:0">
              <span class="muted" style="color:#f3d6d6;margin-right:.5rem">
                {props.caller.name}（{roleLabels[props.caller.role]}）
              </span>
              <button type="submit" style="background:transparent;border-color:#fff;padding:.2rem .6rem">退出</button>
            </form>
          )}
        </header>
        <main>
          <h1>{props.title}</h1>
          {props.flash && (
            <div class={`flash ${props.flash.kind}`} role={props.flash.kind === 'err' ? 'alert' : 'status'}>
              {props.flash.text}
            </div>
          )}
          {props.children}
        </main>
      </body>
    </html>
  );
}

export function StateBadge(props: { label: string }) {
  return <span class="state">{props.label}</span>;
}
