/**
 * @module pages/composer
 * The notice composer on a campaign's page: channel, audience, the schedule (only the chosen way's
 * fields once the script runs), free SMS text or one of the county's registered templates with a
 * field per placeholder, and a live preview from the page's own preview endpoint. Without script
 * every field shows and the form still posts.
 */
import type { HolidayPolicy } from '../domain/holidays.js';
import type { SmsTemplate } from '../domain/notice-check.js';
import { noticeInputSchema, type CampaignRecord } from '../domain/planning.js';
import type { Registry } from '../domain/registry.js';
import { templatePlaceholders } from '../domain/sms.js';
import { helpJson, ProblemList } from './problems.js';
import { IMAGE_UPLOAD_PATH, WECHAT_NOTICE_SCRIPT, WECHAT_PREVIEW_SCRIPT, WECHAT_SCRIPT, WeChatFields, wechatFromForm } from './composer-wechat.js';

export type Values = Record<string, string | string[]>;

/** A template's placeholder field: one per template, so switching templates keeps what was typed in each. */
const paramField = (templateId: string, name: string) => `param.${templateId}.${name}`;

/**
 * Reads the composer into a notice and asks the page's preview (below, same answer as the API's
 * preview, but authenticated by the page session and its same-origin check); shows it as text.
 * Also hides what does not apply: the other schedule ways' fields, the other channels' fields, the
 * audience pickers for a WeChat article (it goes to the account's followers), the free-text body
 * when a template is chosen and the other templates' placeholders.
 */
export const COMPOSER_SCRIPT = `
(function(){
  var form=document.getElementById('composer'); if(!form) return;
  var HELP=JSON.parse(document.getElementById('field-help').textContent);
  function help(path){path=path.replace(/^body\\./,'');var best='';Object.keys(HELP).forEach(function(k){if((path===k||path.indexOf(k+'.')===0)&&k.length>best.length)best=k;});return best?HELP[best]:{label:path,todo:'请检查这一项。'};}
  function advice(path){var h=help(path);return h.label+'：'+h.todo;}
  var out=document.getElementById('preview'); var timer;
  function val(n){var e=form.elements[n];return e?e.value.trim():'';}
  function each(sel,f){Array.prototype.forEach.call(form.querySelectorAll(sel),f);}
  function params(t){var p={};each('[data-template]',function(box){if(box.dataset.template!==t)return;Array.prototype.forEach.call(box.querySelectorAll('input'),function(i){if(i.value.trim()!=='')p[i.dataset.param]=i.value.trim();});});return p;}
  function notice(){
    var channel=form.querySelector('input[name=channel]:checked').value;
    var kind=val('scheduleKind');
    var schedule=kind==='fixed'?{kind:kind,at:val('at')}:kind==='key-date'?{kind:kind,days:Number(val('days')),at:val('time')}:{kind:kind,rule:val('rule'),at:val('time')||undefined};
    var sel=function(n){return Array.prototype.map.call(form.elements[n].selectedOptions,function(o){return o.value;});};
    var audience={all:form.elements.all.checked,townships:sel('townships'),villages:sel('villages'),groups:channel==='sms'?sel('groups'):[]};
    var body={channel:channel,audience:audience,schedule:schedule};
    if(form.elements.departments&&sel('departments').length)body.departments=sel('departments');
    if(val('onHoliday'))body.onHoliday=val('onHoliday');
    var t=val('template');
    if(channel==='sms'){body.sms=t?{template:t,params:params(t)}:{body:val('body')};}else if(channel==='wechat')${WECHAT_NOTICE_SCRIPT}else{body.broadcast={script:val('script'),airWindows:[{from:val('airFrom'),to:val('airTo')}],repeats:Number(val('repeats')||1)};}
    return body;
  }
  function show(lines){out.textContent='';lines.forEach(function(l){var p=document.createElement('p');p.textContent=l;out.appendChild(p);});}
  function arrange(){
    var channel=form.querySelector('input[name=channel]:checked').value;
    document.getElementById('sms-fields').hidden=channel!=='sms';
    document.getElementById('broadcast-fields').hidden=channel!=='broadcast';
    document.getElementById('wechat-fields').hidden=channel!=='wechat';
    document.getElementById('audience-fields').hidden=channel==='wechat';
    document.getElementById('wechat-audience').hidden=channel!=='wechat';
    var kind=val('scheduleKind');
    each('[data-ways]',function(e){e.hidden=e.dataset.ways.split(' ').indexOf(kind)<0;});
    var t=val('template');
    document.getElementById('body-field').hidden=t!=='';
    each('[data-template]',function(e){e.hidden=e.dataset.template!==t;});
  }
  function update(){
    arrange();
    fetch(form.dataset.preview,{method:'POST',credentials:'same-origin',headers:{'Content-Type':'application/json'},body:JSON.stringify(notice())})
      .then(function(r){return r.json().then(function(j){return {ok:r.ok,j:j};});})
      .then(function(res){
        var j=res.j,lines=[];
        if(!res.ok){(j.errors||[]).forEach(function(e){var a='待完善 '+advice(e.field);if(lines.indexOf(a)<0)lines.push(a);});show(lines.length?lines:['请继续填写']);return;}
        if(j.sms){lines.push('短信 '+j.sms.segments.segments+' 条计费（'+j.sms.segments.units+' 字符，'+j.sms.segments.encoding+'），每人约 ¥'+j.sms.costPerRecipient.toFixed(3));lines.push('实际发送：'+j.sms.text);}
        if(j.cost){var k=j.cost;lines.push('预计总费用 ¥'+k.totalYuan.toFixed(2)+'（约 $'+k.totalUsd.toFixed(k.totalUsd<1?4:2)+'）：'+(k.complete?'':'至少 ')+k.recipients+' 人 × '+k.sends+' 次 × '+k.segments+' 条计费，共 '+k.messages+' 条短信');if(k.remainingYuan!==undefined&&k.remainingYuan!==null){lines.push(k.exceedsRemaining?'提醒：超出本月剩余短信预算 ¥'+k.remainingYuan.toFixed(2)+'，超出部分将暂停发送（不算失败），到下月或提高预算后再发':'本月短信预算剩余 ¥'+k.remainingYuan.toFixed(2));}}
        ${WECHAT_PREVIEW_SCRIPT}
        if(j.broadcast){lines.push('朗读约 '+j.broadcast.readingSeconds+' 秒，共 '+j.broadcast.totalSeconds+' 秒');lines.push('提交审核时生成录音：合成 '+j.broadcast.speechCharacters+' 字');}
        (j.sends||[]).forEach(function(s){lines.push('发送时间 '+s.local.replace('T',' ')+(s.movedFrom?'（原定 '+s.movedFrom.replace('T',' ')+'，避开免打扰时段）':''));});
        (j.problems||[]).forEach(function(p){lines.push('问题 '+advice(p.path.join('.'))+'（'+p.message+'）');});
        (j.warnings||[]).forEach(function(w){lines.push('提醒：'+w);});
        show(lines);
      }).catch(function(){show(['预览暂时不可用，保存时仍会检查。']);});
  }
${WECHAT_SCRIPT}
  form.addEventListener('input',function(){clearTimeout(timer);timer=setTimeout(update,300);});
  form.addEventListener('change',function(){arrange();clearTimeout(timer);timer=setTimeout(update,100);});
  update();
})();`;

export function Composer(props: { base: string; campaign: Pick<CampaignRecord, 'keyDate'>; registry: Registry; templates: readonly SmsTemplate[]; values: Values; problems: { field: string; message: string }[]; nonce: string | undefined }) {
  const { base, campaign, registry, templates, values } = props;
  const one = (name: string, fallback = '') => (typeof values[name] === 'string' ? (values[name] as string) : fallback);
  const many = (name: string) => [values[name] ?? []].flat();
  const chosen = one('template');
  return (
    <>
      <h2 style="font-size:1.15rem;margin-top:1.5rem">撰写新内容</h2>
      <ProblemList problems={props.problems} />
      <form id="composer" method="post" action={`${base}/notices`} class="card" data-preview={`${base}/preview`} data-upload={IMAGE_UPLOAD_PATH}>
        <fieldset style="border:0;padding:0">
          <legend style="font-weight:600">渠道</legend>
          <label style="display:inline;font-weight:normal">
            <input type="radio" name="channel" value="sms" checked={one('channel', 'sms') === 'sms'} style="width:auto" /> 短信
          </label>{' '}
          <label style="display:inline;font-weight:normal">
            <input type="radio" name="channel" value="broadcast" checked={one('channel') === 'broadcast'} style="width:auto" /> 村村通广播
          </label>{' '}
          <label style="display:inline;font-weight:normal">
            <input type="radio" name="channel" value="wechat" checked={one('channel') === 'wechat'} style="width:auto" /> 微信公众号
          </label>
        </fieldset>
        <label for="title">标题</label>
        <input id="title" name="title" value={one('title')} />
        <p id="wechat-audience" class="card" style="margin-top:1rem" hidden>
          受众：微信公众号文章发给公众号的全部粉丝（或下面填写的一个标签下的粉丝），不按乡镇和村选择。
        </p>
        <fieldset id="audience-fields" style="border:1px solid #d0d7de;border-radius:6px;margin-top:1rem">
          <legend>受众（微信公众号文章不用选，发给粉丝）</legend>
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
        {registry.departments.length > 0 && (
          <>
            <label for="departments">责任部门（可多选；不选则沿用活动方案的责任部门）</label>
            <select id="departments" name="departments" multiple size={Math.min(4, registry.departments.length)}>
              {registry.departments.map((department) => (
                <option value={department.id} selected={many('departments').includes(department.id)}>
                  {department.name}
                </option>
              ))}
            </select>
          </>
        )}
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
          <div data-ways="fixed">
            <label for="at">指定时间</label>
            <input id="at" name="at" type="datetime-local" value={one('at')} />
          </div>
          <div data-ways="key-date">
            <label for="days">相对节点日的天数（-1 为前一天）</label>
            <input id="days" name="days" type="number" value={one('days', '0')} />
          </div>
          <div data-ways="key-date rrule">
            <label for="time">时刻（相对节点日或周期时使用）</label>
            <input id="time" name="time" type="time" value={one('time', '09:00')} />
          </div>
          <div data-ways="rrule">
            <label for="rule">周期规则，如 FREQ=WEEKLY;BYDAY=MO,TH</label>
            <input id="rule" name="rule" value={one('rule')} />
          </div>
          <label for="onHoliday">遇法定节假日或调休上班日</label>
          <select id="onHoliday" name="onHoliday">
            {HOLIDAY_CHOICES.map(([value, label]) => (
              <option value={value} selected={one('onHoliday') === value}>
                {label}
              </option>
            ))}
          </select>
        </fieldset>
        <div id="sms-fields">
          <label for="template">短信模板（大陆运营商只发已备案模板的短信）</label>
          <select id="template" name="template">
            <option value="" selected={chosen === ''}>
              不用模板，自己撰写正文
            </option>
            {templates.map((template) => (
              <option value={template.id} selected={chosen === template.id}>
                {template.id}：{template.text}
              </option>
            ))}
          </select>
          {templates.map((template) => (
            <fieldset data-template={template.id} style="border:1px solid #d0d7de;border-radius:6px;margin-top:.5rem">
              <legend>模板 {template.id} 的内容</legend>
              <p class="muted" style="margin:0">{template.text}</p>
              {templatePlaceholders(template.text).map((name) => (
                <>
                  <label for={`param-${template.id}-${name}`}>模板中的 {name}</label>
                  <input id={`param-${template.id}-${name}`} name={paramField(template.id, name)} data-param={name} value={one(paramField(template.id, name))} />
                </>
              ))}
            </fieldset>
          ))}
          <div id="body-field">
            <label for="body">短信正文（签名和退订提示会自动加上）</label>
            <textarea id="body" name="body" rows={3}>
              {one('body')}
            </textarea>
          </div>
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
        <WeChatFields one={one} />
        <div id="preview" aria-live="polite" class="card" style="margin-top:1rem;background:#f6f8fa">
          <p class="muted">填写后这里会显示短信条数与费用、朗读时长、微信文章字数和发送时间。</p>
        </div>
        <button type="submit" class="primary">
          保存为草稿
        </button>
      </form>
      <script type="application/json" id="field-help" dangerouslySetInnerHTML={{ __html: helpJson() }} />
      <script nonce={props.nonce} dangerouslySetInnerHTML={{ __html: COMPOSER_SCRIPT }} />
    </>
  );
}

/** What the composer offers for a send on a holiday; empty: the plan's rule (keep for key-date sends, else settings.onHoliday). */
const HOLIDAY_CHOICES: readonly (readonly [HolidayPolicy | '', string])[] = [
  ['', '按年度计划的规定（节点日当天照常）'],
  ['keep', '照常发送'],
  ['next-workday', '顺延到下一个工作日'],
  ['previous-workday', '提前到上一个工作日'],
  ['skip', '跳过这次'],
];

/** The posted composer as a notice input: a chosen template takes its own placeholder fields, else the body. */
export function noticeFromForm(values: Values) {
  const one = (name: string) => (typeof values[name] === 'string' ? (values[name] as string).trim() : '');
  const many = (name: string) => [values[name] ?? []].flat().filter((value) => value !== '');
  const kind = one('scheduleKind');
  const schedule =
    kind === 'key-date' ? { kind, days: Number(one('days') || 0), at: one('time') } : kind === 'rrule' ? { kind, rule: one('rule'), ...(one('time') ? { at: one('time') } : {}) } : { kind: 'fixed', at: one('at') };
  const channel = one('channel') === 'broadcast' ? 'broadcast' : one('channel') === 'wechat' ? 'wechat' : 'sms';
  const template = one('template');
  const prefix = `param.${template}.`;
  const params = Object.fromEntries(
    Object.keys(values)
      .filter((name) => name.startsWith(prefix) && one(name) !== '')
      .map((name) => [name.slice(prefix.length), one(name)]),
  );
  return noticeInputSchema.safeParse({
    channel,
    ...(one('title') ? { title: one('title') } : {}),
    ...(one('onHoliday') ? { onHoliday: one('onHoliday') } : {}),
    ...(many('departments').length > 0 ? { departments: many('departments') } : {}),
    // A WeChat article goes to the account's followers: its pickers are hidden, and ignored if posted.
    audience:
      channel === 'wechat'
        ? { all: true, townships: [], villages: [], groups: [] }
        : { all: one('all') === '1', townships: many('townships'), villages: many('villages'), groups: channel === 'sms' ? many('groups') : [] },
    schedule,
    ...(channel === 'sms'
      ? { sms: template ? { template, params } : { body: one('body') } }
      : channel === 'wechat'
        ? { wechat: wechatFromForm(one) }
        : { broadcast: { script: one('script'), airWindows: [{ from: one('airFrom'), to: one('airTo') }], repeats: Number(one('repeats') || 1) } }),
  });
}
