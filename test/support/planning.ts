/**
 * Builders for planning tests: a small plan, its registry, campaigns and notices.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { planFileSchema, type PlanFile } from '../../functions/domain/plan.js';
import { registrySchema, type Registry } from '../../functions/domain/registry.js';
import { loadPlan } from '../../functions/workflows/plans.js';
import type { TestDatabase } from './db.js';

export const sampleRegistry = (): Registry => registrySchema.parse(parse(readFileSync('campaigns/registry.sample.yaml', 'utf8')));

/** The shipped 2021 plan, parsed (the registry it names is loaded separately). */
export const plan2021Text = () => readFileSync('campaigns/2021.yaml', 'utf8');
export const plan2021 = (): PlanFile => planFileSchema.parse(parse(plan2021Text()));

/** A one-campaign plan for a future year, so notices can still be scheduled. */
export function aPlan(overrides: Partial<PlanFile> = {}): PlanFile {
  return planFileSchema.parse({
    year: 2031,
    themes: [
      { id: 'consumer-rights', name: '消费者权益保护' },
      { id: 'constitution', name: '宪法宣传' },
    ],
    months: { '3': 'consumer-rights', '12': 'constitution' },
    keyDates: [{ date: '03-15', name: '国际消费者权益日', theme: 'consumer-rights' }],
    smsTemplates: [{ id: 'key-date', code: 'SMS_T1', text: '${day}到了。${message}' }],
    campaigns: [
      {
        id: 'c-0315',
        title: '3·15 集中宣传',
        theme: 'consumer-rights',
        keyDate: '03-15',
        window: { start: '2031-03-08', end: '2031-03-21' },
        notices: [
          {
            id: 'sms-eve',
            channel: 'sms',
            audience: { all: true },
            schedule: { kind: 'key-date', days: -1, at: '10:00' },
            sms: { template: 'key-date', params: { day: '明天3·15', message: '欢迎到广场咨询。' } },
          },
          {
            id: 'broadcast',
            channel: 'broadcast',
            audience: { townships: ['chengxiang'] },
            schedule: { kind: 'rrule', rule: 'FREQ=WEEKLY;BYDAY=MO,TH', at: '07:30' },
            broadcast: { script: '今天是消费者权益日，遇到消费纠纷请拨打12315。', airWindows: [{ from: '07:00', to: '08:00' }], repeats: 2 },
          },
        ],
      },
    ],
    ...overrides,
  });
}

/** Loads the shipped 2021 plan and the sample registry into a county, as the machine's command line would. */
export async function load2021(db: Pick<TestDatabase, 'store' | 'config'>, county: string) {
  return loadPlan(
    { store: db.store, config: db.config, now: new Date('2021-01-01T00:00:00Z') },
    { plan: { ...plan2021(), county }, registry: sampleRegistry(), county, loader: { kind: 'system' }, actor: { tokenId: 't', name: 'n' }, dryRun: false },
  );
}
