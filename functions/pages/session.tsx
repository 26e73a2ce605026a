/**
 * @module pages/session
 * Signing in to the web pages: the access token goes into an HttpOnly, SameSite=Strict cookie
 * (Secure over HTTPS), so page scripts never see it and other sites cannot send it. Page routes
 * declare the roles they serve; anyone else is sent to sign in (no session) or told no (wrong role).
 */
import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { createMiddleware } from 'hono/factory';
import { callerFromToken, hashTokenSecret, looksLikeTokenSecret, type Caller, type Role } from '../domain/access.js';
import { DomainError } from '../domain/errors.js';
import { SESSION_COOKIE } from '../http/auth.js';
import type { AppEnv } from '../http/env.js';
import { Layout } from './layout.js';

/** A working day: long enough for a shift, short enough that a forgotten phone logs itself out. */
const SESSION_SECONDS = 12 * 3600;

export async function resolveSecret(c: Context<AppEnv>, secret: string | undefined): Promise<Caller | undefined> {
  if (!secret || !looksLikeTokenSecret(secret)) return undefined;
  const record = await c.var.deps.store.tokens.findBySecretHash(await hashTokenSecret(secret));
  try {
    return callerFromToken(record, c.var.deps.clock());
  } catch (error) {
    if (error instanceof DomainError) return undefined; // unknown, revoked or expired: not signed in
    throw error;
  }
}

export function startSession(c: Context<AppEnv>, secret: string): void {
  setCookie(c, SESSION_COOKIE, secret, {
    httpOnly: true,
    sameSite: 'Strict',
    secure: new URL(c.req.url).protocol === 'https:' || c.req.header('x-forwarded-proto') === 'https',
    path: '/',
    maxAge: SESSION_SECONDS,
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
};

export function pageFor(...roles: Role[]) {
  return createMiddleware<AppEnv>(async function pageAuth(c, next) {
    const caller = await resolveSecret(c, getCookie(c, SESSION_COOKIE));
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
    await next();
  });
}
