/**
 * The year-end duty report (履职情况) from given figures: each department's duties, activities and
 * paragraph, and the county's summary, at the year's end and part-way through it.
 */
import { describe, expect, it } from 'vitest';
import { buildDutyReport, defaultReportDate, departmentReport, periodPhrase } from '../../functions/domain/duty-report.js';
import { departments, dutyReportInput as input } from '../support/duty-report.js';

const department = (report: ReturnType<typeof buildDutyReport>, id: string) => report.departments.find((item) => item.id === id);

describe('the duty report at the year’s end', () => {
  const report = buildDutyReport(input('2031-12-31'));

  it('writes each department’s paragraph in the report’s phrasing, with what each unmet duty lacks', () => {
    expect(report.period).toBe('全年');
    expect(department(report, 'gongan')?.paragraph).toBe(
      '县公安局全年牵头开展普法宣传活动4场次,参与群众2200人次,发放宣传资料1.2万份;承担的3项普法责任中已完成1项,2项逾期未完成(“开展禁毒宣传”:活动2/4场次、资料1500/2000份;“开展交通安全宣传”:参与200/1000人次)。',
    );
    expect(department(report, 'shichang')?.paragraph).toBe('县市场监督管理局全年牵头开展普法宣传活动2场次,参与群众1000人次,发放宣传资料3000份;承担的1项普法责任已全部完成。');
    // Its time ends on the report's date: judged as a day gone by, unmet is overdue.
    expect(department(report, 'sifa')?.paragraph).toBe('县司法局全年未登记普法宣传活动;承担的1项普法责任尚无一项完成,1项逾期未完成(“开展宪法宣传”:活动0/1场次)。');
    expect(department(report, 'weijian')?.paragraph).toBe('县卫生健康局全年牵头开展普法宣传活动1场次,参与群众300人次,发放宣传资料200份;未列入本年度普法责任清单。');
    expect(department(report, 'jiaoyu')?.paragraph).toBe('县教育局全年未登记普法宣传活动;未列入本年度普法责任清单。');
  });

  it('lists each department’s duties against their targets, and counts its activities by kind, township and month', () => {
    const police = department(report, 'gongan');
    expect(police?.duties.map((duty) => [duty.duty, duty.state, duty.stateLabel])).toEqual([
      ['开展禁毒宣传', 'overdue', '逾期未完成'],
      ['开展反诈宣传', 'done', '已完成'],
      ['开展交通安全宣传', 'overdue', '逾期未完成'],
    ]);
    expect(police?.duties[0]?.measures).toEqual([
      { measure: 'activities', target: 4, done: 2, percent: 50, expected: 4 },
      { measure: 'materials', target: 2000, done: 1500, percent: 75, expected: 2000 },
    ]);
    expect(police?.figures).toEqual({ activities: 4, participants: 2200, materials: 12_000 });
    expect(police?.byKind).toEqual([
      { value: 'event', label: '集中宣传活动', activities: 2 },
      { value: 'consultation', label: '咨询服务', activities: 1 },
      { value: 'banner', label: '标语', activities: 1 },
    ]);
    expect(police?.byTownship).toEqual([
      { value: 'chengxiang', label: '城厢镇', activities: 2 },
      { value: 'shiyang', label: '始阳镇', activities: 2 },
    ]);
    expect(police?.byMonth).toEqual([0, 0, 1, 0, 0, 2, 0, 0, 1, 0, 0, 0]);
    expect(police?.activities.map((activity) => [activity.date, activity.townshipName, activity.kindLabel, activity.participants, activity.materials])).toEqual([
      ['2031-03-15', '城厢镇', '咨询服务', 200, 0],
      ['2031-06-10', '始阳镇', '集中宣传活动', 1500, 1500],
      ['2031-06-20', '始阳镇', '标语', 0, 0],
      ['2031-09-01', '城厢镇', '集中宣传活动', 500, 10_500],
    ]);
    expect(police?.activities[1]).toMatchObject({ title: '禁毒宣传进校园', themeName: '禁毒防艾' });
    expect(police?.contact).toBe('政治处');
  });

  it('sums the county: one row per department, each activity once, the unlisted departments that held some, and a paragraph', () => {
    const county = report.county;
    expect(county?.rows.map((row) => [row.name, row.duties, row.states.done, row.states.behind, row.states.overdue, row.figures.activities, row.figures.participants, row.figures.materials])).toEqual([
      ['县司法局', 1, 0, 0, 1, 0, 0, 0],
      ['县公安局', 3, 1, 0, 2, 4, 2200, 12_000],
      ['县市场监督管理局', 1, 1, 0, 0, 2, 1000, 3000],
      ['县教育局', 0, 0, 0, 0, 0, 0, 0],
      ['县卫生健康局', 0, 0, 0, 0, 1, 300, 200],
    ]);
    // The activity two departments held together counts once; the one naming none not at all.
    expect(county?.figures).toEqual({ activities: 6, participants: 3300, materials: 15_200 });
    expect(county?.duties).toBe(5);
    expect(county?.unlisted).toEqual([{ department: 'weijian', name: '县卫生健康局', figures: { activities: 1, participants: 300, materials: 200 } }]);
    expect(county?.paragraph).toBe(
      '全年,全县3个普法责任单位承担普法责任5项,已完成2项,逾期未完成3项;逾期未完成的责任涉及县司法局、县公安局;各责任单位牵头开展普法宣传活动6场次,参与群众3300人次,发放宣传资料1.5万份;未列入责任清单的县卫生健康局也开展普法宣传活动1场次。',
    );
  });

  it('keeps a place for the plan’s targets, carried through as given', () => {
    expect(report.county?.targets).toEqual([]);
    const withTargets = buildDutyReport({ ...input('2031-12-31'), targets: { county: [{ label: '全县', measure: 'activities', target: 10, done: 6, percent: 60 }], departments: { gongan: [{ label: '县公安局', measure: 'materials', target: 20_000, done: 12_000, percent: 60 }] } } });
    expect(withTargets.county?.targets).toHaveLength(1);
    expect(department(withTargets, 'gongan')?.targets).toEqual([{ label: '县公安局', measure: 'materials', target: 20_000, done: 12_000, percent: 60 }]);
    expect(department(withTargets, 'sifa')?.targets).toEqual([]);
  });

  it('gives one department’s part alone, without the county summary', () => {
    const police = departmentReport(report, 'gongan');
    expect(police?.county).toBeUndefined();
    expect(police?.departments.map((item) => item.id)).toEqual(['gongan']);
    expect(departmentReport(report, 'nobody')).toBeUndefined();
  });
});

describe('the duty report part-way through the year', () => {
  it('counts up to the date and says so, with duties behind an even pace and not yet started', () => {
    const report = buildDutyReport(input('2031-06-15'));
    expect(report.period).toBe('截至6月15日');
    expect(department(report, 'gongan')?.paragraph).toBe(
      '县公安局截至6月15日牵头开展普法宣传活动2场次,参与群众1700人次,发放宣传资料1500份;承担的3项普法责任中已完成1项,1项逾期未完成(“开展交通安全宣传”:参与200/1000人次),1项进度滞后(“开展禁毒宣传”:活动1/4场次)。',
    );
    expect(department(report, 'sifa')?.paragraph).toBe('县司法局截至6月15日未登记普法宣传活动;承担的1项普法责任尚无一项完成,1项尚未开始。');
    expect(report.county?.paragraph).toBe(
      '截至6月15日,全县3个普法责任单位承担普法责任5项,已完成2项,进度滞后1项,逾期未完成1项,尚未开始1项;逾期未完成的责任涉及县公安局;进度滞后的责任涉及县公安局;各责任单位牵头开展普法宣传活动4场次,参与群众2800人次,发放宣传资料4700份;未列入责任清单的县卫生健康局也开展普法宣传活动1场次。',
    );
  });

  it('is judged on the year’s last day once the year is over, today while it runs, its first day before it', () => {
    expect(defaultReportDate(2031, '2032-01-05')).toBe('2031-12-31');
    expect(defaultReportDate(2031, '2031-07-01')).toBe('2031-07-01');
    expect(defaultReportDate(2031, '2030-11-20')).toBe('2031-01-01');
    expect(periodPhrase(2031, '2031-01-09')).toBe('截至1月9日');
  });

  it('names a department the registry no longer has by its id', () => {
    const report = buildDutyReport({ ...input('2031-12-31'), departments: departments.filter((item) => item.id !== 'shichang') });
    expect(report.departments.at(-1)).toMatchObject({ id: 'shichang', name: 'shichang', listed: true });
  });
});
