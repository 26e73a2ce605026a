/**
 * @module pages/budget
 * The month's SMS spend against the county's budget, as the dashboard shows it: a line when all
 * is well, a red notice with the reason when the dispatcher has stopped SMS for the budget.
 */
import type { Child } from 'hono/jsx';
import { formatUsd, formatYuan, type BudgetView } from '../domain/sms-budget.js';

export function BudgetCard(props: { budget: BudgetView; children?: Child }) {
  const { budget } = props;
  const used = budget.monthlyYuan ? Math.min(100, Math.round((budget.spentYuan / budget.monthlyYuan) * 100)) : undefined;
  return (
    <section class="card" aria-labelledby="budget-title" id="sms-budget">
      <h2 id="budget-title" style="font-size:1.1rem;margin-top:0">
        本月短信费用（{budget.month}）
      </h2>
      {budget.stopped && budget.reason && (
        <p class="flash err" role="alert" id="budget-stop">
          {budget.reason}
        </p>
      )}
      <p>
        已用 <strong id="budget-spent">{formatYuan(budget.spentYuan)}</strong>（约 {formatUsd(budget.spentUsd)}，其中运营商回执实际费用 {formatYuan(budget.realYuan)}，共 {budget.sms.toLocaleString('zh-CN')} 条）
        {budget.monthlyYuan === undefined ? (
          <span id="budget-limit">，未设月度预算（不限）</span>
        ) : (
          <span id="budget-limit">
            ，月度预算 {formatYuan(budget.monthlyYuan)}
            {budget.source === 'default' ? '（部署默认值）' : ''}，剩余 {formatYuan(budget.remainingYuan ?? 0)}
            {used !== undefined ? `（已用 ${used}%）` : ''}
          </span>
        )}
      </p>
      {props.children}
      <p class="muted">
        按 1 美元 = {budget.yuanPerUsd} 元折算；有回执的短信按实际费用计，其余按估算。预算由县依法治县办或管理员在此填写（或通过 PUT /sms-budget 设置）；提高后，暂停的短信在下一轮发送时自动恢复。
      </p>
    </section>
  );
}
