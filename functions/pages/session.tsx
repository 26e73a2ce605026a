/**
 * @module pages/session
 * The web pages' session cookie: a session secret of its own (never the access token), in an
 * HttpOnly, SameSite=Strict cookie (Secure over HTTPS) that page scripts cannot read. The session
 * lives on the server (workflows/sessions): signing out or revoking the token ends it. Page routes
 * declare the roles they serve; anyone else is sent to sign in (no session) or told no (wrong role).
 */
import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { createMiddleware } from 'hono/factory';
import type { Caller, Role } from '../domain/access.js';
import type { AppEnv } from '../http/env.js';
import { depsForCaller } from '../http/county-scope.js';
import { callerOfSession, type SessionDeps } from '../workflows/sessions.js';
import { Layout } from './layout.js';

export const SESSION_COOKIE = 'pufa_session';

export function sessionDeps(c: Context<AppEnv>): SessionDeps {
  return { store: c.var.deps.store, config: c.var.deps.config, now: c.var.deps.clock() };
}

/** The caller behind this request's session cookie, or undefined when there is no live session. */
export function sessionCaller(c: Context<AppEnv>): Promise<Caller | undefined> {
  return callerOfSession(sessionDeps(c), getCookie(c, SESSION_COOKIE));
}

export function sessionSecret(c: Context<AppEnv>): string | undefined {
  return getCookie(c, SESSION_COOKIE);
}

export function startSession(c: Context<AppEnv>, secret: string, expiresAt: string): void {
  setCookie(c, SESSION_COOKIE, secret, {
    httpOnly: true,
    sameSite: 'Strict',
    secure: new URL(c.req.url).protocol === 'https:' || c.req.header('x-forwarded-proto') === 'https',
    path: '/',
    // The browser forgets the cookie when the server forgets the session.
    maxAge: Math.max(0, Math.floor((Date.parse(expiresAt) - c.var.deps.clock().getTime()) / 1000)),
  });
}

export function endSession(c: Context<AppEnv>): void {
  deleteCookie(c, SESSION_COOKIE, { path: '/' });
}

/** Where each role starts. */
export const homeOf: Record<Role, string> = {
  staff: '/app/plan',
  reviewer: '/app/review',
  station: '/app/station',
  county: '/app/dashboard',
  admin: '/app/dashboard',
  operator: '/app/rollup',
  city: '/app/rollup',
  province: '/app/rollup',
};

export function pageFor(...roles: Role[]) {
  return createMiddleware<AppEnv>(async function pageAuth(c, next) {
    const caller = await sessionCaller(c);
    if (!caller) return c.redirect(`/app/login?next=${encodeURIComponent(new URL(c.req.url).pathname)}`, 303);
    if (!roles.includes(caller.role)) {
      return c.html(
        <Layout title="无权访问" caller={caller}>
          <div class="flash err" role="alert">
            当前身份无权打开此页面。请返回<a href={homeOf[caller.role]}>您的首页</a>，或退出后用有权限的令牌登录。
          </div>
        </Layout>,
        403,
      );
    }
    c.set('caller', caller);
    c.set('deps', await depsForCaller(c.var.deps, caller));
    await next();
  });
}
