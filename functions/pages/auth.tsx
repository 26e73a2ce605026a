/**
 * @module pages/auth
 * Sign in with an access token (which opens a server-side session), sign out (which ends it).
 */
import { Hono } from 'hono';
import { z } from 'zod';
import type { AppEnv } from '../http/env.js';
import { signIn, signOut } from '../workflows/sessions.js';
import { Layout } from './layout.js';
import { endSession, homeOf, sessionCaller, sessionDeps, sessionSecret, startSession } from './session.js';

const nextSchema = z.string().regex(/^\/app(\/[A-Za-z0-9_\-/~.]*)?$/).catch('');

function LoginPage(props: { next: string; error?: string }) {
  return (
    <Layout title="登录" flash={props.error ? { kind: 'err', text: props.error } : undefined}>
      <form method="post" action="/app/login" class="card">
        <input type="hidden" name="next" value={props.next} />
        <label for="token">访问令牌</label>
        <input id="token" name="token" type="password" autocomplete="off" required placeholder="pufa_…" aria-describedby="token-help" />
        <p id="token-help" class="muted">
          令牌由系统管理员发放（本机演示时在启动 <code>npm start</code> 的终端里可以看到管理员令牌）。
        </p>
        <button type="submit" class="primary">
          登录
        </button>
      </form>
    </Layout>
  );
}

export function authPages() {
  const pages = new Hono<AppEnv>();
  pages.get('/login', (c) => c.html(<LoginPage next={nextSchema.parse(c.req.query('next') ?? '')} />));
  pages.post('/login', async (c) => {
    const form = await c.req.parseBody();
    const token = typeof form.token === 'string' ? form.token.trim() : '';
    const next = nextSchema.parse(typeof form.next === 'string' ? form.next : '');
    const signedIn = await signIn(sessionDeps(c), token);
    if (!signedIn) {
      return c.html(<LoginPage next={next} error="令牌无效、已撤销或已过期。请核对后重试，或向系统管理员申请新令牌。" />, 401);
    }
    startSession(c, signedIn.secret, signedIn.session.expiresAt);
    return c.redirect(next || homeOf[signedIn.caller.role], 303);
  });
  pages.post('/logout', async (c) => {
    await signOut(sessionDeps(c), sessionSecret(c));
    endSession(c);
    return c.redirect('/app/login', 303);
  });
  pages.get('/', async (c) => {
    const caller = await sessionCaller(c);
    return c.redirect(caller ? homeOf[caller.role] : '/app/login', 303);
  });
  return pages;
}
