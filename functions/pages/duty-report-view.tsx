/**
 * @module pages/duty-report-view
 * The duty report's printable body (pages/duty-report): the header with the county and year, the
 * county summary (一、总体情况) and each department's section — paragraph, duties against targets,
 * activity counts and list — as bordered tables. Markup only; the page's CSS breaks a page before
 * each department in print.
 */
import { measureLabels, type DepartmentReport, type DutyReport, type TargetLine } from '../domain/duty-report.js';

const n = (value: number) => value.toLocaleString('zh-CN');

function Targets(props: { targets: readonly TargetLine[] }) {
  if (props.targets.length === 0) return null;
  return (
    <>
      <h4>目标完成情况</h4>
      <table>
        <thead>
          <tr>
            <th>对象</th>
            <th>指标</th>
            <th class="n">目标</th>
            <th class="n">完成</th>
            <th class="n">完成率</th>
          </tr>
        </thead>
        <tbody>
          {props.targets.map((line) => (
            <tr>
              <td>{line.label}</td>
              <td>{measureLabels[line.measure]}</td>
              <td class="n">{n(line.target)}</td>
              <td class="n">{n(line.done)}</td>
              <td class="n">{line.percent}%</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

export function Report(props: { report: DutyReport; countyName: string }) {
  const { report } = props;
  const county = report.county;
  return (
    <article class="report" id="report">
      <div class="report-head">
        {props.countyName && <p>{props.countyName}</p>}
        <h2>
          {report.year}年度“谁执法谁普法”普法责任制履职情况{report.departments.length === 1 && !county ? `（${report.departments[0]?.name ?? ''}）` : ''}
        </h2>
        <p>
          统计至 {report.on}（{report.period}）
        </p>
      </div>
      {county && (
        <section id="county">
          <h3>一、总体情况</h3>
          <p class="paragraph" id="county-paragraph">
            {county.paragraph}
          </p>
          <table id="summary">
            <thead>
              <tr>
                <th>责任单位</th>
                <th class="n">责任项数</th>
                <th class="n">已完成</th>
                <th class="n">进度正常</th>
                <th class="n">进度滞后</th>
                <th class="n">逾期未完成</th>
                <th class="n">未开始</th>
                <th class="n">活动场次</th>
                <th class="n">参与人次</th>
                <th class="n">发放资料(份)</th>
              </tr>
            </thead>
            <tbody>
              {county.rows.map((row) => (
                <tr data-department={row.department}>
                  <td>
                    {row.name}
                    {row.listed ? '' : '（未列入责任清单）'}
                  </td>
                  <td class="n">{row.duties}</td>
                  <td class="n">{row.states.done}</td>
                  <td class="n">{row.states['on-track']}</td>
                  <td class="n">{row.states.behind}</td>
                  <td class="n">{row.states.overdue}</td>
                  <td class="n">{row.states['not-started']}</td>
                  <td class="n">{n(row.figures.activities)}</td>
                  <td class="n">{n(row.figures.participants)}</td>
                  <td class="n">{n(row.figures.materials)}</td>
                </tr>
              ))}
              <tr>
                <th>合计</th>
                <th class="n">{county.duties}</th>
                <th class="n">{county.states.done}</th>
                <th class="n">{county.states['on-track']}</th>
                <th class="n">{county.states.behind}</th>
                <th class="n">{county.states.overdue}</th>
                <th class="n">{county.states['not-started']}</th>
                <th class="n">{n(county.figures.activities)}</th>
                <th class="n">{n(county.figures.participants)}</th>
                <th class="n">{n(county.figures.materials)}</th>
              </tr>
            </tbody>
          </table>
          <p class="muted" style="font-size:.85rem">多个单位共同开展的活动计入每个单位，合计中只计一次。</p>
          <Targets targets={county.targets} />
        </section>
      )}
      {report.departments.map((department, index) => (
        <Department department={department} index={index} numbered={county !== undefined} break={county !== undefined || index > 0} />
      ))}
    </article>
  );
}

const chineseNumerals = ['一', '二', '三', '四', '五', '六', '七', '八', '九', '十'];
/** 二、 三、 … for the departments after the county's 一、; plain numbers past 十. */
const heading = (index: number) => `${chineseNumerals[index + 1] ?? String(index + 2)}、`;

function Department(props: { department: DepartmentReport; index: number; numbered: boolean; break: boolean }) {
  const { department } = props;
  return (
    <section class={props.break ? 'dept break' : 'dept'} id={`dept-${department.id}`}>
      <h3>
        {props.numbered ? heading(props.index) : ''}
        {department.name}
      </h3>
      {department.contact && <p class="muted">联系：{department.contact}</p>}
      <p class="paragraph">{department.paragraph}</p>
      <h4>普法责任清单完成情况</h4>
      {department.duties.length === 0 ? (
        <p>未列入本年度普法责任清单。</p>
      ) : (
        <table class="duties">
          <thead>
            <tr>
              <th>序号</th>
              <th>责任内容</th>
              <th>起止日期</th>
              <th>指标</th>
              <th class="n">目标</th>
              <th class="n">完成</th>
              <th class="n">完成率</th>
              <th>状态</th>
            </tr>
          </thead>
          <tbody>
            {department.duties.flatMap((duty, index) =>
              duty.measures.map((measure, measureIndex) => (
                <tr>
                  {measureIndex === 0 && <td rowspan={duty.measures.length}>{index + 1}</td>}
                  {measureIndex === 0 && <td rowspan={duty.measures.length}>{duty.duty}</td>}
                  {measureIndex === 0 && (
                    <td rowspan={duty.measures.length} style="white-space:nowrap">
                      {duty.from}
                      <br />至 {duty.to}
                    </td>
                  )}
                  <td>{measureLabels[measure.measure]}</td>
                  <td class="n">{n(measure.target)}</td>
                  <td class="n">{n(measure.done)}</td>
                  <td class="n">{measure.percent}%</td>
                  {measureIndex === 0 && <td rowspan={duty.measures.length}>{duty.stateLabel}</td>}
                </tr>
              )),
            )}
          </tbody>
        </table>
      )}
      <Targets targets={department.targets} />
      <h4>活动统计</h4>
      <table class="counts">
        <tbody>
          <tr>
            <th>合计</th>
            <td>
              活动 {n(department.figures.activities)} 场次，参与 {n(department.figures.participants)} 人次，发放资料 {n(department.figures.materials)} 份
            </td>
          </tr>
          <tr>
            <th>按宣传形式</th>
            <td>{department.byKind.map((row) => `${row.label} ${row.activities}`).join('，') || '—'}</td>
          </tr>
          <tr>
            <th>按乡镇</th>
            <td>{department.byTownship.map((row) => `${row.label} ${row.activities}`).join('，') || '—'}</td>
          </tr>
          <tr>
            <th>按月份</th>
            <td>
              {department.byMonth
                .map((count, month) => (count > 0 ? `${month + 1}月 ${count}` : ''))
                .filter((text) => text !== '')
                .join('，') || '—'}
            </td>
          </tr>
        </tbody>
      </table>
      {department.activities.length > 0 && (
        <>
          <h4>活动明细</h4>
          <table class="activities">
            <thead>
              <tr>
                <th>日期</th>
                <th>乡镇</th>
                <th>宣传形式</th>
                <th>主题</th>
                <th>活动名称</th>
                <th class="n">参与人次</th>
                <th class="n">发放资料(份)</th>
              </tr>
            </thead>
            <tbody>
              {department.activities.map((activity) => (
                <tr>
                  <td style="white-space:nowrap">{activity.date}</td>
                  <td>{activity.townshipName}</td>
                  <td>{activity.kindLabel}</td>
                  <td>{activity.themeName}</td>
                  <td>{activity.title}</td>
                  <td class="n">{n(activity.participants)}</td>
                  <td class="n">{n(activity.materials)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}
