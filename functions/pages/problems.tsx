/**
 * @module pages/problems
 * Mistakes in a form, said in Chinese: each names the field as the form labels it and says what to
 * do. The API's own message (English, for developers) stays beside it in small print, so a staff
 * member can pass it on when asking for help.
 */
import type { DomainError, FieldProblem } from '../domain/errors.js';

interface FieldHelp {
  label: string;
  todo: string;
}

/** Field paths (without `body.`), most specific first when one path starts another. */
const HELP: Record<string, FieldHelp> = {
  // Activity records.
  date: { label: '日期', todo: '请填写活动实际举行的日期：不能晚于明天，且该年的年度计划已载入。' },
  township: { label: '乡镇', todo: '请从名录中选择乡镇。' },
  village: { label: '村', todo: '请选择属于所选乡镇的村，或选“全乡镇”。' },
  theme: { label: '主题', todo: '请选择当年年度计划中的主题。' },
  kind: { label: '宣传形式', todo: '请选择宣传形式。' },
  kindName: { label: '其他形式名称', todo: '宣传形式选“其他”时，请写明是什么形式。' },
  participants: { label: '参与人数', todo: '请填写 0 或正整数，并核对是否多写了位数。' },
  departments: { label: '责任部门', todo: '请从名录中的部门里勾选，每个部门只选一次，最多 10 个。' },
  materials: { label: '宣传资料', todo: '每一行请同时填写资料种类和份数（0 或正整数），并核对数量。' },
  notes: { label: '备注', todo: '备注过长，请删减。' },
  // Notices.
  title: { label: '标题', todo: '标题过长，请删减。' },
  channel: { label: '渠道', todo: '请选择短信、村村通广播或微信公众号；微信公众号须在年度计划中设置公众号类型（settings.wechat）。' },
  audience: { label: '受众', todo: '请至少选择一项受众：全县、乡镇、村或群体；所选须在名录中。' },
  'schedule.at': { label: '发送时间', todo: '请填写发送的日期和时刻，须在活动期间内。' },
  'schedule.days': { label: '相对节点日的天数', todo: '请填写整数，如 -1 表示节点日前一天；结果须在活动期间内。' },
  'schedule.rule': { label: '周期规则', todo: '请填写有效的周期规则，如 FREQ=WEEKLY;BYDAY=MO,TH（不要写 COUNT 或 UNTIL，期限由活动期间决定）。' },
  schedule: { label: '发送时间', todo: '请检查发送方式和时间，发送时间须在活动期间内。' },
  'sms.body': { label: '短信正文', todo: '请填写短信正文，并控制在允许的计费条数以内。' },
  sms: { label: '短信', todo: '请填写短信正文或选择已备案的模板。' },
  'broadcast.script': { label: '广播稿', todo: '请填写广播稿。' },
  'broadcast.airWindows': { label: '播出时段', todo: '播出时段须先开始后结束，如 07:00 至 08:00。' },
  'broadcast.repeats': { label: '重复遍数', todo: '请填写 1 到 10 之间的遍数。' },
  broadcast: { label: '广播', todo: '请填写广播稿和播出时段。' },
  'wechat.title': { label: '标题', todo: '微信公众号文章须有标题，不超过 64 字。' },
  'wechat.author': { label: '作者', todo: '作者不超过 16 字。' },
  'wechat.digest': { label: '摘要', todo: '摘要不超过 120 字。' },
  'wechat.body': { label: '文章正文', todo: '请填写文章正文（去掉不允许的标签后须还有文字），并控制在 2 万字以内。' },
  'wechat.cover': { label: '封面', todo: '请上传一张 JPEG 或 PNG 图片作为封面。' },
  'wechat.sourceUrl': { label: '阅读原文链接', todo: '请填写以 https:// 开头的完整网址，或不填。' },
  'wechat.tagId': { label: '标签 ID', todo: '请填写公众号里标签的数字 ID，或不填（发给全部粉丝）。' },
  wechat: { label: '微信公众号文章', todo: '请填写标题、正文并上传封面。' },
};

const HELP_PATHS = Object.keys(HELP).sort((a, b) => b.length - a.length);

/** The help for a field path such as `body.materials.0.count` or `broadcast.airWindows.0.to`. */
export function helpFor(field: string): FieldHelp {
  const path = field.replace(/^body\./, '');
  const known = HELP_PATHS.find((candidate) => path === candidate || path.startsWith(`${candidate}.`));
  return known ? (HELP[known] as FieldHelp) : { label: path, todo: '请检查这一项。' };
}

/** Labels and advice as one JSON object, for the composer's script (which shows preview problems). */
export function helpJson(): string {
  // `<` escaped so the JSON can sit inside a <script> element whatever its text.
  return JSON.stringify(HELP).replace(/</g, '\\u003c');
}

export function ProblemList(props: { problems: FieldProblem[] }) {
  if (props.problems.length === 0) return null;
  // One line per field: a field that fails two checks needs one piece of advice.
  const byLabel = new Map<string, { help: FieldHelp; details: string[] }>();
  for (const problem of props.problems) {
    const help = helpFor(problem.field);
    const entry = byLabel.get(help.label) ?? { help, details: [] };
    entry.details.push(problem.message);
    byLabel.set(help.label, entry);
  }
  return (
    <div class="flash err" role="alert">
      <p style="margin:0 0 .25rem">保存未成功，请修改以下内容后再试：</p>
      <ul style="margin:0;padding-left:1.5rem">
        {[...byLabel.values()].map(({ help, details }) => (
          <li>
            <strong>{help.label}</strong>：{help.todo}
            <span class="muted" style="font-size:.85rem">（{details.join('；')}）</span>
          </li>
        ))}
      </ul>
    </div>
  );
}

/** A refusal that is not about one field, said in Chinese with what to do, and its status. */
export function explainRefusal(error: DomainError): { status: 400 | 403 | 404 | 409 | 503; text: string } {
  switch (error.kind) {
    case 'forbidden':
      return { status: 403, text: '您的令牌无权做这件事（例如令牌只限某个乡镇）。如需要，请联系系统管理员。' };
    case 'not-found':
      return { status: 404, text: '没有找到要操作的内容，它可能已被删除。请刷新页面后再试。' };
    case 'conflict':
      return { status: 409, text: '状态已变化（可能有人刚刚修改或审核过），请刷新页面查看最新状态后再操作。' };
    case 'unavailable':
      return { status: 503, text: '服务暂时不可用，请稍后再试。' };
    default:
      return { status: 400, text: '保存未成功，请检查填写的内容后重试。' };
  }
}
