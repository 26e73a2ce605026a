/**
 * @module pages/activity-evidence
 * The year's activities (活动台账) and one activity's page with its evidence (佐证材料): thumbnails
 * of the photos, the PDFs as links, a remove button each, and an upload form whose small script
 * asks for a presigned form, POSTs the file to it (S3 on AWS, this app locally) and confirms it —
 * the three API calls, made with the page's session. Without a script the page says how to do the
 * same through the API.
 */
import { Hono, type Context } from 'hono';
import { activityKindLabels, type ActivityRecord } from '../domain/activity.js';
import { DomainError } from '../domain/errors.js';
import { evidenceKindLabels, evidenceKinds, MAX_EVIDENCE_PER_ACTIVITY, type Evidence } from '../domain/evidence.js';
import { utcToLocal } from '../domain/schedule.js';
import { removeEvidence } from '../evidence/workflow.js';
import type { AppEnv } from '../http/env.js';
import { getActivity, listActivities } from '../workflows/activities.js';
import { Layout } from './layout.js';
import { explainRefusal } from './problems.js';

/** The upload: presign → POST the file → confirm, then reload; each refusal shown in the page. */
const UPLOAD_SCRIPT = `(function(){var f=document.getElementById('evidence-form');if(!f)return;var s=document.getElementById('evidence-status');
function say(t){s.textContent=t;}
function json(r){return r.text().then(function(t){var b={};try{b=t?JSON.parse(t):{};}catch(e){}if(!r.ok)throw new Error((b.errors&&b.errors.map(function(x){return x.message;}).join('；'))||b.detail||('出错（'+r.status+'）'));return b;});}
f.addEventListener('submit',function(e){e.preventDefault();var file=f.querySelector('input[type=file]').files[0];if(!file){say('请先选择文件。');return;}
var id=f.dataset.activity,kind=f.querySelector('select[name=kind]').value,h={'Content-Type':'application/json'};say('正在上传 '+file.name+' …');
fetch('/activities/'+id+'/evidence/uploads',{method:'POST',credentials:'same-origin',headers:h,body:JSON.stringify({contentType:file.type,bytes:file.size,fileName:file.name,kind:kind})}).then(json)
.then(function(form){var d=new FormData();Object.keys(form.upload.fields).forEach(function(k){d.append(k,form.upload.fields[k]);});d.append('file',file);
return fetch(form.upload.url,{method:'POST',body:d,credentials:'same-origin'}).then(function(r){if(!r.ok)return json(r).then(function(){throw new Error('上传被拒绝（'+r.status+'）');});return form;});})
.then(function(form){say('正在检查文件…');return fetch('/activities/'+id+'/evidence',{method:'POST',credentials:'same-origin',headers:h,body:JSON.stringify({key:form.upload.key})}).then(json);})
.then(function(){location.reload();}).catch(function(err){say('未能保存：'+err.message);});});})();`;

const sizeLabel = (bytes: number) => (bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MB` : `${Math.max(1, Math.round(bytes / 1024))} KB`);

function EvidenceItem(props: { activityId: string; item: Evidence }) {
  const { activityId, item } = props;
  const href = `/activities/${activityId}/evidence/${item.id}`;
  return (
    <figure class="evidence" style="margin:0;width:180px;border:1px solid #d0d7de;border-radius:6px;padding:.5rem;background:#fff">
      <a href={href}>
        {item.thumbnail ? (
          <img src={`${href}/thumbnail`} alt={item.fileName} style="max-width:160px;max-height:160px;display:block" loading="lazy" />
        ) : (
          <span style="display:inline-block;padding:2.5rem 1rem;border:1px dashed #8b1a1a;color:#8b1a1a;font-weight:bold">PDF</span>
        )}
      </a>
      <figcaption style="font-size:.85rem;word-break:break-all">
        {evidenceKindLabels[item.kind]} · <a href={href}>{item.fileName}</a>（{sizeLabel(item.bytes)}）
        <form method="post" action={`/app/activities/${activityId}/evidence/${item.id}/remove`} style="margin:.25rem 0 0">
          <button type="submit">删除</button>
        </form>
      </figcaption>
    </figure>
  );
}

async function activityPage(c: Context<AppEnv>, activity: ActivityRecord, flash?: { kind: 'ok' | 'err'; text: string }, status: 200 | 400 | 403 | 404 | 409 | 503 = 200) {
  const registry = await c.var.deps.store.registry.get(c.var.caller.county);
  const evidence = activity.evidence ?? [];
  const township = registry.townships.find((candidate) => candidate.id === activity.township)?.name ?? activity.township;
  return c.html(
    <Layout title={activity.title ?? `${activity.date} ${activityKindLabels[activity.kind]}`} caller={c.var.caller} path="/app/activities" flash={flash}>
      <div class="card">
        <p>
          {activity.date} · {township} · {activity.kind === 'other' ? (activity.kindName ?? activityKindLabels.other) : activityKindLabels[activity.kind]} · 参与 {activity.participants} 人次
        </p>
        {activity.departments && activity.departments.length > 0 && <p>责任部门：{activity.departments.map((id) => registry.departments.find((department) => department.id === id)?.name ?? id).join('、')}</p>}
        {activity.placements && activity.placements.length > 0 && (
          <p>
            展示位置：
            {activity.placements
              .map((id) => registry.placements.find((placement) => placement.id === id))
              .map((placement, index) => (placement ? `${placement.name}${placement.address ? `（${placement.address}）` : ''}` : activity.placements?.[index]))
              .join('、')}
          </p>
        )}
        <p class="muted">
          <a href="/app/activities">← 返回活动台账</a>
        </p>
      </div>
      <section class="card" id="evidence">
        <h2>佐证材料（{evidence.length}/{MAX_EVIDENCE_PER_ACTIVITY}）</h2>
        {evidence.length === 0 ? (
          <p class="muted">还没有佐证材料。请上传活动照片或签到表扫描件。</p>
        ) : (
          <div style="display:flex;flex-wrap:wrap;gap:.75rem">
            {evidence.map((item) => (
              <EvidenceItem activityId={activity.id} item={item} />
            ))}
          </div>
        )}
        {evidence.length < MAX_EVIDENCE_PER_ACTIVITY && (
          <form id="evidence-form" data-activity={activity.id} style="margin-top:1rem">
            <label for="evidence-kind">材料类别</label>
            <select id="evidence-kind" name="kind">
              {evidenceKinds.map((kind) => (
                <option value={kind}>{evidenceKindLabels[kind]}</option>
              ))}
            </select>
            <label for="evidence-file">文件（JPEG、PNG 或 PDF，不超过 10 MB）</label>
            <input id="evidence-file" type="file" name="file" accept="image/jpeg,image/png,application/pdf" required />
            <p>
              <button type="submit" class="primary">
                上传
              </button>{' '}
              <span id="evidence-status" role="status" class="muted"></span>
            </p>
          </form>
        )}
        <noscript>
          <p class="muted">
            上传需要浏览器启用脚本。也可以通过接口上传：POST /activities/{activity.id}/evidence/uploads 取得上传表单，把文件按表单 POST 到其中的 url，再 POST /activities/
            {activity.id}/evidence 确认（见 /docs）。
          </p>
        </noscript>
      </section>
      <script nonce={c.get('secureHeadersNonce')} dangerouslySetInnerHTML={{ __html: UPLOAD_SCRIPT }} />
    </Layout>,
    status,
  );
}

/** The pages; mounted by pages/activities, whose staff-only session check covers them. */
export function activityRecordPages() {
  const pages = new Hono<AppEnv>();

  pages.get('/activities', async (c) => {
    const { clock, config } = c.var.deps;
    const thisYear = Number(utcToLocal(clock().toISOString(), config.timeZone).slice(0, 4));
    const year = Number(c.req.query('year')) || thisYear;
    const cursor = c.req.query('cursor');
    const page = await listActivities(c.var.deps, c.var.caller, { year }, { limit: 100, ...(cursor ? { cursor } : {}) });
    return c.html(
      <Layout title={`${year} 年活动台账`} caller={c.var.caller} path="/app/activities">
        <p>
          <a href={`/app/activities?year=${year - 1}`}>← {year - 1} 年</a> · <a href="/app/activities/new">登记新活动</a>
        </p>
        {page.items.length === 0 ? (
          <div class="card">{year} 年还没有登记活动。</div>
        ) : (
          <table>
            <thead>
              <tr>
                <th>日期</th>
                <th>活动</th>
                <th>形式</th>
                <th>佐证材料</th>
              </tr>
            </thead>
            <tbody>
              {page.items.map((activity) => (
                <tr>
                  <td>{activity.date}</td>
                  <td>
                    <a href={`/app/activities/${activity.id}`}>{activity.title ?? activity.id}</a>
                  </td>
                  <td>{activityKindLabels[activity.kind]}</td>
                  <td>{(activity.evidence?.length ?? 0) > 0 ? `${activity.evidence?.length} 份` : '无'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {page.nextCursor && (
          <p>
            <a href={`/app/activities?year=${year}&cursor=${encodeURIComponent(page.nextCursor)}`}>下一页 →</a>
          </p>
        )}
      </Layout>,
    );
  });

  pages.get('/activities/:id', async (c) => {
    try {
      const flash = c.req.query('removed') ? ({ kind: 'ok', text: '已删除该份佐证材料。' } as const) : undefined;
      return await activityPage(c, await getActivity(c.var.deps, c.var.caller, c.req.param('id')), flash);
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      const refusal = explainRefusal(error);
      return c.html(
        <Layout title="活动" caller={c.var.caller} path="/app/activities" flash={{ kind: 'err', text: refusal.text }} />,
        refusal.status,
      );
    }
  });

  pages.post('/activities/:id/evidence/:evidenceId/remove', async (c) => {
    const { store, config, clock, evidence } = c.var.deps;
    if (!evidence) throw new Error('This app was built without an evidence store (AppDeps.evidence)');
    const id = c.req.param('id');
    try {
      await removeEvidence({ store, config, now: clock(), files: await evidence() }, c.var.caller, id, c.req.param('evidenceId'));
      return c.redirect(`/app/activities/${id}?removed=1#evidence`, 303);
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      const refusal = explainRefusal(error);
      return c.html(<Layout title="活动" caller={c.var.caller} path="/app/activities" flash={{ kind: 'err', text: refusal.text }} />, refusal.status);
    }
  });

  return pages;
}
