/**
 * @module domain/review
 * The review workflow (法制审核) as a state machine. A notice moves
 * draft -> submitted -> approved | rejected -> scheduled -> done, or to cancelled; editing sends
 * approved or submitted content back to draft. This module decides whether a move is allowed;
 * the store then makes it with a conditional write on the `from` state, so a retry or a race
 * cannot make the same move twice. Separation of duties: nobody who wrote a notice (created,
 * edited or submitted it, through any door) may decide on it.
 */
import type { Caller, Role } from './access.js';
import { Conflict, Forbidden, OwnContent, Invalid } from './errors.js';
import type { Actor, NoticeState } from './planning.js';
import { normaliseName, visibleText } from './text.js';

export type ReviewAction = 'submit' | 'approve' | 'reject' | 'schedule' | 'pause' | 'resume' | 'cancel' | 'complete' | 'resend-uncertain';

interface Rule {
  from: readonly NoticeState[];
  to: NoticeState;
  roles: readonly Role[];
}

const rules: Record<ReviewAction, Rule> = {
  submit: { from: ['draft', 'rejected'], to: 'submitted', roles: ['staff'] },
  approve: { from: ['submitted'], to: 'approved', roles: ['reviewer'] },
  reject: { from: ['submitted'], to: 'rejected', roles: ['reviewer'] },
  schedule: { from: ['approved'], to: 'scheduled', roles: ['staff'] },
  pause: { from: ['scheduled'], to: 'paused', roles: ['staff'] },
  resume: { from: ['paused'], to: 'scheduled', roles: ['staff'] },
  cancel: { from: ['draft', 'submitted', 'approved', 'rejected', 'scheduled', 'paused'], to: 'cancelled', roles: ['staff'] },
  // The dispatcher finishes a notice once every delivery has ended (issue 4).
  complete: { from: ['scheduled'], to: 'done', roles: [] },
  // Staff send again the SMS a crash left uncertain: a finished notice is sending once more.
  'resend-uncertain': { from: ['scheduled', 'done'], to: 'scheduled', roles: ['staff'] },
};

/** Content may be edited in these states; editing returns it to draft. */
const editableStates: readonly NoticeState[] = ['draft', 'rejected', 'submitted', 'approved'];

export function rolesFor(action: ReviewAction): readonly Role[] {
  return rules[action].roles;
}

export function actorOf(caller: Caller): Actor {
  return { tokenId: caller.tokenId, name: caller.name };
}

/** Two tokens are one person when they share the token or the normalised name (domain/text). */
export function samePerson(a: Actor, b: Actor): boolean {
  return a.tokenId === b.tokenId || normaliseName(a.name) === normaliseName(b.name);
}

/** What review needs to know about who wrote a notice. */
export interface Authorship {
  author: Actor;
  /** Everyone who created, edited or submitted it; records from before the list have only `author`. */
  editors?: readonly Actor[] | undefined;
  review?: { submittedBy?: Actor | undefined } | undefined;
}

/** Everyone who wrote the notice: its author, its editors and whoever submitted it. */
export function writersOf(notice: Authorship): Actor[] {
  return [notice.author, ...(notice.editors ?? []), ...(notice.review?.submittedBy ? [notice.review.submittedBy] : [])];
}

/** Did this person write any of the notice? */
export function wroteAny(actor: Actor, notice: Authorship): boolean {
  return writersOf(notice).some((writer) => samePerson(actor, writer));
}

/** The editors list after `actor` wrote the notice again (each person once, by token). */
export function withEditor(notice: Authorship | undefined, actor: Actor): Actor[] {
  const current = notice ? [...(notice.editors ?? [notice.author])] : [];
  return current.some((editor) => editor.tokenId === actor.tokenId && editor.name === actor.name) ? current : [...current, actor];
}

const reasonSchema = visibleText(500);

export interface Transition {
  from: NoticeState;
  to: NoticeState;
}

/**
 * Decides a review action on a notice in `state` written by `author`. Throws Forbidden for the
 * wrong role or a reviewer deciding on their own draft, Conflict when the notice is not in a
 * state the action starts from, Invalid for a rejection without a reason.
 */
export function decide(
  action: ReviewAction,
  notice: { state: NoticeState } & Authorship,
  caller: Caller,
  options: { reason?: string | undefined } = {},
): Transition {
  const rule = rules[action];
  if (!rule.roles.includes(caller.role)) {
    throw new Forbidden(`Only ${rule.roles.join(' or ') || 'the dispatcher'} may ${action} a notice.`);
  }
  if ((action === 'approve' || action === 'reject') && wroteAny(actorOf(caller), notice)) {
    throw new OwnContent('A reviewer may not decide on their own draft, nor on a notice they edited or submitted: another person must review it.');
  }
  if (action === 'reject') {
    const reason = reasonSchema.safeParse(options.reason ?? '');
    if (!reason.success) throw new Invalid('A rejection needs a reason.', [{ field: 'body.reason', message: reason.error.issues[0]?.message ?? 'must not be empty' }]);
  }
  if (!rule.from.includes(notice.state)) {
    throw new Conflict(`Cannot ${action} a notice that is ${notice.state}; it must be ${rule.from.join(' or ')}.`, {
      state: notice.state,
    });
  }
  return { from: notice.state, to: rule.to };
}

/** Editing content: allowed before scheduling; anything past draft goes back to draft. */
export function decideEdit(state: NoticeState): Transition {
  if (!editableStates.includes(state)) {
    throw new Conflict(`A ${state} notice cannot be edited; cancel it and write a new one.`, { state });
  }
  return { from: state, to: 'draft' };
}
