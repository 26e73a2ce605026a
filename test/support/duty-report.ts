/**
 * A county's year for the duty report's tests: five departments (one with duties and no activities,
 * one with activities and no duties, one with neither), five duties and activities of 2031 — plus
 * one naming no department and one of another year, which the report must leave out.
 */
import type { ActivityRecord } from '../../functions/domain/activity.js';
import { anActivity as aBuiltActivity } from './builders.js';
import type { DutyReportInput } from '../../functions/domain/duty-report.js';
import type { Responsibility } from '../../functions/domain/plan.js';
import type { Department } from '../../functions/domain/registry.js';

/** An activity of the report's county: none of the builder's figures, unless given. */
export function anActivity(date: string, departments: string[] | undefined, overrides: Partial<ActivityRecord> = {}): ActivityRecord {
  const { departments: _builderDepartments, ...activity } = aBuiltActivity({ date, theme: 'anti-drug', participants: 0, materials: [], ...overrides });
  return { ...activity, ...(departments ? { departments } : {}) };
}

export const departments: Department[] = [
  { id: 'sifa', name: '县司法局' },
  { id: 'gongan', name: '县公安局', contact: '政治处' },
  { id: 'shichang', name: '县市场监督管理局' },
  { id: 'jiaoyu', name: '县教育局' },
  { id: 'weijian', name: '县卫生健康局' },
];

export const duties: Responsibility[] = [
  { department: 'gongan', duty: '开展禁毒宣传', targets: { activities: 4, materials: 2000 }, months: [6] },
  { department: 'gongan', duty: '开展反诈宣传', targets: { activities: 2 } },
  { department: 'gongan', duty: '开展交通安全宣传', targets: { participants: 1000 }, deadline: '2031-03-31' },
  { department: 'shichang', duty: '3·15 宣传', targets: { activities: 2 }, months: [3] },
  { department: 'sifa', duty: '开展宪法宣传', targets: { activities: 1 }, months: [12] },
];

export const activities: ActivityRecord[] = [
  anActivity('2031-03-15', ['shichang'], { participants: 800, materials: [{ kind: '宣传单', count: 3000 }], theme: 'consumer-rights' }),
  anActivity('2031-03-15', ['shichang', 'gongan'], { kind: 'consultation', participants: 200, theme: 'consumer-rights' }),
  anActivity('2031-06-10', ['gongan'], { township: 'shiyang', participants: 1500, materials: [{ kind: '宣传单', count: 1000 }, { kind: '手册', count: 500 }], title: '禁毒宣传进校园' }),
  anActivity('2031-06-20', ['gongan'], { township: 'shiyang', kind: 'banner' }),
  anActivity('2031-09-01', ['gongan'], { participants: 500, materials: [{ kind: '宣传单', count: 10_500 }] }),
  anActivity('2031-05-04', ['weijian'], { participants: 300, materials: [{ kind: '宣传单', count: 200 }] }),
  anActivity('2031-05-05', undefined, { participants: 100 }), // names no department
  anActivity('2030-12-30', ['gongan'], { participants: 9999 }), // another year's
];

export const dutyReportInput = (on: string): DutyReportInput => ({
  year: 2031,
  on,
  departments,
  duties,
  activities,
  townshipNames: { chengxiang: '城厢镇', shiyang: '始阳镇' },
  themeNames: { 'anti-drug': '禁毒防艾' },
});
