/**
 * @module pages/progress-bars
 * The dashboard's 目标完成情况: a horizontal bar for each measure of each target (county,
 * townships, departments, with months of their own) and of each duty of the responsibility list.
 * A bar is coloured by its state but never by colour alone: it carries its text
 * (`126/120 场次 105% 已完成`) and a marker where an even pace would be. Tables with captions and
 * row headers, each bar a `progressbar` with its text as `aria-valuetext`; prints in colour.
 */
import { measureLabels, type ProgressState } from '../domain/pace.js';
import type { LabelledDuty, LabelledMeasure, LabelledTarget, LabelledTargets } from '../domain/progress-table.js';

const CSS = `
.progress{table-layout:fixed}.progress th:nth-child(1){width:30%}.progress th:nth-child(2){width:9rem}.progress th:nth-child(3){width:4.5rem}
.pbar{position:relative;height:1.1rem;background:#eaeef2;border:1px solid #8c959f;border-radius:3px;overflow:hidden}
.pfill{position:absolute;left:0;top:0;bottom:0}
.ppace{position:absolute;top:-2px;bottom:-2px;width:0;border-left:2px dashed #1f2328}
.state-done .pfill,.state-on-track .pfill{background:#1a7f37}.state-behind .pfill{background:#d4a72c}
.state-overdue .pfill{background:#cf222e}.state-not-started .pfill{background:#8c959f}
.ptext{font-size:.9rem;white-space:nowrap}
.legend span{margin-right:1rem;white-space:nowrap}.legend i{display:inline-block;width:.9rem;height:.9rem;vertical-align:middle;margin-right:.25rem;border:1px solid #8c959f}
@media print{.pbar,.pfill,.legend i{-webkit-print-color-adjust:exact;print-color-adjust:exact}.progress{break-inside:avoid}}
`;

const swatches: [ProgressState, string, string][] = [
  ['done', '#1a7f37', '已完成 / 进度正常'],
  ['behind', '#d4a72c', '进度滞后'],
  ['overdue', '#cf222e', '逾期未完成'],
  ['not-started', '#8c959f', '未开始'],
];

export interface BarRow {
  name: string;
  period: string;
  measure: LabelledMeasure;
}

function Bar(props: { row: BarRow }) {
  const { name, period, measure } = props.row;
  const width = Math.min(100, Math.max(0, measure.percent));
  const pace = measure.target === 0 ? 100 : Math.min(100, Math.round((measure.expected / measure.target) * 100));
  return (
    <tr class={`progress-row state-${measure.state}`} data-state={measure.state}>
      <th scope="row">{name}</th>
      <td>{period}</td>
      <td>{measureLabels[measure.measure]}</td>
      <td class="bar">
        <div
          class="pbar"
          role="progressbar"
          aria-label={`${name} ${period} ${measureLabels[measure.measure]}`}
          aria-valuemin={0}
          aria-valuemax={100}
          aria-valuenow={width}
          aria-valuetext={measure.text}
        >
          <span class="pfill" style={`width:${width}%`} />
          <span class="ppace" style={`left:${pace}%`} title={`按进度应完成 ${measure.expected}`} data-expected={String(measure.expected)} />
        </div>
        <span class="ptext">{measure.text}</span>
      </td>
    </tr>
  );
}

/** A table of bars with a caption; nothing when there are no rows. Pages that use it outside ProgressSection add `<ProgressStyle />`. */
export function BarTable(props: { id: string; caption: string; first: string; rows: BarRow[] }) {
  if (props.rows.length === 0) return <></>;
  return (
    <table class="progress" id={props.id} style="margin-bottom:1rem">
      <caption style="text-align:left;font-weight:600;padding:.25rem 0">{props.caption}</caption>
      <thead>
        <tr>
          <th scope="col">{props.first}</th>
          <th scope="col">时段</th>
          <th scope="col">指标</th>
          <th scope="col">完成情况（虚线为按进度应完成的位置）</th>
        </tr>
      </thead>
      <tbody>
        {props.rows.map((row) => (
          <Bar row={row} />
        ))}
      </tbody>
    </table>
  );
}

function targetRows(targets: readonly LabelledTarget[]): BarRow[] {
  return targets.flatMap((target) => [
    ...target.measures.map((measure) => ({ name: target.name, period: '全年', measure })),
    ...target.months.flatMap((month) => month.measures.map((measure) => ({ name: target.name, period: `${month.month}月`, measure }))),
  ]);
}

/** The bars' style sheet and the legend of their colours (never the only sign: each bar carries its text). */
export function ProgressStyle() {
  return <style dangerouslySetInnerHTML={{ __html: CSS }} />;
}

export function ProgressLegend() {
  return (
    <p class="legend muted" style="font-size:.9rem">
      {swatches.map(([state, colour, label]) => (
        <span data-legend={state}>
          <i style={`background:${colour}`} />
          {label}
        </span>
      ))}
      <span>按年内时间均衡推进计算应完成数</span>
    </p>
  );
}

export function ProgressSection(props: { year: number; date: string; targets: LabelledTargets | undefined; duties: readonly LabelledDuty[]; planLoaded: boolean }) {
  const { targets, duties } = props;
  const none = !targets?.county && (targets?.townships.length ?? 0) === 0 && (targets?.departments.length ?? 0) === 0 && duties.length === 0;
  return (
    <section class="card" aria-labelledby="progress-title" id="progress">
      <ProgressStyle />
      <h2 id="progress-title" style="font-size:1.1rem;margin-top:0">
        目标完成情况<span class="muted" style="font-weight:normal">（截至 {props.date}）</span>
      </h2>
      {none ? (
        <p class="muted">{props.planLoaded ? `${props.year} 年计划中没有年度目标（targets:）或普法责任清单（responsibilities:）。` : `${props.year} 年计划尚未载入。`}</p>
      ) : (
        <>
          <ProgressLegend />
          <BarTable id="targets-county" caption="全县目标" first="范围" rows={targetRows(targets?.county ? [targets.county] : [])} />
          <BarTable id="targets-townships" caption="各乡镇目标" first="乡镇" rows={targetRows(targets?.townships ?? [])} />
          <BarTable id="targets-departments" caption="各部门目标" first="部门" rows={targetRows(targets?.departments ?? [])} />
          <BarTable
            id="duties"
            caption="普法责任清单"
            first="责任部门 / 事项"
            rows={duties.flatMap((duty) => duty.measures.map((measure) => ({ name: `${duty.departmentName}：${duty.duty}`, period: `${duty.from.slice(5)} 至 ${duty.to.slice(5)}`, measure })))}
          />
        </>
      )}
    </section>
  );
}
