/**
 * @module domain/audit
 * The audit log: who changed what, when, and how it looked before and after. An entry is written
 * in the same transaction as the change it records, so a change without its entry (or an entry
 * for a change that did not happen) cannot exist. Entries are filed under the county's local date,
 * which is how the county office asks for them ("what changed on 12.4?").
 */
import { z } from 'zod';
import { newId, roles, type Caller } from './access.js';
import { utcToLocal } from './schedule.js';

export const auditActions = [
  'plan.load',
  'registry.update',
  'registry.remove',
  'sms-templates.update',
  'sms-budget.update',
  'campaign.create',
  'campaign.update',
  'campaign.cancel',
  'notice.create',
  'notice.update',
  'notice.submit',
  'notice.approve',
  'notice.reject',
  'notice.schedule',
  'notice.pause',
  'notice.resume',
  'notice.cancel',
  'notice.return',
  'notice.resend-uncertain',
  /** The dispatcher paused a notice whose sends kept failing (actor: the system). */
  'notice.auto-pause',
  'subscriber.create',
  'subscriber.update',
  'subscriber.remove',
  'subscriber.opt-out',
  'subscriber.reveal',
  'subscribers.rekey',
  'subscribers.import',
  'county.create',
  'county.update',
  'token.issue',
  'token.revoke',
  'feed.create',
  'feed.revoke',
  'session.start',
  'session.end',
  'activity.create',
  'activity.update',
  'activity.delete',
  'tallies.repair',
  'image.upload',
  'evidence.add',
  'evidence.remove',
] as const;
export type AuditAction = (typeof auditActions)[number];

/** Who acted: a token's holder, or pufa itself on a command line run by whoever holds the machine. */
export const auditActorSchema = z.object({
  tokenId: z.string(),
  name: z.string(),
  role: z.enum([...roles, 'system']),
});
export type AuditActor = z.infer<typeof auditActorSchema>;

const snapshotSchema = z.record(z.string(), z.unknown());

export const auditEntrySchema = z
  .object({
    id: z.string(),
    county: z.string(),
    /** When, in UTC. */
    at: z.iso.datetime({ offset: true }),
    /** The county's local date of `at`: the day the entry is filed under. */
    date: z.iso.date(),
    actor: auditActorSchema,
    action: z.enum(auditActions),
    subject: z.object({ kind: z.string(), id: z.string() }),
    before: snapshotSchema.optional(),
    after: snapshotSchema.optional(),
  })
  .meta({ id: 'AuditEntry' });
export type AuditEntry = z.infer<typeof auditEntrySchema>;

/** The actor for changes made from a command line on the machine itself (token CLI, plan CLI). */
export const commandLineActor = (name = 'command line'): AuditActor => ({ tokenId: 'cli', name, role: 'system' });

export const actorOfCaller = (caller: Caller): AuditActor => ({ tokenId: caller.tokenId, name: caller.name, role: caller.role });

/** Plain data only: undefined fields dropped, so what is stored is what is read back. */
function snapshot(value: object | undefined): Record<string, unknown> | undefined {
  return value === undefined ? undefined : (JSON.parse(JSON.stringify(value)) as Record<string, unknown>);
}

export function auditEntry(input: {
  county: string;
  actor: AuditActor;
  action: AuditAction;
  subject: { kind: string; id: string };
  before?: object | undefined;
  after?: object | undefined;
  now: Date;
  timeZone: string;
}): AuditEntry {
  const at = input.now.toISOString();
  const before = snapshot(input.before);
  const after = snapshot(input.after);
  return {
    id: newId('aud', input.now),
    county: input.county,
    at,
    date: utcToLocal(at, input.timeZone).slice(0, 10),
    actor: input.actor,
    action: input.action,
    subject: input.subject,
    ...(before ? { before } : {}),
    ...(after ? { after } : {}),
  };
}
