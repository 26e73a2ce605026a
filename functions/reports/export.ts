/**
 * @module reports/export
 * Writing tally tables as files county offices open in Excel: CSV in UTF-8 with a byte-order mark
 * (without it Excel shows Chinese as mojibake), and an .xlsx workbook with one sheet per breakdown.
 * exceljs (about a third of the API bundle with its dependencies) is imported only when a workbook
 * is asked for, and the CSV writer only when a CSV is, so the API's cold start loads neither.
 */
import type { Table } from '../domain/tally-table.js';

const BOM = '\ufeff';

/**
 * A text cell that a spreadsheet would read as a formula (`=`, `+`, `-`, `@`, tab, carriage return,
 * also after leading spaces) gets a leading `'`, as OWASP advises against CSV injection
 * (`=cmd|'/C calc'!A0`). Numbers stay numbers, negative ones too: only text is touched.
 */
const FORMULA_START = /^\s*[=+\-@\t\r]/;

export function neutraliseCell(cell: string | number): string | number {
  return typeof cell === 'string' && FORMULA_START.test(cell) ? `'${cell}` : cell;
}

export async function tableToCsv(table: Table): Promise<string> {
  const { stringify } = await import('csv-stringify/sync');
  return BOM + stringify([table.headers, ...table.rows].map((row) => row.map(neutraliseCell)), { record_delimiter: 'windows' });
}

export async function tablesToXlsx(tables: readonly Table[], sheetNames: readonly string[]): Promise<Uint8Array> {
  const { default: ExcelJS } = await import('exceljs');
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'pufa';
  tables.forEach((table, index) => {
    const sheet = workbook.addWorksheet(sheetNames[index] ?? `Sheet${index + 1}`);
    sheet.addRow([table.title]).font = { bold: true, size: 13 };
    sheet.addRow(table.headers).font = { bold: true };
    for (const row of table.rows) sheet.addRow(row);
    const totals = table.totals === false ? undefined : sheet.lastRow;
    if (totals) totals.font = { bold: true };
    sheet.columns.forEach((column, columnIndex) => {
      column.width = columnIndex === 0 ? 16 : 14;
    });
    sheet.views = [{ state: 'frozen', ySplit: 2 }];
  });
  return new Uint8Array(await workbook.xlsx.writeBuffer());
}
