/**
 * @module pages/station
 * The station's page (村村通广播站): today's and upcoming scripts in air order, in large text for a
 * cheap phone, and one large button to confirm each airing. Works on a 360-pixel-wide screen.
 */
import { Hono } from 'hono';
import { deliveryIdSchema } from '../domain/delivery.js';
import { Conflict, NotFound } from '../domain/errors.js';
import { utcToLocal } from '../domain/schedule.js';
import type { AppEnv } from '../http/env.js';
import { confirmAiring, scriptsOfStation } from '../workflows/stations.js';
import { Recording, recordingLinks } from './recording.js';
import { Layout } from './layout.js';
import { pageFor } from './session.js';

export function stationPages() {
  const pages = new Hono<AppEnv>();
  pages.use('/station', pageFor('station'));
  pages.use('/station/*', pageFor('station'));

  pages.get('/station', async (c) => {
    const { store, clock, config } = c.var.deps;
    const caller = c.var.caller;
    const stationId = caller.stationId ?? '';
    const now = clock();
    const scripts = await scriptsOfStation({ store, config, now }, caller.county, stationId);
    // Each recording on a fresh link: the page is opened, the MP3 played or saved for the loudspeaker.
    const links = await recordingLinks(c.var.deps.speech, scripts.map((script) => script.script?.audio));
    const today = utcToLocal(now.toISOString(), config.timeZone).slice(0, 10);
    const done = c.req.query('done') === '1';
    return c.html(
      <Layout title="播出任务" caller={caller} path="/app/station" flash={done ? { kind: 'ok', text: '已记录本次播出，谢谢！' } : undefined}>
        {scripts.length === 0 ? (
          <div class="card">
            <p>目前没有待播出的稿件。</p>
            <p class="muted">新稿件审核排期后会出现在这里；请每天打开一次本页，县里就知道本站在线。</p>
          </div>
        ) : (
          scripts.map((script) => {
            const local = utcToLocal(script.scheduledAt, config.timeZone);
            const day = local.slice(0, 10) === today ? '今天' : local.slice(0, 10);
            return (
              <article class="card" aria-labelledby={`t-${script.sendIndex}-${script.noticeId}`}>
                <h2 id={`t-${script.sendIndex}-${script.noticeId}`} style="font-size:1.15rem;margin:0 0 .5rem">
                  {day} {local.slice(11, 16)} 播出{script.script?.title ? `：${script.script.title}` : ''}
                </h2>
                <p class="muted">
                  播出时段：{(script.script?.airWindows ?? []).map((window) => `${window.from}–${window.to}`).join('、')}；重复 {script.script?.repeats ?? 1} 遍
                </p>
                <p class="script">{script.script?.text}</p>
                {script.script?.audio && links.get(script.script.audio.key) && <Recording audio={script.script.audio} url={links.get(script.script.audio.key) ?? ''} label="审核通过的录音" />}
                {script.state === 'aired' ? (
                  <p class="flash ok">已于 {utcToLocal(script.airedAt ?? script.updatedAt, config.timeZone).replace('T', ' ')} 确认播出</p>
                ) : (
                  <form method="post" action={`/app/station/aired/${script.id}`}>
                    <button type="submit" class="primary big">
                      已播出，确认
                    </button>
                  </form>
                )}
              </article>
            );
          })
        )}
      </Layout>,
    );
  });

  pages.post('/station/aired/:id', async (c) => {
    const { store, clock, config } = c.var.deps;
    const caller = c.var.caller;
    const id = deliveryIdSchema.safeParse(c.req.param('id'));
    const problem = (text: string, status: 404 | 409) =>
      c.html(
        <Layout title="播出任务" caller={caller} flash={{ kind: 'err', text }}>
          <a class="button" href="/app/station">
            返回播出任务
          </a>
        </Layout>,
        status,
      );
    if (!id.success) return problem('找不到这份稿件：它可能已取消。请刷新本页查看最新的播出任务。', 404);
    try {
      await confirmAiring({ store, config, now: clock() }, caller.county, caller.stationId ?? '', id.data);
    } catch (error) {
      if (error instanceof NotFound) return problem('找不到这份稿件：它可能已取消。请刷新本页查看最新的播出任务。', 404);
      if (error instanceof Conflict) return problem('这份稿件已暂停或取消，不需要再播出。请刷新本页查看最新的播出任务。', 409);
      throw error;
    }
    return c.redirect('/app/station?done=1', 303);
  });
  return pages;
}
