/**
 * Generated checks for issue 10 on DynamoDB Local, through the workflows every door uses: random
 * sequences of writing (create, edit, submit by random people under random spellings of their
 * names and random tokens), template and signature changes by an admin, approvals and scheduling.
 * Whatever the sequence: (1) an approval by anyone who wrote the notice — same token, or the same
 * name after normalisation — is refused; (2) a notice that gets scheduled carries exactly the text
 * the reviewer was shown when approving it.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Caller } from '../../functions/domain/access.js';
import { DomainError, Forbidden } from '../../functions/domain/errors.js';
import { noticeInputSchema } from '../../functions/domain/planning.js';
import { actOnNotice, createNotice, evaluate, updateNotice } from '../../functions/workflows/notices.js';
import { loadPlan, updateSmsTemplates } from '../../functions/workflows/plans.js';
import { must } from '../support/builders.js';
import { freshTable, type TestDatabase } from '../support/db.js';
import { aPlan, sampleRegistry } from '../support/planning.js';

const county = 'testcounty';
const RUNS = 30;
let db: TestDatabase;

/** Spellings of one person's name: the same person to pufa, however written. */
const people = [
  ['李四', '李\u200b四', ' 李 四 '],
  ['王五', '王\u2060五'],
  ['赵六', '赵六\ufeff'],
  ['Ｌｅｅ', 'lee'],
] as const;
const aliases = people.flatMap((names, person) => names.map((name) => ({ name, person })));
const tokens = ['tok_a', 'tok_b', 'tok_c', 'tok_d'] as const;
const templateTexts = ['本月普法主题：${theme}。${message}', '本月主题：${theme}！${message}'] as const;
const signatures = ['普法宣传', '天全普法'] as const;

type Who = { token: string; name: string; person: number };
const who = fc.record({ token: fc.constantFrom(...tokens), alias: fc.constantFrom(...aliases) }).map(({ token, alias }): Who => ({ token, ...alias }));
const step = fc.oneof(
  fc.record({ kind: fc.constant('edit' as const), by: who }),
  fc.record({ kind: fc.constant('submit' as const), by: who }),
  fc.record({ kind: fc.constant('approve' as const), by: who }),
  fc.record({ kind: fc.constant('schedule' as const) }),
  fc.record({ kind: fc.constant('template' as const), text: fc.constantFrom(...templateTexts) }),
  fc.record({ kind: fc.constant('signature' as const), signature: fc.constantFrom(...signatures) }),
);

const callerOf = (role: Caller['role'], person: Who): Caller => ({ tokenId: person.token, county, role, name: person.name });
const admin: Caller = { tokenId: 'tok_admin', county, role: 'admin', name: '管理员' };
const scheduler: Caller = { tokenId: 'tok_scheduler', county, role: 'staff', name: '排期员' };
const planWith = (signature: string, text: string) =>
  aPlan({ settings: { sms: { signature } }, smsTemplates: [...aPlan().smsTemplates, { id: 'monthly-theme', text }] });
const input = (message: string) =>
  noticeInputSchema.parse({
    channel: 'sms',
    audience: { townships: ['chengxiang'] },
    schedule: { kind: 'key-date', days: 0, at: '09:00' },
    sms: { template: 'monthly-theme', params: { theme: '消费者权益保护', message } },
  });

/** Runs a step; a refusal (a domain error) is an answer, anything else a failure. */
async function attempt<T>(run: () => Promise<T>): Promise<{ ok: true; value: T } | { ok: false; error: DomainError }> {
  try {
    return { ok: true, value: await run() };
  } catch (error) {
    if (error instanceof DomainError) return { ok: false, error };
    throw error;
  }
}

beforeAll(async () => {
  db = await freshTable({ county });
  const loaded = await loadPlan(
    { store: db.store, config: db.config, now: new Date() },
    { plan: planWith(signatures[0], templateTexts[0]), registry: sampleRegistry(), county, loader: { kind: 'system' }, actor: { tokenId: 'cli', name: 'npm run plan' }, dryRun: false },
  );
  expect(loaded.ok).toBe(true);
});
afterAll(async () => db.drop());

describe('review, whatever happens in between', () => {
  it('never lets a writer approve, and schedules only the text the reviewer was shown', async () => {
    let run = 0;
    let settings = { signature: signatures[0] as string, text: templateTexts[0] as string };
    await fc.assert(
      fc.asyncProperty(who, fc.array(step, { minLength: 1, maxLength: 6 }), async (creator, steps) => {
        run += 1;
        const id = `pb-${run}`;
        const deps = () => ({ store: db.store, config: db.config, now: new Date() });
        const writers: Who[] = [];
        const wrote = (person: Who) => writers.some((writer) => writer.token === person.token || writer.person === person.person);
        let shownAtApproval: string | undefined;

        await createNotice(deps(), callerOf('staff', creator), 'c-0315', { ...input('第一稿'), id });
        writers.push(creator);
        for (const [index, next] of steps.entries()) {
          if (next.kind === 'edit') {
            if ((await attempt(() => updateNotice(deps(), callerOf('staff', next.by), 'c-0315', id, input(`第${index + 2}稿`)))).ok) writers.push(next.by);
          } else if (next.kind === 'submit') {
            if ((await attempt(() => actOnNotice(deps(), callerOf('staff', next.by), 'c-0315', id, 'submit'))).ok) writers.push(next.by);
          } else if (next.kind === 'template') {
            settings = { ...settings, text: next.text };
            await updateSmsTemplates(deps(), admin, [{ id: 'monthly-theme', text: next.text }]);
          } else if (next.kind === 'signature') {
            settings = { ...settings, signature: next.signature };
            const loaded = await loadPlan(deps(), { plan: planWith(settings.signature, settings.text), county, loader: { kind: 'caller', caller: admin }, actor: admin, dryRun: false });
            expect(loaded.ok).toBe(true);
          } else if (next.kind === 'approve') {
            const before = await db.store.notices.require(county, 'c-0315', id);
            // What the review page shows the reviewer.
            const shown = (await evaluate(deps(), await db.store.campaigns.require(county, 'c-0315'), before)).sms?.text;
            const outcome = await attempt(() => actOnNotice(deps(), callerOf('reviewer', next.by), 'c-0315', id, 'approve'));
            if (wrote(next.by)) {
              expect(outcome.ok ? 'approved' : outcome.error, `${next.by.name} (${next.by.token}) wrote ${id}`).toBeInstanceOf(Forbidden);
            } else if (before.state === 'submitted') {
              expect(outcome.ok).toBe(true);
              shownAtApproval = shown;
            }
          } else {
            const outcome = await attempt(() => actOnNotice(deps(), scheduler, 'c-0315', id, 'schedule'));
            if (outcome.ok) {
              expect(outcome.value.notice.smsText).toBe(must(shownAtApproval, 'an approval before scheduling'));
              expect(outcome.value.notice.review.approvedText).toBe(shownAtApproval);
            }
          }
        }
      }),
      { numRuns: RUNS },
    );
  });
});
