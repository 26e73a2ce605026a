/**
 * @module pages/activities
 * Activity entry (staff): a form with township, village, theme and kind pickers, the departments
 * responsible (checkboxes, when the registry lists any) and rows for the materials handed out;
 * mistakes come back in Chinese next to what to fix.
 */
import { Hono, type Context } from 'hono';
import { activityInputSchema, activityKindLabels, activityKinds } from '../domain/activity.js';
import { DomainError, Invalid } from '../domain/errors.js';
import { utcToLocal } from '../domain/schedule.js';
import type { AppEnv } from '../http/env.js';
import { fieldProblems } from '../http/problem.js';
import { createActivity } from '../workflows/activities.js';
import { activityRecordPages } from './activity-evidence.js';
import { Layout } from './layout.js';
import { explainRefusal, ProblemList } from './problems.js';
import { pageFor } from './session.js';

const MATERIAL_ROWS = 3;

type Values = Record<string, string>;

/** What was typed: the one-value fields, and the departments ticked and placements chosen (fields posted many times). */
interface Entry {
  values: Values;
  departments: string[];
  placements?: string[];
}

/** Follows the date with the month's theme until the theme is chosen by hand. */
const THEME_SCRIPT = `(function(){var d=document.getElementById('date'),t=document.getElementById('theme');if(!d||!t)return;var months=JSON.parse(t.dataset.monthThemes||'{}'),touched=false;t.addEventListener('change',function(){touched=true;});d.addEventListener('change',function(){var m=months[String(Number(d.value.slice(5,7)))];if(!touched&&m)t.value=m;});})();`;

async function form(c: Context<AppEnv>, { values, departments, placements = [] }: Entry, flash?: { kind: 'ok' | 'err'; text: string }, problems: { field: string; message: string }[] = [], status: 200 | 400 | 403 | 404 | 409 | 503 = 200) {
  const { store, clock, config } = c.var.deps;
  const county = c.var.caller.county;
  const today = utcToLocal(clock().toISOString(), config.timeZone).slice(0, 10);
  const thisYear = Number(today.slice(0, 4));
  const typedYear = Number((values.date ?? '').slice(0, 4)) || thisYear;
  const [registry, typedPlan] = await Promise.all([store.registry.get(county), store.plans.getYear(county, typedYear)]);
  // A mistyped year (2031 for 2021) must not leave the theme list empty: offer this year's themes.
  const plan = typedPlan ?? (typedYear === thisYear ? undefined : await store.plans.getYear(county, thisYear));
  const year = plan?.year ?? typedYear;
  const v = (name: string, fallback = '') => values[name] ?? fallback;
  // The theme defaults to the month's theme (一月一主题) of the date, here and (script) as the date changes.
  const monthTheme = plan?.months[String(Number(v('date', today).slice(5, 7)))] ?? '';
  return c.html(
    <Layout title="登记宣传活动" caller={c.var.caller} path="/app/activities/new" flash={flash}>
      <ProblemList problems={problems} />
      <p class="muted">
        <a href="/app/activities">活动台账：已登记的活动，上传照片和签到表（佐证材料） →</a>
      </p>
      {registry.townships.length === 0 ? (
        <div class="card">还没有乡镇名录。请管理员先载入名录（campaigns/registry.sample.yaml 或 CSV 导入）。</div>
      ) : (
        <form method="post" action="/app/activities/new" class="card">
          <label for="date">日期</label>
          <input id="date" name="date" type="date" required value={v('date', today)} />
          <label for="township">乡镇</label>
          <select id="township" name="township" required>
            {registry.townships.map((township) => (
              <option value={township.id} selected={v('township') === township.id}>
                {township.name}
              </option>
            ))}
          </select>
          <label for="village">村（可选）</label>
          <select id="village" name="village">
            <option value="">（全乡镇）</option>
            {registry.villages.map((village) => (
              <option value={village.id} selected={v('village') === village.id}>
                {registry.townships.find((township) => township.id === village.township)?.name ?? ''} · {village.name}
              </option>
            ))}
          </select>
          <label for="theme">主题</label>
          <select id="theme" name="theme" required data-month-themes={JSON.stringify(plan?.months ?? {})}>
            {(plan?.themes ?? []).map((theme) => (
              <option value={theme.id} selected={v('theme', monthTheme) === theme.id}>
                {theme.name}
              </option>
            ))}
          </select>
          {!plan && <p class="muted">{year} 年还没有载入年度计划，因此没有可选主题。</p>}
          {registry.departments.length > 0 && (
            <fieldset id="departments" style="margin-top:1rem;border:1px solid #d0d7de;border-radius:6px">
              <legend>责任部门（谁执法谁普法，可多选，可不选）</legend>
              {registry.departments.map((department) => (
                <label style="display:inline-flex;gap:.25rem;align-items:center;margin-right:1rem;font-weight:normal">
                  <input type="checkbox" name="departments" value={department.id} checked={departments.includes(department.id)} />
                  {department.name}
                </label>
              ))}
            </fieldset>
          )}
          <label for="kind">宣传形式</label>
          <select id="kind" name="kind" required>
            {activityKinds.map((kind) => (
              <option value={kind} selected={v('kind', 'event') === kind}>
                {activityKindLabels[kind]}
              </option>
            ))}
          </select>
          {registry.placements.length > 0 && (
            <>
              <label for="placements">展示位置（标语、宣传栏、LED 活动填写，可多选；须与形式和乡镇一致）</label>
              <select id="placements" name="placements" multiple size={Math.min(5, registry.placements.length)}>
                {registry.placements.map((placement) => (
                  <option value={placement.id} selected={placements.includes(placement.id)}>
                    {activityKindLabels[placement.kind]} · {registry.townships.find((township) => township.id === placement.township)?.name ?? placement.township} · {placement.name}
                  </option>
                ))}
              </select>
            </>
          )}
          <label for="kindName">其他形式名称（形式选“其他”时填写）</label>
          <input id="kindName" name="kindName" value={v('kindName')} />
          <label for="title">活动名称</label>
          <input id="title" name="title" value={v('title')} />
          <label for="participants">参与人数</label>
          <input id="participants" name="participants" type="number" min={0} value={v('participants', '0')} />
          <fieldset style="margin-top:1rem;border:1px solid #d0d7de;border-radius:6px">
            <legend>发放的宣传资料</legend>
            {Array.from({ length: MATERIAL_ROWS }, (_, index) => (
              <div style="display:flex;gap:.5rem;flex-wrap:wrap">
                <div style="flex:2;min-width:10rem">
                  <label for={`materialKind${index}`}>资料种类 {index + 1}</label>
                  <input id={`materialKind${index}`} name={`materialKind${index}`} placeholder="如：宣传单、宣传手册" value={v(`materialKind${index}`)} />
                </div>
                <div style="flex:1;min-width:6rem">
                  <label for={`materialCount${index}`}>数量（份）</label>
                  <input id={`materialCount${index}`} name={`materialCount${index}`} type="number" min={0} value={v(`materialCount${index}`)} />
                </div>
              </div>
            ))}
          </fieldset>
          <label for="notes">备注</label>
          <textarea id="notes" name="notes" rows={2}>
            {v('notes')}
          </textarea>
          <p>
            <button type="submit" class="primary">
              保存
            </button>
          </p>
        </form>
      )}
      <script nonce={c.get('secureHeadersNonce')} dangerouslySetInnerHTML={{ __html: THEME_SCRIPT }} />
    </Layout>,
    status,
  );
}

export function activityPages() {
  const pages = new Hono<AppEnv>();
  pages.use('/activities/*', pageFor('staff'));

  // A department's staff record their department's activities: its box starts ticked.
  pages.get('/activities/new', (c) => form(c, { values: {}, departments: c.var.caller.role === 'staff' && c.var.caller.department ? [c.var.caller.department] : [] }, c.req.query('saved') ? { kind: 'ok', text: '已保存，统计已更新。可以继续登记下一条。' } : undefined));

  pages.post('/activities/new', async (c) => {
    // `all`: the ticked departments come as one field posted once per box.
    const body = await c.req.parseBody({ all: true });
    const values: Values = Object.fromEntries(Object.entries(body).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
    const many = (name: string) => [body[name] ?? []].flat().filter((value): value is string => typeof value === 'string' && value !== '');
    const departments = many('departments');
    const placements = many('placements');
    const entry: Entry = { values, departments, placements };
    const materials = Array.from({ length: MATERIAL_ROWS }, (_, index) => ({ kind: (values[`materialKind${index}`] ?? '').trim(), count: values[`materialCount${index}`] ?? '' }))
      .filter((material) => material.kind !== '' || material.count !== '')
      .map((material) => ({ kind: material.kind, count: Number(material.count || 0) }));
    const parsed = activityInputSchema.safeParse({
      date: values.date,
      township: values.township,
      ...(values.village ? { village: values.village } : {}),
      theme: values.theme,
      kind: values.kind,
      ...(values.kindName ? { kindName: values.kindName } : {}),
      ...(values.title ? { title: values.title } : {}),
      participants: Number(values.participants || 0),
      materials,
      ...(departments.length > 0 ? { departments } : {}),
      ...(placements.length > 0 ? { placements } : {}),
      ...(values.notes ? { notes: values.notes } : {}),
    });
    if (!parsed.success) return form(c, entry, undefined, fieldProblems(parsed.error, 'body'), 400);
    const { store, config, clock } = c.var.deps;
    try {
      await createActivity({ store, config, now: clock() }, c.var.caller, parsed.data);
    } catch (error) {
      if (error instanceof Invalid) return form(c, entry, undefined, error.fields, 400);
      if (error instanceof DomainError) {
        const refusal = explainRefusal(error);
        return form(c, entry, { kind: 'err', text: refusal.text }, [], refusal.status);
      }
      throw error;
    }
    return c.redirect('/app/activities/new?saved=1', 303);
  });

  // The year's activities and each one's page with its evidence (after /activities/new, which its pattern would match).
  pages.route('/', activityRecordPages());
  return pages;
}
