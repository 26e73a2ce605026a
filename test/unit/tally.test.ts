import { describe, expect, it } from 'vitest';
import type { ActivityRecord } from '../../functions/domain/activity.js';
import { activityDelta, assemble, chineseAmount, deliveryDelta, differences, plannedCells, receiptCounts, recount, reportParagraph, smsDeliveryRate, usdFromMicro, zeroCounts } from '../../functions/domain/tally.js';
import { tallyTable } from '../../functions/domain/tally-table.js';

const anActivity = (overrides: Partial<ActivityRecord> = {}): ActivityRecord => ({
  id: 'a1',
  county: 'c',
  year: 2021,
  month: 3,
  date: '2021-03-15',
  township: 'chengxiang',
  theme: 'consumer-rights',
  kind: 'event',
  participants: 100,
  materials: [{ kind: '宣传单', count: 500 }, { kind: '宣传手册', count: 100 }],
  version: 1,
  createdBy: { tokenId: 't', name: 'n' },
  createdAt: '',
  updatedAt: '',
  ...overrides,
});

const asObject = (delta: ReturnType<typeof activityDelta>) => Object.fromEntries([...delta].map(([key, entry]) => [key, entry.add]));

describe('activityDelta', () => {
  it('adds an activity to the month, theme, township, kind and each material kind', () => {
    expect(asObject(activityDelta(undefined, anActivity()))).toEqual({
      '2021|total|-|3': { activities: 1, participants: 100, materials: 600 },
      '2021|theme|consumer-rights|3': { activities: 1, participants: 100, materials: 600 },
      '2021|township|chengxiang|3': { activities: 1, participants: 100, materials: 600 },
      '2021|kind|event|3': { activities: 1, participants: 100, materials: 600 },
      '2021|material|宣传单|3': { materials: 500 },
      '2021|material|宣传手册|3': { materials: 100 },
    });
  });

  it('moves only what changed, and takes everything back on delete', () => {
    const before = anActivity();
    const after = anActivity({ participants: 80, materials: [{ kind: '宣传单', count: 500 }] });
    expect(asObject(activityDelta(before, after))).toEqual({
      '2021|total|-|3': { participants: -20, materials: -100 },
      '2021|theme|consumer-rights|3': { participants: -20, materials: -100 },
      '2021|township|chengxiang|3': { participants: -20, materials: -100 },
      '2021|kind|event|3': { participants: -20, materials: -100 },
      '2021|material|宣传手册|3': { materials: -100 },
    });
    expect(activityDelta(before, before).size).toBe(0);
    const removal = asObject(activityDelta(before, undefined));
    expect(removal['2021|total|-|3']).toEqual({ activities: -1, participants: -100, materials: -600 });
  });
});

describe('activityDelta by department (谁执法谁普法)', () => {
  const figures = { activities: 1, participants: 100, materials: 600 };
  const departmentCells = (delta: ReturnType<typeof activityDelta>) =>
    Object.fromEntries([...delta].filter(([, entry]) => entry.cell.dimension === 'department').map(([key, entry]) => [key, entry.add]));

  it('gives each department named the same figures as the township', () => {
    const delta = asObject(activityDelta(undefined, anActivity({ departments: ['gongan', 'shichang'] })));
    expect(delta['2021|department|gongan|3']).toEqual(figures);
    expect(delta['2021|department|shichang|3']).toEqual(delta['2021|township|chengxiang|3']);
  });

  it('adds no department cell when none is named', () => {
    expect(departmentCells(activityDelta(undefined, anActivity()))).toEqual({});
    expect(departmentCells(activityDelta(undefined, anActivity({ departments: [] })))).toEqual({});
  });

  it('moves the counts from the departments dropped to the ones added, leaving the one kept alone', () => {
    const before = anActivity({ departments: ['gongan', 'sifa'] });
    const after = anActivity({ departments: ['sifa', 'jiaoyu'] });
    expect(departmentCells(activityDelta(before, after))).toEqual({
      '2021|department|gongan|3': { activities: -1, participants: -100, materials: -600 },
      '2021|department|jiaoyu|3': figures,
    });
    // Only the departments changed: no other breakdown moves.
    expect(activityDelta(before, after).size).toBe(2);
  });

  it('moves a department’s counts with the record’s month, and takes them back on delete', () => {
    const before = anActivity({ departments: ['gongan'] });
    const after = anActivity({ departments: ['gongan'], month: 4, date: '2021-04-02', participants: 30 });
    expect(departmentCells(activityDelta(before, after))).toEqual({
      '2021|department|gongan|3': { activities: -1, participants: -100, materials: -600 },
      '2021|department|gongan|4': { activities: 1, participants: 30, materials: 600 },
    });
    expect(departmentCells(activityDelta(before, undefined))).toEqual({ '2021|department|gongan|3': { activities: -1, participants: -100, materials: -600 } });
  });

  it('counts a department once even if a record repeats it, so the deltas and the recount agree', () => {
    const repeated = anActivity({ departments: ['gongan', 'gongan'] });
    expect(departmentCells(activityDelta(undefined, repeated))).toEqual({ '2021|department|gongan|3': figures });
    const expected = recount([repeated]);
    expect(expected.get('2021|department|gongan|3')?.counts).toEqual(figures);
  });

  it('is broken down by department when assembled, beside the townships', () => {
    const cells = [...recount([anActivity({ departments: ['gongan'] }), anActivity({ id: 'a2', departments: ['gongan', 'sifa'], participants: 5, materials: [] })]).values()];
    const year = assemble(2021, [3], cells);
    expect(year.byDepartment.map((row) => [row.value, row.counts.activities, row.counts.participants])).toEqual([
      ['gongan', 2, 105],
      ['sifa', 1, 5],
    ]);
    const table = tallyTable(year, assemble(2020, [3], []), 'department', { department: { gongan: '县公安局' } });
    expect(table.title).toBe('2021年3月法治宣传统计（按部门）');
    expect(table.headers[0]).toBe('责任部门');
    expect(table.rows.map((row) => [row[0], row[1]])).toEqual([
      ['县公安局', 2],
      ['sifa', 1],
      ['合计', 2],
    ]);
  });
});

describe('recount and differences', () => {
  it('agree with the deltas, and name every counter that drifted', () => {
    const activities = [anActivity(), anActivity({ id: 'a2', month: 4, date: '2021-04-01', theme: 'national-security' })];
    const expected = recount(activities, [{ tally: 'smsSent', year: 2021, month: 3, township: 'chengxiang' }]);
    const stored = [...expected.values()].map((cell) => ({ ...cell, counts: { ...cell.counts } }));
    expect(differences(stored, expected)).toEqual([]);
    const drifted = stored.find((cell) => cell.dimension === 'total' && cell.month === 3);
    if (drifted) drifted.counts.activities = 2;
    expect(differences(stored, expected)).toEqual([{ cell: { year: 2021, dimension: 'total', value: '-', month: 3 }, counter: 'activities', stored: 2, expected: 1 }]);
    expect(differences([], expected).length).toBeGreaterThan(0);
  });
});

describe('assemble', () => {
  it('sums the months of a period and breaks them down', () => {
    const cells = [...recount([anActivity(), anActivity({ id: 'a2', month: 11, date: '2021-11-01', township: 'shiyang' })]).values()];
    const year = assemble(2021, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], cells);
    expect(year.totals).toMatchObject({ activities: 2, materials: 1200 });
    expect(year.byMonth.map((month) => month.counts.activities)).toEqual([0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0]);
    expect(year.byTownship.map((row) => row.value).sort()).toEqual(['chengxiang', 'shiyang']);
    const firstQuarter = assemble(2021, [1, 2, 3], cells);
    expect(firstQuarter.totals.activities).toBe(1);
  });
});

describe('the report’s numbers', () => {
  it.each([
    [258, '258'],
    [9_999, '9999'],
    [10_000, '1万'],
    [69_000, '6.9万'],
    [120_000, '12万'],
    [125_400, '12.5万'],
    [123_000_000, '1.2亿'],
  ])('%i is written %s', (value, written) => {
    expect(chineseAmount(value)).toBe(written);
  });

  it('reproduce the county report’s sentence from its own figures', () => {
    expect(reportParagraph({ ...zeroCounts(), activities: 258, materials: 69_000 })).toBe('截至目前,开展法治宣传活动258次,发放宣传资料6.9万份。');
  });

  it('mention SMS, airings and participants when there are any', () => {
    expect(reportParagraph({ ...zeroCounts(), activities: 3, materials: 10, participants: 15_000, smsSent: 2_000, airings: 40 })).toBe(
      '截至目前,开展法治宣传活动3次,发放宣传资料10份,受众1.5万人次,发送普法短信2000条,村村通普法广播播出40次。',
    );
  });
});

describe('receipts in the tallies', () => {
  it('say how many of the SMS sent were delivered, where receipts are known', () => {
    const base = { ...zeroCounts(), activities: 3, materials: 10, smsSent: 20_000 };
    expect(reportParagraph({ ...base, smsDelivered: 19_000, smsUndelivered: 500 })).toBe('截至目前,开展法治宣传活动3次,发放宣传资料10份,发送普法短信2万条,送达1.9万条。');
    expect(reportParagraph(base)).toBe('截至目前,开展法治宣传活动3次,发放宣传资料10份,发送普法短信2万条。');
  });

  it('count a receipt as delivered or undelivered with its price, in the total and the township', () => {
    const delta = deliveryDelta(receiptCounts('delivered', 6450), { year: 2031, month: 3, township: 'chengxiang' });
    expect([...delta.values()].map((entry) => [entry.cell.dimension, entry.add])).toEqual([
      ['total', { smsDelivered: 1, smsCostMicroUsd: 6450 }],
      ['township', { smsDelivered: 1, smsCostMicroUsd: 6450 }],
    ]);
    expect(receiptCounts('undelivered', 0)).toEqual({ smsUndelivered: 1 });
  });

  it('give a delivery rate and the cost in dollars', () => {
    expect(smsDeliveryRate({ smsSent: 200, smsDelivered: 190, smsUndelivered: 5 })).toBe(95);
    expect(smsDeliveryRate({ smsSent: 200, smsDelivered: 0, smsUndelivered: 0 })).toBeUndefined();
    expect(usdFromMicro(6450)).toBe('$0.00645');
    expect(usdFromMicro(0)).toBe('$0.00');
    expect(usdFromMicro(1_290_000)).toBe('$1.29');
  });

  it('show the cost in dollars in the tables', () => {
    const cells = [...recount([], [{ tally: { smsSent: 1, smsDelivered: 1, smsCostMicroUsd: 6450 }, year: 2031, month: 3, township: 'chengxiang' }]).values()];
    const table = tallyTable(assemble(2031, [3], cells), assemble(2030, [3], []), 'month', {});
    const column = table.headers.indexOf('短信实际费用（美元）');
    expect(column).toBeGreaterThan(0);
    expect(table.headers).toContain('短信送达（条）');
    expect(table.rows.at(-1)?.[column]).toBe(0.00645);
  });
});

describe('tallyTable', () => {
  it('puts Chinese headers, named rows and a totals row with last year beside', () => {
    const cells = [...recount([anActivity()]).values()];
    const previous = [...recount([anActivity({ year: 2020 })]).values()];
    const table = tallyTable(assemble(2021, [3], cells), assemble(2020, [3], previous), 'theme', { theme: { 'consumer-rights': '消费者权益保护' } });
    expect(table.title).toBe('2021年3月法治宣传统计（按主题）');
    expect(table.headers.slice(0, 2)).toEqual(['主题', '活动次数']);
    expect(table.rows[0]?.[0]).toBe('消费者权益保护');
    expect(table.rows.at(-1)?.[0]).toBe('合计');
    expect(table.rows.at(-1)?.at(-2)).toBe(1);
  });
});

describe('plannedCells', () => {
  it('makes every month of the total and of each theme, township, department and kind', () => {
    const cells = plannedCells(2026, { themes: ['constitution', 'anti-drug-aids'], townships: ['chengxiang'], departments: ['gongan', 'sifa'], kinds: ['event', 'sms', 'broadcast'] });
    expect(cells).toHaveLength((1 + 2 + 1 + 2 + 3) * 12);
    expect(cells.filter((cell) => cell.dimension === 'department' && cell.value === 'gongan').map((cell) => cell.month)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(cells.filter((cell) => cell.dimension === 'township').map((cell) => cell.month)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(cells).toContainEqual({ year: 2026, dimension: 'total', value: '-', month: 12 });
    expect(new Set(cells.map((cell) => `${cell.dimension}#${cell.value}#${cell.month}`)).size).toBe(cells.length);
  });
});
