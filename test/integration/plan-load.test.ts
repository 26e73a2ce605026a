/**
 * Loading plans on the real database: idempotent, updates only drafts, never overwrites approved
 * content, and survives two loads racing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PlanFile } from '../../functions/domain/plan.js';
import { loadPlan, type LoadResult } from '../../functions/workflows/plans.js';
import { freshTable, type TestDatabase } from '../support/db.js';
import { must } from '../support/builders.js';
import { aPlan, plan2021, sampleRegistry } from '../support/planning.js';

let db: TestDatabase;
const county = 'testcounty';
const actor = { tokenId: 'tok_staff', name: '宣传员' };

beforeAll(async () => {
  db = await freshTable({ county });
});
afterAll(async () => db.drop());

function load(plan: PlanFile, options: { dryRun?: boolean; withRegistry?: boolean } = {}): Promise<LoadResult> {
  return loadPlan(
    { store: db.store, config: db.config, now: new Date('2030-01-01T00:00:00Z') },
    { plan, county, loader: { kind: 'system' }, actor, dryRun: options.dryRun ?? false, registry: options.withRegistry === false ? undefined : sampleRegistry() },
  );
}

function report(result: LoadResult) {
  if (!result.ok) throw new Error(`load failed: ${JSON.stringify(result.problems)}`);
  return result.report;
}

describe('loading the shipped 2021 plan', () => {
  it('creates every campaign and notice as a draft, then changes nothing when loaded again', async () => {
    const plan = { ...plan2021(), county: county };
    const first = report(await load(plan));
    expect(first.plan).toBe('create');
    expect(first.campaigns.every((campaign) => campaign.action === 'create')).toBe(true);
    expect(first.campaigns).toHaveLength(plan.campaigns.length);
    const noticeCount = plan.campaigns.reduce((sum, campaign) => sum + campaign.notices.length, 0);
    expect(first.notices).toHaveLength(noticeCount);
    expect(first.writes).toBe(1 + plan.campaigns.length + noticeCount);
    expect(first.registry?.created).toBeGreaterThan(0);

    const second = report(await load(plan));
    expect(second.plan).toBe('unchanged');
    expect(second.writes).toBe(0);
    expect(new Set(second.campaigns.map((campaign) => campaign.action))).toEqual(new Set(['unchanged']));
    expect(new Set(second.notices.map((notice) => notice.action))).toEqual(new Set(['unchanged']));
    expect(second.registry).toEqual({ created: 0, updated: 0, unchanged: first.registry?.created });

    const stored = await db.store.campaigns.listByYear(county, 2021);
    expect(stored).toHaveLength(plan.campaigns.length);
    const notices = await db.store.notices.listByCampaign(county, '2021-0315');
    expect(notices.map((notice) => notice.state)).toEqual(['draft', 'draft', 'draft']);
  });
});

describe('loading an edited plan', () => {
  it('updates the drafts that changed, keeps approved ones, and says which', async () => {
    const original = aPlan({ year: 2032, campaigns: aPlan().campaigns.map((campaign) => ({ ...campaign, id: 'edit-me', window: { start: '2032-03-08', end: '2032-03-21' } })) });
    report(await load(original));
    const approved = await db.store.notices.require(county, 'edit-me', 'broadcast');
    await db.store.notices.transition(approved, { from: 'draft', to: 'approved' }, {}, new Date());

    const edited = structuredClone(original);
    const campaign = must(edited.campaigns[0]);
    campaign.title = '3·15 集中宣传（修订）';
    for (const notice of campaign.notices) {
      if (notice.channel === 'sms') notice.sms.params = { day: '明天就是3·15', message: '欢迎咨询。' };
      if (notice.channel === 'broadcast') notice.broadcast.repeats = 3;
    }

    const dry = report(await load(edited, { dryRun: true }));
    expect(dry.writes).toBe(0);
    const changes = report(await load(edited));
    expect(changes.campaigns).toEqual([{ id: 'edit-me', action: 'kept', reason: 'it has approved or scheduled notices; change it in the app' }]);
    expect(changes.notices).toEqual([
      { campaignId: 'edit-me', id: 'sms-eve', action: 'update' },
      { campaignId: 'edit-me', id: 'broadcast', action: 'kept', reason: 'it is approved; approved or sent content is not overwritten' },
    ]);
    expect(dry.notices).toEqual(changes.notices);

    const sms = await db.store.notices.require(county, 'edit-me', 'sms-eve');
    expect(sms.channel === 'sms' && sms.sms.params).toEqual({ day: '明天就是3·15', message: '欢迎咨询。' });
    expect(sms.version).toBe(2);
    const broadcast = await db.store.notices.require(county, 'edit-me', 'broadcast');
    expect(broadcast.state).toBe('approved');
    expect(broadcast.channel === 'broadcast' && broadcast.broadcast.repeats).toBe(2);
  });

  it('reports entries that left the file without deleting them', async () => {
    const plan = aPlan({ year: 2033, campaigns: aPlan().campaigns.map((campaign) => ({ ...campaign, id: 'leaving', window: { start: '2033-03-08', end: '2033-03-21' } })) });
    report(await load(plan));
    const trimmed = structuredClone(plan);
    must(trimmed.campaigns[0]).notices = must(trimmed.campaigns[0]).notices.slice(0, 1);
    const changes = report(await load(trimmed));
    expect(changes.notInFile).toEqual([{ campaignId: 'leaving', noticeId: 'broadcast' }]);
    expect(await db.store.notices.get(county, 'leaving', 'broadcast')).toBeDefined();
  });
});

describe('a plan with mistakes', () => {
  it('writes nothing and names every problem by path', async () => {
    const bad = aPlan({ year: 2034 });
    bad.months = { ...bad.months, '13': 'consumer-rights' };
    const campaign = must(bad.campaigns[0]);
    campaign.id = 'never-written';
    campaign.window = { start: '2034-03-08', end: '2034-03-21' };
    campaign.theme = 'no-such-theme';
    must(campaign.notices[0]).audience = { all: false, townships: ['atlantis'], villages: [], groups: [] };
    const result = await load(bad);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const paths = result.problems.map((problem) => problem.path.join('.'));
    expect(paths).toEqual(expect.arrayContaining(['months.13', 'campaigns.0.theme', 'campaigns.0.notices.0.audience.townships.0']));
    expect(await db.store.plans.getYear(county, 2034)).toBeUndefined();
    expect(await db.store.campaigns.get(county, 'never-written')).toBeUndefined();
  });
});

describe('two loads racing', () => {
  it('end with exactly one copy of everything, and the loser is told', async () => {
    const plan = aPlan({ year: 2035, campaigns: aPlan().campaigns.map((campaign) => ({ ...campaign, id: 'race', window: { start: '2035-03-08', end: '2035-03-21' } })) });
    const results = await Promise.allSettled([load(plan), load(plan), load(plan)]);
    const succeeded = results.filter((result) => result.status === 'fulfilled');
    expect(succeeded.length).toBeGreaterThanOrEqual(1);
    for (const result of results) {
      if (result.status === 'rejected') expect(String(result.reason)).toMatch(/changed by someone else/);
    }
    const notices = await db.store.notices.listByCampaign(county, 'race');
    expect(notices.map((notice) => [notice.id, notice.version])).toEqual([
      ['broadcast', 1],
      ['sms-eve', 1],
    ]);
    const again = report(await load(plan));
    expect(again.writes).toBe(0);
  });
});
