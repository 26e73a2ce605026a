/**
 * @module domain/plan-holidays
 * The plan's sends against the holiday calendar, for the load report (`npm run plan -- --apply`,
 * `POST /plans?dryRun=true`): every send kept on a public holiday or make-up workday (a warning,
 * with the date and the holiday), every send moved or skipped (with why), and the years neither
 * the library nor the plan has data for. The same evaluateNotice as every other check.
 */
import { markLabel, unknownYears, unknownYearWarning } from './holidays.js';
import { evaluateNotice } from './notice-check.js';
import { planHolidays, resolveKeyDate, resolveSettings, type PlanFile } from './plan.js';

export interface PlanHolidayEntry {
  campaignId: string;
  noticeId: string;
  /** The planned local date the holiday policy met. */
  date: string;
  holiday: string;
  action: 'kept' | 'moved' | 'skipped';
  message: string;
}

export interface PlanHolidayReport {
  /** Sends kept on a holiday or make-up workday (policy keep): staff should see them before approving. */
  warnings: PlanHolidayEntry[];
  /** Sends the policy moved or skipped. */
  changes: PlanHolidayEntry[];
  /** Years of the plan's campaigns without holiday data, each with its warning. */
  unknownYears: { year: number; message: string }[];
}

export function planHolidayReport(plan: PlanFile, timeZone: string): PlanHolidayReport {
  const holidays = planHolidays(plan);
  const context = { timeZone, settings: resolveSettings(plan.settings), templates: plan.smsTemplates, holidays };
  const report: PlanHolidayReport = { warnings: [], changes: [], unknownYears: [] };
  const years = [plan.year];
  for (const campaign of plan.campaigns) {
    years.push(Number(campaign.window.start.slice(0, 4)), Number(campaign.window.end.slice(0, 4)));
    const keyDate = resolveKeyDate(campaign.keyDate, plan.year);
    for (const notice of campaign.notices) {
      const evaluation = evaluateNotice(notice, { window: campaign.window, keyDate }, context);
      const ref = { campaignId: campaign.id, noticeId: notice.id };
      for (const send of evaluation.sends) {
        const note = send.holiday;
        if (!note) continue;
        const planned = (note.from ?? send.local).slice(0, 10);
        const holiday = markLabel(note);
        if (note.action === 'kept') {
          report.warnings.push({ ...ref, date: planned, holiday, action: 'kept', message: `${planned} 是 ${holiday}：照常发送（onHoliday: keep）` });
        } else {
          report.changes.push({ ...ref, date: planned, holiday, action: 'moved', message: `移至 ${send.local.slice(0, 10)}，因 ${holiday}` });
        }
      }
      for (const skipped of evaluation.skipped) {
        report.changes.push({ ...ref, date: skipped.local.slice(0, 10), holiday: markLabel(skipped), action: 'skipped', message: skipped.reason });
      }
    }
  }
  report.unknownYears = unknownYears(holidays, years).map((year) => ({ year, message: unknownYearWarning(year) }));
  return report;
}
