/**
 * The shipped plans in campaigns/ against China's public holidays and make-up workdays: every
 * send that falls on one under `keep` is listed as a warning with its date and the holiday's
 * name, and no shipped year lacks holiday data.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { evaluateNotice } from '../../functions/domain/notice-check.js';
import { planFileSchema, planHolidays, resolveKeyDate, resolveSettings } from '../../functions/domain/plan.js';
import { planHolidayReport } from '../../functions/domain/plan-holidays.js';

const shipped = readdirSync('campaigns').filter((name) => /^\d{4}\.yaml$/.test(name));

describe('the shipped plans and holidays', () => {
  it('are there to check', () => {
    expect(shipped).toEqual(expect.arrayContaining(['2021.yaml', '2026.yaml']));
  });

  for (const name of shipped) {
    const plan = planFileSchema.parse(parse(readFileSync(`campaigns/${name}`, 'utf8')));
    const report = planHolidayReport(plan, 'Asia/Shanghai');

    it(`${name}: has holiday data for its year`, () => {
      expect(report.unknownYears).toEqual([]);
    });

    it(`${name}: lists every send on a holiday or make-up workday, with its date and the holiday`, () => {
      // Recomputed independently: each send's planned date looked up in the calendar.
      const calendar = planHolidays(plan);
      const context = { timeZone: 'Asia/Shanghai', settings: resolveSettings(plan.settings), templates: plan.smsTemplates, holidays: calendar };
      const onMarkedDays = plan.campaigns.flatMap((campaign) =>
        campaign.notices.flatMap((notice) =>
          evaluateNotice(notice, { window: campaign.window, keyDate: resolveKeyDate(campaign.keyDate, plan.year) }, context)
            .sends.filter((send) => send.holiday?.action === 'kept')
            .map((send) => `${campaign.id}/${notice.id} ${send.local.slice(0, 10)}`),
        ),
      );
      expect(report.warnings.map((entry) => `${entry.campaignId}/${entry.noticeId} ${entry.date}`)).toEqual(onMarkedDays);
      for (const entry of report.warnings) {
        const mark = calendar.mark(entry.date);
        expect(mark, entry.date).toBeDefined();
        expect(entry.message).toContain(entry.date);
        expect(entry.message).toContain(mark?.name);
      }
    });
  }

  it('2021.yaml: the Monday broadcasts meet 春节, 清明, 劳动节, 端午, 中秋 and 国庆', () => {
    const plan = planFileSchema.parse(parse(readFileSync('campaigns/2021.yaml', 'utf8')));
    expect(planHolidayReport(plan, 'Asia/Shanghai').warnings.map((entry) => `${entry.date} ${entry.holiday}`)).toEqual([
      '2021-02-15 春节',
      '2021-04-05 清明节',
      '2021-05-03 劳动节',
      '2021-06-14 端午节',
      '2021-09-20 中秋节',
      '2021-10-04 国庆节',
    ]);
  });
});
