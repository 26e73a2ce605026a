/**
 * The duty report's workbook, read back with exceljs: the 总表 with a row per department and the
 * county's paragraph, a sheet per department with its duties against targets and its activities,
 * sheet names Excel accepts, and text that would run as a formula neutralised.
 */
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { buildDutyReport, departmentReport } from '../../functions/domain/duty-report.js';
import { dutyReportToXlsx, sheetNames } from '../../functions/reports/duty-report.js';
import { activities, anActivity, dutyReportInput } from '../support/duty-report.js';

async function readBack(bytes: Uint8Array) {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(bytes.buffer as ArrayBuffer);
  return workbook;
}

/** A sheet's rows as plain values, row 1 first. */
function rowsOf(workbook: ExcelJS.Workbook, name: string): unknown[][] {
  const sheet = workbook.getWorksheet(name);
  if (!sheet) throw new Error(`no sheet ${name}`);
  const rows: unknown[][] = [];
  sheet.eachRow({ includeEmpty: true }, (row, number) => {
    rows[number - 1] = (row.values as unknown[]).slice(1);
  });
  return rows;
}
const rowStarting = (rows: unknown[][], first: unknown) => rows.find((row) => row?.[0] === first);

describe('the duty report as a workbook', () => {
  it('has a 总表 with each department’s figures and the county paragraph, then a sheet per department', async () => {
    const report = buildDutyReport(dutyReportInput('2031-12-31'));
    const workbook = await readBack(await dutyReportToXlsx(report));
    expect(workbook.worksheets.map((sheet) => sheet.name)).toEqual(['总表', '县司法局', '县公安局', '县市场监督管理局', '县教育局', '县卫生健康局']);

    const summary = rowsOf(workbook, '总表');
    expect(summary[1]?.[0]).toBe(report.county?.paragraph);
    expect(summary[2]).toEqual(['责任单位', '责任项数', '已完成', '进度正常', '进度滞后', '逾期未完成', '未开始', '活动场次', '参与人次', '发放资料(份)', '备注']);
    expect(rowStarting(summary, '县公安局')?.slice(0, 10)).toEqual(['县公安局', 3, 1, 0, 0, 2, 0, 4, 2200, 12_000]);
    expect(rowStarting(summary, '县卫生健康局')).toEqual(['县卫生健康局', 0, 0, 0, 0, 0, 0, 1, 300, 200, '未列入责任清单']);
    expect(rowStarting(summary, '合计')?.slice(0, 10)).toEqual(['合计', 5, 2, 0, 0, 3, 0, 6, 3300, 15_200]);

    const police = rowsOf(workbook, '县公安局');
    expect(police.some((row) => row?.[0] === report.departments.find((item) => item.id === 'gongan')?.paragraph)).toBe(true);
    const dutyRows = police.filter((row) => row?.[1] === '开展禁毒宣传');
    expect(dutyRows).toEqual([
      [1, '开展禁毒宣传', '2031-06-01至2031-06-30', '活动场次', 4, 2, 50, 4, '逾期未完成'],
      [1, '开展禁毒宣传', '2031-06-01至2031-06-30', '发放资料(份)', 2000, 1500, 75, 2000, '逾期未完成'],
    ]);
    expect(rowStarting(police, '合计')).toEqual(['合计', '活动场次', 4, '参与人次', 2200, '发放资料(份)', 12_000]);
    expect(rowStarting(police, '按乡镇')).toEqual(['按乡镇', '城厢镇 2', '始阳镇 2']);
    expect(rowStarting(police, '2031-06-10')).toEqual(['2031-06-10', '始阳镇', '集中宣传活动', '禁毒防艾', '禁毒宣传进校园', 1500, 1500]);
    expect(rowsOf(workbook, '县教育局').some((row) => row?.[0] === '未列入本年度普法责任清单')).toBe(true);
  });

  it('has one department’s sheet alone for a one-department report', async () => {
    const report = departmentReport(buildDutyReport(dutyReportInput('2031-12-31')), 'shichang');
    if (!report) throw new Error('no shichang');
    const workbook = await readBack(await dutyReportToXlsx(report));
    expect(workbook.worksheets.map((sheet) => sheet.name)).toEqual(['县市场监督管理局']);
  });

  it('neutralises text a spreadsheet would run as a formula', async () => {
    const report = buildDutyReport({ ...dutyReportInput('2031-12-31'), activities: [...activities, anActivity('2031-07-01', ['gongan'], { title: '=HYPERLINK("http://x","点")' })] });
    const police = rowsOf(await readBack(await dutyReportToXlsx(report)), '县公安局');
    expect(rowStarting(police, '2031-07-01')?.[4]).toBe(`'=HYPERLINK("http://x","点")`);
  });

  it('names sheets as Excel allows: no forbidden characters, 31 characters at most, no two alike', () => {
    expect(sheetNames(['县/司法:局', '总表', 'a'.repeat(40), 'a'.repeat(40)])).toEqual(['县_司法_局', '总表(2)', 'a'.repeat(31), `${'a'.repeat(28)}(2)`]);
  });
});
