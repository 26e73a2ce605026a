/**
 * @module pages/campaign
 * A campaign (staff): its notices and their states, submit for review and schedule; and a notice
 * composer with a live SMS segment and cost counter, broadcast reading time and the schedule
 * preview with quiet-hour moves — computed by the same preview the API offers.
 */
import { Hono, type Context } from 'hono';
import { idSchema } from '../domain/access.js';
import { DomainError, Invalid, NotFound } from '../domain/errors.js';
import { noticeInputSchema, noticeStateLabels } from '../domain/planning.js';
import type { AppEnv } from '../http/env.js';
import { fieldProblems } from '../http/problem.js';
import { actOnNotice, createNotice, evaluate } from '../workflows/notices.js';
import { Layout, StateBadge } from './layout.js';
import { explainRefusal, helpFor, helpJson, ProblemList } from './problems.js';
import { pageFor } from './session.js';

/**
 * Reads the composer into a notice and asks the page's preview (below, same answer as the API's
 * preview, but authenticated by the page session and its same-origin check); shows it as text.
 */
const COMPOSER_SCRIPT = `
(function(){
  var form=document.getElementById('composer'); if(!form) return;
  var HELP=JSON.parse(document.getElementById('field-help').textContent);
  function help(path){path=path.replace(/^body\\./,'');var best='';Object.keys(HELP).forEach(function(k){if((path===k||path.indexOf(k+'.')===0)&&k.length>best.length)best=k;});return best?HELP[best]:{label:path,todo:'请检查这一项。'};}
  function advice(path){var h=help(path);return h.label+'：'+h.todo;}
  var out=document.getElementById('preview'); var timer;
  function val(n){var e=form.elements[n];return e?e.value.trim():'';}
  function notice(){
    var channel=form.querySelector('input[name=channel]:checked').value;
    var kind=val('scheduleKind');
    var schedule=kind==='fixed'?{kind:kind,at:val('at')}:kind==='key-date'?{kind:kind,days:Number(val('days')),at:val('time')}:{kind:kind,rule:val('rule'),at:val('time')||undefined};
    var sel=function(n){return Array.prototype.map.call(form.elements[n].selectedOptions,function(o){return o.value;});};
    var audience={all:form.elements.all.checked,townships:sel('townships'),villages:sel('villages'),groups:channel==='sms'?sel('groups'):[]};
    var body={channel:channel,audience:audience,schedule:schedule};
    if(channel==='sms'){body.sms={body:val('body')};}else{body.broadcast={script:val('script'),airWindows:[{from:val('airFrom'),to:val('airTo')}],repeats:Number(val('repeats')||1)};}
    return body;
  }
  function show(lines){out.textContent='';lines.forEach(function(l){var p=document.createElement('p');p.textContent=l;out.appendChild(p);});}
  function update(){
    document.getElementById('sms-fields').hidden=form.querySelector('input[name=channel]:checked').value!=='sms';
    document.getElementById('broadcast-fields').hidden=form.querySelector('input[name=channel]:checked').value==='sms';
    fetch(form.dataset.preview,{method:'POST',credentials:'same-origin',headers:{'Content-Type':'application/json'},body:JSON.stringify(notice())})
      .then(function(r){return r.json().then(function(j){return {ok:r.ok,j:j};});})
      .then(function(res){
        var j=res.j,lines=[];
        if(!res.ok){(j.errors||[]).forEach(function(e){var a='待完善 '+advice(e.field);if(lines.indexOf(a)<0)lines.push(a);});show(lines.length?lines:['请继续填写']);return;}
        if(j.sms){lines.push('短信 '+j.sms.segments.segments+' 条计费（'+j.sms.segments.units+' 字符，'+j.sms.segments.encoding+'），每人约 ¥'+j.sms.costPerRecipient.toFixed(3));lines.push('实际发送：'+j.sms.text);}
        if(j.broadcast){lines.push('朗读约 '+j.broadcast.readingSeconds+' 秒，共 '+j.broadcast.totalSeconds+' 秒');}
        (j.sends||[]).forEach(function(s){lines.push('发送时间 '+s.local.replace('T',' ')+(s.movedFrom?'（原定 '+s.movedFrom.replace('T',' ')+'，避开免打扰时段）':''));});
        (j.problems||[]).forEach(function(p){lines.push('问题 '+advice(p.path.join('.'))+'（'+p.message+'）');});
        (j.warnings||[]).forEach(function(w){lines.push('提醒：'+w);});
        show(lines);
      }).catch(function(){show(['预览暂时不可用，保存时仍会检查。']);});
  }
  form.addEventListener('input',function(){clearTimeout(timer);timer=setTimeout(update,300);});
  form.addEventListener('change',function(){clearTimeout(timer);timer=setTimeout(update,100);});
  update();
})();`;

type Values = Record<string, string | string[]>;

async function page(c: Context<AppEnv>, values: Values = {}, flash?: { kind: 'ok' | 'err'; text: string }, problems: { field: string; message: string }[] = [], status: 200 | 400 | 403 | 404 | 409 | 503 = 200) {
  const { store } = c.var.deps;
  const county = c.var.caller.county;
  const id = idSchema.safeParse(c.req.param('id'));
  const campaign = id.success ? await store.campaigns.get(county, id.data) : undefined;
  if (!campaign) {
    return c.html(
      <Layout title="未找到活动" caller={c.var.caller} flash={{ kind: 'err', text: '没有这个宣传活动。请从年度计划进入。' }}>
        <a class="button" href="/app/plan">返回年度计划</a>
      </Layout>,
      404,
    );
  }
  const [notices, registry] = await Promise.all([store.notices.listByCampaign(county, campaign.id), store.plans.getRegistry(county)]);
  const one = (name: string, fallback = '') => (typeof values[name] === 'string' ? (values[name] as string) : fallback);
  const many = (name: string) => [values[name] ?? []].flat();
  const base = `/app/campaigns/${campaign.id}`;
  return c.html(
    <Layout title={campaign.title} caller={c.var.caller} path="/app/plan" flash={flash}>
      <p class="muted">
        {campaign.window.start} 至 {campaign.window.end}
        {campaign.keyDate ? ` · 节点 ${campaign.keyDate}` : ''} · {campaign.state === 'cancelled' ? '已取消' : '进行中'}
      </p>
      <h2 style="font-size:1.15rem">内容</h2>
      {notices.length === 0 ? (
        <p class="card">还没有内容。用下面的表单撰写第一条短信或广播稿。</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">内容</th>
              <th scope="col">渠道</th>
              <th scope="col">状态</th>
              <th scope="col">操作</th>
            </tr>
          </thead>
          <tbody>
            {notices.map((notice) => (
              <tr>
                <td>
                  {notice.title ?? notice.id}
                  <div class="muted">{notice.channel === 'sms' ? (notice.sms.body ?? `模板 ${notice.sms.template ?? ''}`) : notice.broadcast.script}</div>
                  {notice.review.reason && <div class="flash err">退回理由：{notice.review.reason}</div>}
                </td>
                <td>{notice.channel === 'sms' ? '短信' : '广播'}</td>
                <td>
                  <StateBadge label={noticeStateLabels[notice.state]} />
                </td>
                <td>
                  {(notice.state === 'draft' || notice.state === 'rejected') && (
                    <form method="post" action={`${base}/notices/${notice.id}/submit`}>
                      <button type="submit">提交审核</button>
                    </form>
                  )}
                  {notice.state === 'approved' && (
                    <form method="post" action={`${base}/notices/${notice.id}/schedule`}>
                      <button type="submit" class="primary">
                        排期发送
                      </button>
                    </form>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h2 style="font-size:1.15rem;margin-top:1.5rem">撰写新内容</h2>
      <ProblemList problems={problems} />
      <form id="composer" method="post" action={`${base}/notices`} class="card" data-preview={`${base}/preview`}>
        <fieldset style="border:0;padding:0">
          <legend style="font-weight:600">渠道</legend>
          <label style="display:inline;font-weight:normal">
            <input type="radio" name="channel" value="sms" checked={one('channel', 'sms') === 'sms'} style="width:auto" /> 短信
          </label>{' '}
          <label style="display:inline;font-weight:normal">
            <input type="radio" name="channel" value="broadcast" checked={one('channel') === 'broadcast'} style="width:auto" /> 村村通广播
          </label>
        </fieldset>
        <label for="title">标题</label>
        <input id="title" name="title" value={one('title')} />
        <fieldset style="border:1px solid #d0d7de;border-radius:6px;margin-top:1rem">
          <legend>受众</legend>
          <label style="font-weight:normal">
            <input type="checkbox" name="all" value="1" checked={one('all') === '1'} style="width:auto" /> 全县
          </label>
          <label for="townships">乡镇（可多选）</label>
          <select id="townships" name="townships" multiple size={4}>
            {registry.townships.map((township) => (
              <option value={township.id} selected={many('townships').includes(township.id)}>
                {township.name}
              </option>
            ))}
          </select>
          <label for="villages">村（可多选）</label>
          <select id="villages" name="villages" multiple size={4}>
            {registry.villages.map((village) => (
              <option value={village.id} selected={many('villages').includes(village.id)}>
                {village.name}
              </option>
            ))}
          </select>
          <label for="groups">群体（仅短信）</label>
          <select id="groups" name="groups" multiple size={3}>
            {registry.groups.map((group) => (
              <option value={group} selected={many('groups').includes(group)}>
                {group}
              </option>
            ))}
          </select>
        </fieldset>
        <fieldset style="border:1px solid #d0d7de;border-radius:6px;margin-top:1rem">
          <legend>发送时间（县里的本地时间）</legend>
          <label for="scheduleKind">方式</label>
          <select id="scheduleKind" name="scheduleKind">
            <option value="fixed" selected={one('scheduleKind', 'fixed') === 'fixed'}>指定时间</option>
            <option value="key-date" selected={one('scheduleKind') === 'key-date'} disabled={!campaign.keyDate}>
              相对节点日
            </option>
            <option value="rrule" selected={one('scheduleKind') === 'rrule'}>周期（RRULE）</option>
          </select>
          <label for="at">指定时间</label>
          <input id="at" name="at" type="datetime-local" value={one('at')} />
          <label for="days">相对节点日的天数（-1 为前一天）</label>
          <input id="days" name="days" type="number" value={one('days', '0')} />
          <label for="time">时刻（相对节点日或周期时使用）</label>
          <input id="time" name="time" type="time" value={one('time', '09:00')} />
          <label for="rule">周期规则，如 FREQ=WEEKLY;BYDAY=MO,TH</label>
          <input id="rule" name="rule" value={one('rule')} />
        </fieldset>
        <div id="sms-fields">
          <label for="body">短信正文（签名和退订提示会自动加上）</label>
          <textarea id="body" name="body" rows={3}>
            {one('body')}
          </textarea>
        </div>
        <div id="broadcast-fields">
          <label for="script">广播稿</label>
          <textarea id="script" name="script" rows={5}>
            {one('script')}
          </textarea>
          <label for="airFrom">播出时段开始</label>
          <input id="airFrom" name="airFrom" type="time" value={one('airFrom', '07:00')} />
          <label for="airTo">播出时段结束</label>
          <input id="airTo" name="airTo" type="time" value={one('airTo', '08:00')} />
          <label for="repeats">重复遍数</label>
          <input id="repeats" name="repeats" type="number" min={1} max={10} value={one('repeats', '1')} />
        </div>
        <div id="preview" aria-live="polite" class="card" style="margin-top:1rem;background:#f6f8fa">
          <p class="muted">填写后这里会显示短信条数与费用、朗读时长和发送时间。</p>
        </div>
        <button type="submit" class="primary">
          保存为草稿
        </button>
      </form>
      <script type="application/json" id="field-help" dangerouslySetInnerHTML={{ __html: helpJson() }} />
      <script nonce={c.get('secureHeadersNonce')} dangerouslySetInnerHTML={{ __html: COMPOSER_SCRIPT }} />
    </Layout>,
    status,
  );
}

function noticeFromForm(values: Values) {
  const one = (name: string) => (typeof values[name] === 'string' ? (values[name] as string).trim() : '');
  const many = (name: string) => [values[name] ?? []].flat().filter((value) => value !== '');
  const kind = one('scheduleKind');
  const schedule =
    kind === 'key-date' ? { kind, days: Number(one('days') || 0), at: one('time') } : kind === 'rrule' ? { kind, rule: one('rule'), ...(one('time') ? { at: one('time') } : {}) } : { kind: 'fixed', at: one('at') };
  const channel = one('channel') === 'broadcast' ? 'broadcast' : 'sms';
  return noticeInputSchema.safeParse({
    channel,
    ...(one('title') ? { title: one('title') } : {}),
    audience: { all: one('all') === '1', townships: many('townships'), villages: many('villages'), groups: channel === 'sms' ? many('groups') : [] },
    schedule,
    ...(channel === 'sms'
      ? { sms: { body: one('body') } }
      : { broadcast: { script: one('script'), airWindows: [{ from: one('airFrom'), to: one('airTo') }], repeats: Number(one('repeats') || 1) } }),
  });
}

export function campaignPages() {
  const pages = new Hono<AppEnv>();
  pages.use('/campaigns/*', pageFor('staff'));

  pages.get('/campaigns/:id', (c) => {
    const done = c.req.query('done');
    const texts: Record<string, string> = { saved: '已保存为草稿。', submitted: '已提交审核。', scheduled: '已排期，到点后自动发送。' };
    return page(c, {}, done ? { kind: 'ok', text: texts[done] ?? '已完成。' } : undefined);
  });

  // The composer's live preview: JSON in, the notice's evaluation out, nothing written. Mistakes
  // come back as problem+json naming each field, which the composer turns into Chinese advice.
  pages.post('/campaigns/:id/preview', async (c) => {
    const id = idSchema.safeParse(c.req.param('id'));
    if (!id.success) throw new NotFound('No such campaign.');
    const body: unknown = await c.req.json().catch(() => undefined);
    const parsed = noticeInputSchema.safeParse(body);
    if (!parsed.success) throw new Invalid('The notice is not complete yet.', fieldProblems(parsed.error, 'body'));
    const { store, config, clock } = c.var.deps;
    const campaign = await store.campaigns.require(c.var.caller.county, id.data);
    return c.json(await evaluate({ store, config, now: clock() }, campaign, parsed.data), 200);
  });

  pages.post('/campaigns/:id/notices', async (c) => {
    if (!idSchema.safeParse(c.req.param('id')).success) return page(c);
    const values = (await c.req.parseBody({ all: true })) as Values;
    const parsed = noticeFromForm(values);
    if (!parsed.success) return page(c, values, undefined, fieldProblems(parsed.error, 'body'), 400);
    const { store, config, clock } = c.var.deps;
    try {
      await createNotice({ store, config, now: clock() }, c.var.caller, c.req.param('id'), parsed.data);
    } catch (error) {
      if (error instanceof Invalid) return page(c, values, undefined, error.fields, 400);
      if (error instanceof DomainError) {
        const refusal = explainRefusal(error);
        return page(c, values, { kind: 'err', text: refusal.text }, [], refusal.status);
      }
      throw error;
    }
    return c.redirect(`/app/campaigns/${c.req.param('id')}?done=saved`, 303);
  });

  pages.post('/campaigns/:id/notices/:noticeId/:action{submit|schedule}', async (c) => {
    const action = c.req.param('action') as 'submit' | 'schedule';
    const noticeId = idSchema.safeParse(c.req.param('noticeId'));
    if (!idSchema.safeParse(c.req.param('id')).success) return page(c);
    if (!noticeId.success) return page(c, {}, { kind: 'err', text: explainRefusal(new NotFound('No such notice.')).text }, [], 404);
    const { store, config, clock } = c.var.deps;
    try {
      await actOnNotice({ store, config, now: clock() }, c.var.caller, c.req.param('id'), c.req.param('noticeId'), action);
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      if (error instanceof Invalid) {
        const text = `还不能${action === 'submit' ? '提交' : '排期'}：${error.fields.map((field) => helpFor(field.field).label + '——' + field.message).join('；') || error.message}`;
        return page(c, {}, { kind: 'err', text }, [], 400);
      }
      const refusal = explainRefusal(error);
      return page(c, {}, { kind: 'err', text: refusal.text }, [], refusal.status);
    }
    return c.redirect(`/app/campaigns/${c.req.param('id')}?done=${action === 'submit' ? 'submitted' : 'scheduled'}`, 303);
  });
  return pages;
}
