/**
 * @module local/plan-cli
 * `npm run plan -- FILE`: check a year's plan and print its calendar — every send with its local
 * date and time, channel, audience, SMS segments and cost, broadcast length. A mistake is printed
 * as `file:line:column  path: message` and the command exits 1.
 * `npm run plan -- --apply FILE` then loads it (into the running `npm start`, the local data
 * folder, or with --aws the deployed table); `--dry-run` shows what loading would change.
 */
import './quiet-sdk-warning.js';
import { parseArgs } from 'node:util';
import { configuredTimeZone } from '../config.js';
import { movedReason } from '../domain/holiday-policy.js';
import { evaluateNotice, plannedWeChatSends } from '../domain/notice-check.js';
import { activityKindLabels } from '../domain/activity.js';
import { measureLabels, measures, measureUnits, type Measure } from '../domain/pace.js';
import { planHolidays, resolveKeyDate, resolveSettings, type PlanFile, type PlanTargets, type Responsibility, type ScopeTarget } from '../domain/plan.js';
import { channelLabels, publicEventKindLabels, type Audience } from '../domain/planning.js';
import type { Registry } from '../domain/registry.js';
import { formatProblem } from '../domain/yaml-source.js';
import { loadPlan, type LoadReport } from '../workflows/plans.js';
import { readPlanFile } from './plan-file.js';
import { DEFAULT_DATA_DIR } from './runtime.js';
import { runCli, UsageError } from './cli.js';
import { openTarget } from './target.js';

const USAGE = `Usage:
  npm run plan -- FILE                 check the plan and print its calendar
  npm run plan -- --apply FILE         check, then load it into pufa
  npm run plan -- --apply --dry-run FILE   show what loading would change
Options:
  --quiet            print only the summary line
  --county <id>      county to load into (default: PUFA_COUNTY or "tianquan")
  --data-dir <dir>   local data folder (default: ${DEFAULT_DATA_DIR})
  --aws              load into the deployed table named by PUFA_TABLE_NAME`;

const actionLabel: Record<string, string> = { create: '新建', update: '更新', unchanged: '未变', kept: '保留' };

function audienceText(audience: Audience, registry: Registry | undefined): string {
  if (audience.all) return '全县';
  const name = (list: { id: string; name: string }[] | undefined, id: string) => list?.find((item) => item.id === id)?.name ?? id;
  return [
    ...audience.townships.map((id) => name(registry?.townships, id)),
    ...audience.villages.map((id) => name(registry?.villages, id)),
    ...audience.groups.map((group) => `[${group}]`),
  ].join('、');
}

/** `县司法局  开展宪法宣传  目标: 活动 12 次、受众 5000 人次  (3、12 月, 截止 2021-12-31)`. */
function responsibilityLine(duty: Responsibility, registry: Registry | undefined, themeName: ReadonlyMap<string, string>): string {
  const department = registry?.departments.find((candidate) => candidate.id === duty.department)?.name ?? duty.department;
  const { activities, participants, materials } = duty.targets;
  const targets = [
    ...(activities !== undefined ? [`活动 ${activities} 次`] : []),
    ...(participants !== undefined ? [`受众 ${participants} 人次`] : []),
    ...(materials !== undefined ? [`资料 ${materials} 份`] : []),
  ].join('、');
  const when = [...(duty.months ? [`${duty.months.join('、')} 月`] : []), ...(duty.deadline ? [`截止 ${duty.deadline}`] : [])].join(', ');
  const how = [...(duty.kinds ?? []).map((kind) => activityKindLabels[kind]), ...(duty.themes ?? []).map((theme) => `[${themeName.get(theme) ?? theme}]`)].join(' ');
  return `${department}  ${duty.duty}  目标: ${targets}${how ? `  ${how}` : ''}${when ? `  (${when})` : ''}`;
}

/** `城厢镇  活动 30 场次、受众 10000 人次  (3月: 活动 6 场次)`. */
function targetLine(name: string, target: ScopeTarget): string {
  const amounts = (targets: Partial<Record<Measure, number>>) =>
    measures.flatMap((measure) => (targets[measure] !== undefined ? [`${measureLabels[measure]} ${targets[measure]} ${measureUnits[measure]}`] : [])).join('、');
  const months = Object.entries(target.months ?? {})
    .sort(([a], [b]) => Number(a) - Number(b))
    .map(([month, targets]) => `${month}月: ${amounts(targets)}`);
  return `${name}  ${amounts(target)}${months.length > 0 ? `  (${months.join('；')})` : ''}`;
}

function targetLines(targets: PlanTargets, registry: Registry | undefined): string[] {
  const name = (list: { id: string; name: string }[] | undefined, id: string) => list?.find((item) => item.id === id)?.name ?? id;
  return [
    ...(targets.county ? [targetLine('全县', targets.county)] : []),
    ...Object.entries(targets.townships ?? {}).map(([id, target]) => targetLine(name(registry?.townships, id), target)),
    ...Object.entries(targets.departments ?? {}).map(([id, target]) => targetLine(name(registry?.departments, id), target)),
  ];
}

function minutes(seconds: number): string {
  const m = Math.floor(seconds / 60);
  const s = seconds % 60;
  return m > 0 ? `${m}分${s > 0 ? `${s}秒` : ''}` : `${s}秒`;
}

function printCalendar(plan: PlanFile, registry: Registry | undefined, timeZone: string, quiet: boolean): void {
  const settings = resolveSettings(plan.settings);
  const context = { timeZone, settings, templates: plan.smsTemplates, registry, holidays: planHolidays(plan) };
  const themeName = new Map(plan.themes.map((theme) => [theme.id, theme.name]));
  let sends = 0;
  let notices = 0;
  const campaigns = [...plan.campaigns].sort((a, b) => (a.window.start < b.window.start ? -1 : 1));
  // Every WeChat mass send in the plan, so each notice's quota line sees the others (as the check did).
  const wechatSends = plan.campaigns.flatMap((campaign) =>
    campaign.notices.flatMap((notice) =>
      notice.channel === 'wechat' ? plannedWeChatSends(notice, { window: campaign.window, keyDate: resolveKeyDate(campaign.keyDate, plan.year) }, context, `${campaign.id}/${notice.id}`) : [],
    ),
  );
  const out: string[] = [];
  out.push(`${plan.year} 年普法宣传计划 (${timeZone})`);
  for (let month = 1; month <= 12; month += 1) {
    const theme = plan.months[String(month)];
    out.push(`  ${String(month).padStart(2)} 月主题: ${theme ? (themeName.get(theme) ?? theme) : '（未定）'}`);
  }
  if (plan.responsibilities.length > 0) {
    out.push('');
    out.push(`普法责任清单 (${plan.responsibilities.length} 项)`);
    for (const duty of plan.responsibilities) out.push(`  ${responsibilityLine(duty, registry, themeName)}`);
  }
  const targets = plan.targets ? targetLines(plan.targets, registry) : [];
  if (targets.length > 0) {
    out.push('');
    out.push(`年度目标 (${targets.length} 项)`);
    for (const line of targets) out.push(`  ${line}`);
  }
  for (const campaign of campaigns) {
    const keyDate = resolveKeyDate(campaign.keyDate, plan.year);
    out.push('');
    out.push(`■ ${campaign.title}  [${themeName.get(campaign.theme) ?? campaign.theme}]  ${campaign.window.start} ~ ${campaign.window.end}${keyDate ? `  节点 ${keyDate}` : ''}`);
    if (campaign.departments?.length) out.push(`  责任部门: ${campaign.departments.map((id) => registry?.departments.find((department) => department.id === id)?.name ?? id).join('、')}`);
    for (const event of campaign.events ?? []) {
      out.push(`  ◆ ${event.date}${event.from ? ` ${event.from}–${event.to ?? ''}` : ''}  ${event.title ?? publicEventKindLabels[event.kind]}  @ ${event.place}`);
    }
    for (const notice of campaign.notices) {
      notices += 1;
      const wechatRef = `${campaign.id}/${notice.id}`;
      const quota = notice.channel === 'wechat' ? { wechatRef, wechatSends: wechatSends.filter((send) => send.noticeRef !== wechatRef) } : {};
      const evaluation = evaluateNotice(notice, { window: campaign.window, keyDate }, { ...context, ...quota });
      const detail =
        notice.channel === 'wechat'
          ? `《${notice.wechat.title}》 ${evaluation.wechat?.characters ?? 0} 字`
          : notice.channel === 'sms' && evaluation.sms
          ? `${evaluation.sms.segments.segments} 段 (${evaluation.sms.segments.units} 字符)  ¥${evaluation.sms.costPerRecipient.toFixed(3)}/人`
          : evaluation.broadcast
            ? `朗读 ${minutes(evaluation.broadcast.readingSeconds)} × ${notice.channel === 'broadcast' ? notice.broadcast.repeats : 1} 遍`
            : '';
      const to = notice.channel === 'wechat' ? (notice.wechat.tagId === undefined ? '全部粉丝' : `标签 ${notice.wechat.tagId} 的粉丝`) : audienceText(notice.audience, registry);
      out.push(`  · ${channelLabels[notice.channel]} ${notice.id}${notice.title ? ` ${notice.title}` : ''} → ${to}  ${detail}`);
      for (const send of evaluation.sends) {
        sends += 1;
        const notes = [
          ...(send.holiday?.action === 'moved' ? [movedReason(send.holiday, send.local)] : []),
          ...(send.movedFrom ? [`原定 ${send.movedFrom.replace('T', ' ')}，避开免打扰时段`] : []),
        ];
        out.push(`      ${send.local.replace('T', ' ')}${notes.length > 0 ? `  (${notes.join('；')})` : ''}`);
      }
      for (const skipped of evaluation.skipped) out.push(`      ${skipped.local.replace('T', ' ')}  ✗ ${skipped.reason}`);
      // Moves and skips are printed next to their sends above.
      for (const warning of evaluation.warnings.filter((line) => !evaluation.holidayNotes.includes(line))) out.push(`      ⚠ ${warning}`);
    }
  }
  out.push('');
  out.push(`OK: ${plan.campaigns.length} campaigns, ${notices} notices, ${sends} sends.`);
  console.log(quiet ? out[out.length - 1] : out.join('\n'));
}

function printReport(report: LoadReport): void {
  const lines = [`${report.dryRun ? 'Would load' : 'Loaded'} the ${report.year} plan (${actionLabel[report.plan] ?? report.plan}):`];
  const tally = (entries: { action: string }[]) =>
    Object.entries(entries.reduce<Record<string, number>>((sums, entry) => ({ ...sums, [entry.action]: (sums[entry.action] ?? 0) + 1 }), {}))
      .map(([action, count]) => `${count} ${action}`)
      .join(', ') || 'none';
  lines.push(`  campaigns: ${tally(report.campaigns)}`);
  lines.push(`  notices:   ${tally(report.notices)}`);
  if (report.registry) lines.push(`  registry:  ${report.registry.created} new, ${report.registry.updated} changed, ${report.registry.unchanged} unchanged`);
  if (report.smsTemplates) lines.push(`  templates: ${report.smsTemplates.created} new, ${report.smsTemplates.updated} changed, ${report.smsTemplates.unchanged} unchanged`);
  for (const entry of [...report.campaigns, ...report.notices]) {
    if (entry.action === 'unchanged') continue;
    const id = 'campaignId' in entry ? `${entry.campaignId}/${entry.id}` : entry.id;
    lines.push(`  ${entry.action.padEnd(9)} ${id}${entry.reason ? `  — ${entry.reason}` : ''}`);
  }
  for (const missing of report.notInFile) {
    lines.push(`  not in file (left as is): ${missing.campaignId}${missing.noticeId ? `/${missing.noticeId}` : ''}`);
  }
  for (const returned of report.backToReview) {
    lines.push(`  back to review (its text changed): ${returned.campaignId}/${returned.id}`);
  }
  for (const year of report.holidays.unknownYears) lines.push(`  ⚠ ${year.message}`);
  for (const warning of report.holidays.warnings) lines.push(`  ⚠ ${warning.campaignId}/${warning.noticeId}  ${warning.message}`);
  for (const change of report.holidays.changes) lines.push(`  ↷ ${change.campaignId}/${change.noticeId}  ${change.date} ${change.message}`);
  lines.push(`  ${report.writes} writes.`);
  console.log(lines.join('\n'));
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      apply: { type: 'boolean' },
      'dry-run': { type: 'boolean' },
      quiet: { type: 'boolean', short: 'q' },
      county: { type: 'string' },
      'data-dir': { type: 'string' },
      aws: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const file = positionals[0];
  if (!file || positionals.length > 1) throw new UsageError('Name exactly one plan file.');
  if (values['dry-run'] && !values.apply) throw new UsageError('--dry-run goes with --apply.');

  const defaultTimeZone = configuredTimeZone();
  const read = await readPlanFile(file, { defaultTimeZone });
  if (!read.ok) {
    for (const problem of read.problems) console.error(formatProblem(problem));
    console.error(`\n${read.problems.length} problem(s); nothing was loaded.`);
    return 1;
  }
  printCalendar(read.plan, read.registry, read.timeZone, values.quiet ?? false);
  if (!values.apply) return 0;

  const target = await openTarget({ aws: values.aws ?? false, dataDir: values['data-dir'] ?? DEFAULT_DATA_DIR, county: values.county });
  try {
    const result = await loadPlan(
      { store: target.store, config: target.config, now: target.clock(), subscriptions: target.stationSubscriptions },
      {
        plan: read.plan,
        registry: read.registry,
        county: target.county,
        // The command line on the machine itself: admin-equivalent, filed as `system`.
        loader: { kind: 'system' },
        actor: { tokenId: 'cli', name: 'npm run plan' },
        dryRun: values['dry-run'] ?? false,
      },
    );
    if (!result.ok) {
      for (const problem of result.problems) console.error(`${file}  ${problem.path.join('.')}: ${problem.message}`);
      console.error(`\n${result.problems.length} problem(s) against the loaded registry; nothing was loaded.`);
      return 1;
    }
    printReport(result.report);
    return 0;
  } finally {
    await target.close();
  }
}

runCli(main, USAGE);
