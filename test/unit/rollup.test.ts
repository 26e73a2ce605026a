/**
 * The roll-up of a city's or a province's counties: figures side by side, totals, shares, each
 * county's yearly target on a date, the tables the exports write and the report's paragraph.
 */
import { describe, expect, it } from 'vitest';
import { buildRollup, countyYearTarget, rollupTable, rollupTargetsTable, shareOf, type CountyFigures } from '../../functions/domain/rollup.js';

const tianquan: CountyFigures = { id: 'tianquan', name: '天全县', totals: { activities: 30, participants: 3000, materials: 9000, smsSent: 500, smsDelivered: 480, airings: 12 } };
const lushan: CountyFigures = { id: 'lushan', name: '芦山县', totals: { activities: 10, participants: 1000, materials: 3000, wechatPushes: 4, wechatReached: 2000 } };
const yingjing: CountyFigures = { id: 'yingjing', name: '荥经县', totals: {} };

const ofYear = (counties: CountyFigures[], extra: Partial<Parameters<typeof buildRollup>[0]> = {}) =>
  buildRollup({ year: 2031, months: Array.from({ length: 12 }, (_, index) => index + 1), level: 'city', date: '2031-06-30', counties, ...extra });

describe('a roll-up of counties', () => {
  it('puts each county’s figures side by side with the totals and each one’s share', () => {
    const rollup = ofYear([tianquan, lushan, yingjing]);
    expect(rollup.counties.map((row) => [row.name, row.figures.activities, row.share.activities])).toEqual([
      ['天全县', 30, 75],
      ['芦山县', 10, 25],
      ['荥经县', 0, 0],
    ]);
    expect(rollup.totals).toMatchObject({ activities: 40, participants: 4000, materials: 12_000, smsSent: 500, smsDelivered: 480, airings: 12, wechatPushes: 4, wechatReached: 2000 });
    expect(rollup.counties[2]?.figures).toMatchObject({ activities: 0, smsSent: 0 });
  });

  it('gives shares with one decimal, and 0 of an empty whole', () => {
    expect(shareOf(1, 3)).toBe(33.3);
    expect(shareOf(2, 3)).toBe(66.7);
    expect(shareOf(0, 0)).toBe(0);
  });

  it('writes the city’s paragraph naming the city, the totals and each county, as the annual report does', () => {
    const rollup = ofYear([tianquan, lushan, yingjing], { regionName: '雅安市' });
    expect(rollup.paragraph).toBe(
      '2031年,雅安市3个县(区)共开展普法宣传活动40场次,参与群众4000人次,发放宣传资料1.2万份,发送普法短信500条,送达480条,村村通普法广播播出12次,微信公众号推送普法文章4期,送达粉丝2000人次;' +
        '其中天全县开展普法宣传活动30场次,参与群众3000人次,发放宣传资料9000份;芦山县开展普法宣传活动10场次,参与群众1000人次,发放宣传资料3000份;荥经县尚未登记普法宣传活动。',
    );
  });

  it('names the level when the region’s name is not given, and a month as its period', () => {
    expect(ofYear([lushan], { level: 'province', months: [3] }).paragraph).toBe('2031年3月,全省1个县(区)共开展普法宣传活动10场次,参与群众1000人次,发放宣传资料3000份,微信公众号推送普法文章4期,送达粉丝2000人次。');
    expect(ofYear([yingjing]).paragraph).toBe('2031年,全市1个县(区)尚未登记普法宣传活动。');
    expect(ofYear([]).paragraph).toBe('2031年,全市暂无县(区)数据。');
  });

  it('judges a county’s yearly target from its month totals up to the date’s month', () => {
    const byMonth = [
      { month: 1, counts: { activities: 10, participants: 500 } },
      { month: 6, counts: { activities: 20, participants: 900 } },
      { month: 7, counts: { activities: 99 } },
    ];
    const target = countyYearTarget(2031, { id: 'tianquan', name: '天全县' }, { activities: 120, participants: 1000 }, byMonth, '2031-06-30');
    expect(target?.measures.map((measure) => [measure.measure, measure.done, measure.target, measure.state])).toEqual([
      ['activities', 30, 120, 'behind'],
      ['participants', 1400, 1000, 'done'],
    ]);
    expect(target?.state).toBe('behind');
    expect(target?.name).toBe('天全县');
    // After the year every month counts; before it none; without a target there is nothing to judge.
    expect(countyYearTarget(2031, { id: 't', name: 't' }, { activities: 120 }, byMonth, '2032-01-15')?.measures[0]?.done).toBe(129);
    expect(countyYearTarget(2031, { id: 't', name: 't' }, { activities: 120 }, byMonth, '2030-12-31')?.state).toBe('not-started');
    expect(countyYearTarget(2031, { id: 't', name: 't' }, undefined, byMonth, '2031-06-30')).toBeUndefined();
  });

  it('counts the counties with targets by state, in the paragraph too', () => {
    const done = countyYearTarget(2031, tianquan, { activities: 20 }, [{ month: 1, counts: { activities: 30 } }], '2031-06-30');
    const behind = countyYearTarget(2031, lushan, { activities: 100 }, [{ month: 1, counts: { activities: 10 } }], '2031-06-30');
    const rollup = ofYear([{ ...tianquan, target: done }, { ...lushan, target: behind }, yingjing]);
    expect(rollup.targets).toEqual({ counties: 2, states: { done: 1, behind: 1, 'on-track': 0, overdue: 0, 'not-started': 0 } });
    expect(rollup.paragraph.endsWith(';设定年度目标的2个县(区)中,已完成1个,进度滞后1个。')).toBe(true);
  });

  it('makes the export tables: a row per county with a totals row, and a row per target measure', () => {
    const behind = countyYearTarget(2031, lushan, { activities: 100 }, [{ month: 1, counts: { activities: 10 } }], '2031-06-30');
    const rollup = ofYear([tianquan, { ...lushan, target: behind }], { regionName: '雅安市' });
    const table = rollupTable(rollup);
    expect(table.title).toBe('雅安市2031年法治宣传统计汇总(各县区)');
    expect(table.headers[0]).toBe('县(区)');
    expect(table.headers[1]).toBe('活动次数');
    expect(table.rows.map((row) => row[0])).toEqual(['天全县', '芦山县', '合计']);
    expect(table.rows.at(-1)?.[1]).toBe(40);
    expect(table.rows[0]?.at(-1)).toBe('未设定');
    expect(table.rows[1]?.at(-1)).toBe('进度滞后:10/100 场次 10% 进度滞后');
    const targets = rollupTargetsTable(rollup);
    expect(targets.rows).toEqual([['芦山县', '活动(场次)', 100, 10, 10, 49, '进度滞后']]);
    expect(targets.totals).toBe(false);
  });
});
