/**
 * @module reports/duty-report
 * The year-end duty report (履职情况) as an Excel workbook: a 总表 sheet with the county's row per
 * department and its paragraph, then one sheet per department — its paragraph, its duties against
 * their targets, its activities counted by kind, township and month, and the list of them. Every
 * text cell goes through `neutraliseCell` (reports/export), since duties, titles and names are
 * typed by people; exceljs is imported only when a workbook is asked for.
 */
import type { Worksheet } from 'exceljs';
import { measureLabels, type DepartmentReport, type DutyReport, type TargetLine } from '../domain/duty-report.js';
import { dutyStateLabels, type DutyState } from '../domain/duty-progress.js';
import { neutraliseCell } from './export.js';

export const SUMMARY_SHEET = '总表';

const summaryHeaders = ['责任单位', '责任项数', '已完成', '进度正常', '进度滞后', '逾期未完成', '未开始', '活动场次', '参与人次', '发放资料(份)', '备注'];
const stateColumns: DutyState[] = ['done', 'on-track', 'behind', 'overdue', 'not-started'];

/** Excel's rules for a sheet name: at most 31 characters, none of \ / ? * [ ] :, unique in the book (case aside). */
export function sheetNames(names: readonly string[], taken: readonly string[] = [SUMMARY_SHEET]): string[] {
  const used = new Set(taken.map((name) => name.toLowerCase()));
  return names.map((raw) => {
    const base = (raw.replace(/[\\/?*[\]:]/g, '_').replace(/^'|'$/g, '_').trim() || '部门').slice(0, 31);
    let name = base;
    for (let count = 2; used.has(name.toLowerCase()); count += 1) name = `${base.slice(0, 31 - String(count).length - 2)}(${count})`;
    used.add(name.toLowerCase());
    return name;
  });
}

type Cell = string | number;

function addRow(sheet: Worksheet, cells: readonly Cell[], style: 'bold' | 'title' | 'plain' = 'plain') {
  const row = sheet.addRow(cells.map(neutraliseCell));
  if (style === 'bold') row.font = { bold: true };
  if (style === 'title') row.font = { bold: true, size: 13 };
  return row;
}

/** A paragraph in one wide, wrapped cell. */
function addParagraph(sheet: Worksheet, text: string, columns: number) {
  const row = addRow(sheet, [text]);
  sheet.mergeCells(row.number, 1, row.number, columns);
  row.alignment = { wrapText: true, vertical: 'top' };
  // Excel does not grow merged rows to their text: about 40 characters a line across the merge.
  row.height = Math.max(1, Math.ceil(text.length / 40)) * 16;
}

function addTargets(sheet: Worksheet, targets: readonly TargetLine[]) {
  if (targets.length === 0) return;
  addRow(sheet, []);
  addRow(sheet, ['目标完成情况'], 'bold');
  addRow(sheet, ['对象', '指标', '目标', '完成', '完成率(%)'], 'bold');
  for (const line of targets) addRow(sheet, [line.label, measureLabels[line.measure], line.target, line.done, line.percent]);
}

function summarySheet(sheet: Worksheet, report: DutyReport) {
  const county = report.county;
  if (!county) return;
  addRow(sheet, [`${report.year}年度普法责任制履职情况总表(${report.period},统计至${report.on})`], 'title');
  addParagraph(sheet, county.paragraph, summaryHeaders.length);
  addRow(sheet, summaryHeaders, 'bold');
  for (const row of county.rows) {
    addRow(sheet, [row.name, row.duties, ...stateColumns.map((state) => row.states[state]), row.figures.activities, row.figures.participants, row.figures.materials, row.listed ? '' : '未列入责任清单']);
  }
  addRow(sheet, ['合计', county.duties, ...stateColumns.map((state) => county.states[state]), county.figures.activities, county.figures.participants, county.figures.materials, '活动合计按场次去重(多个单位共同开展的只计一次)'], 'bold');
  addTargets(sheet, county.targets);
  sheet.columns.forEach((column, index) => {
    column.width = index === 0 ? 20 : index === summaryHeaders.length - 1 ? 28 : 11;
  });
  sheet.views = [{ state: 'frozen', ySplit: 3 }];
}

function departmentSheet(sheet: Worksheet, report: DutyReport, department: DepartmentReport) {
  const width = 9;
  addRow(sheet, [`${department.name} ${report.year}年度普法责任制履职情况(${report.period},统计至${report.on})`], 'title');
  if (department.contact) addRow(sheet, [`联系:${department.contact}`]);
  addParagraph(sheet, department.paragraph, width);

  addRow(sheet, []);
  addRow(sheet, ['普法责任清单'], 'bold');
  if (department.duties.length === 0) addRow(sheet, ['未列入本年度普法责任清单']);
  else {
    addRow(sheet, ['序号', '责任内容', '起止日期', '指标', '目标', '完成', '完成率(%)', '按进度应完成', '状态'], 'bold');
    department.duties.forEach((duty, index) => {
      for (const measure of duty.measures) {
        addRow(sheet, [index + 1, duty.duty, `${duty.from}至${duty.to}`, measureLabels[measure.measure], measure.target, measure.done, measure.percent, measure.expected, dutyStateLabels[duty.state]]);
      }
    });
  }
  addTargets(sheet, department.targets);

  addRow(sheet, []);
  addRow(sheet, ['活动统计'], 'bold');
  addRow(sheet, ['合计', '活动场次', department.figures.activities, '参与人次', department.figures.participants, '发放资料(份)', department.figures.materials]);
  addRow(sheet, ['按宣传形式', ...department.byKind.map((row) => `${row.label} ${row.activities}`)]);
  addRow(sheet, ['按乡镇', ...department.byTownship.map((row) => `${row.label} ${row.activities}`)]);
  addRow(sheet, ['按月份', ...department.byMonth.map((count, index) => `${index + 1}月 ${count}`)]);

  addRow(sheet, []);
  addRow(sheet, ['活动明细'], 'bold');
  addRow(sheet, ['日期', '乡镇', '宣传形式', '主题', '活动名称', '参与人次', '发放资料(份)'], 'bold');
  for (const activity of department.activities) {
    addRow(sheet, [activity.date, activity.townshipName, activity.kindLabel, activity.themeName, activity.title, activity.participants, activity.materials]);
  }
  sheet.columns.forEach((column, index) => {
    column.width = index === 1 ? 36 : 13;
  });
}

/** The report as an .xlsx file: 总表 first when the report has the county's summary, then a sheet per department. */
export async function dutyReportToXlsx(report: DutyReport): Promise<Uint8Array> {
  const { default: ExcelJS } = await import('exceljs');
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'pufa';
  if (report.county) summarySheet(workbook.addWorksheet(SUMMARY_SHEET), report);
  const names = sheetNames(report.departments.map((department) => department.name));
  report.departments.forEach((department, index) => departmentSheet(workbook.addWorksheet(names[index] ?? department.id), report, department));
  return new Uint8Array(await workbook.xlsx.writeBuffer());
}
