import { describe, expect, it } from 'vitest';
import type { Caller, Role } from '../../functions/domain/access.js';
import { Conflict, Forbidden, Invalid } from '../../functions/domain/errors.js';
import { noticeStates, type NoticeState } from '../../functions/domain/planning.js';
import { decide, decideEdit, samePerson, withEditor, writersOf, type ReviewAction } from '../../functions/domain/review.js';

const aCaller = (role: Role, name = `${role}-person`, tokenId = `tok_${name}`): Caller => ({ tokenId, county: 'c', role, name });
const author = { tokenId: 'tok_author', name: '张三' };
const staff = aCaller('staff', '张三', 'tok_author');
const reviewer = aCaller('reviewer', '李四');

describe('the review state machine', () => {
  const expected: Record<ReviewAction, [NoticeState[], NoticeState, Caller]> = {
    submit: [['draft', 'rejected'], 'submitted', staff],
    approve: [['submitted'], 'approved', reviewer],
    reject: [['submitted'], 'rejected', reviewer],
    schedule: [['approved'], 'scheduled', staff],
    pause: [['scheduled'], 'paused', staff],
    resume: [['paused'], 'scheduled', staff],
    cancel: [['draft', 'submitted', 'approved', 'rejected', 'scheduled', 'paused'], 'cancelled', staff],
    complete: [[], 'done', staff],
    'resend-uncertain': [['scheduled', 'done'], 'scheduled', staff],
  };

  for (const [action, [from, to, caller]] of Object.entries(expected) as [ReviewAction, [NoticeState[], NoticeState, Caller]][]) {
    if (action === 'complete') continue;
    for (const state of noticeStates) {
      const allowed = from.includes(state);
      it(`${allowed ? 'lets' : 'refuses to let'} ${caller.role} ${action} a ${state} notice${allowed ? ` (-> ${to})` : ''}`, () => {
        const attempt = () => decide(action, { state, author }, caller, { reason: 'needs a source for the figure' });
        if (allowed) expect(attempt()).toEqual({ from: state, to });
        else expect(attempt).toThrow(Conflict);
      });
    }
  }

  it('never lets anyone but the dispatcher complete a notice', () => {
    for (const role of ['staff', 'reviewer', 'admin', 'county', 'station'] as Role[]) {
      expect(() => decide('complete', { state: 'scheduled', author }, aCaller(role))).toThrow(Forbidden);
    }
  });

  it('refuses a reviewer on their own draft, whichever token they use', () => {
    const sameToken = aCaller('reviewer', '别名', 'tok_author');
    const sameName = aCaller('reviewer', ' 张 三 ', 'tok_other');
    for (const caller of [sameToken, sameName]) {
      expect(() => decide('approve', { state: 'submitted', author }, caller)).toThrow(Forbidden);
      expect(() => decide('reject', { state: 'submitted', author }, caller, { reason: 'x' })).toThrow(Forbidden);
    }
  });

  it('refuses the wrong role before looking at the state', () => {
    expect(() => decide('approve', { state: 'submitted', author }, aCaller('staff', '王五'))).toThrow(Forbidden);
    expect(() => decide('submit', { state: 'draft', author }, reviewer)).toThrow(Forbidden);
    expect(() => decide('schedule', { state: 'approved', author }, aCaller('admin'))).toThrow(Forbidden);
  });

  it('wants a reason for a rejection', () => {
    expect(() => decide('reject', { state: 'submitted', author }, reviewer)).toThrow(Invalid);
    expect(() => decide('reject', { state: 'submitted', author }, reviewer, { reason: '   ' })).toThrow(Invalid);
  });

  it('reports the current state in the conflict', () => {
    try {
      decide('approve', { state: 'approved', author }, reviewer);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(Conflict);
      expect((error as Conflict).current).toEqual({ state: 'approved' });
    }
  });
});

describe('editing', () => {
  it.each<NoticeState>(['draft', 'rejected', 'submitted', 'approved'])('returns a %s notice to draft', (state) => {
    expect(decideEdit(state)).toEqual({ from: state, to: 'draft' });
  });
  it.each<NoticeState>(['scheduled', 'paused', 'done', 'cancelled'])('refuses to edit a %s notice', (state) => {
    expect(() => decideEdit(state)).toThrow(Conflict);
  });
});

describe('samePerson', () => {
  it('tells people apart by token and by name', () => {
    expect(samePerson({ tokenId: 'a', name: '张三' }, { tokenId: 'b', name: '李四' })).toBe(false);
    expect(samePerson({ tokenId: 'a', name: 'Zhang San' }, { tokenId: 'b', name: 'zhangsan' })).toBe(true);
  });
});

describe('separation of duties counts every writer', () => {
  const wangwu = { tokenId: 'tok_wangwu', name: '王五' };
  const lisi = { tokenId: 'tok_lisi_staff', name: '李四' };

  it('refuses a reviewer who edited or submitted the notice, not only its author', () => {
    const edited = { state: 'submitted' as const, author: wangwu, editors: [wangwu, lisi] };
    expect(() => decide('approve', edited, aCaller('reviewer', '李四', 'tok_lisi_reviewer'))).toThrow(Forbidden);
    const submitted = { state: 'submitted' as const, author: wangwu, review: { submittedBy: lisi } };
    expect(() => decide('approve', submitted, aCaller('reviewer', '李四', 'tok_lisi_reviewer'))).toThrow(Forbidden);
    expect(decide('approve', edited, aCaller('reviewer', '赵六'))).toEqual({ from: 'submitted', to: 'approved' });
  });

  it('reads a record without an editors list as written by its author alone', () => {
    expect(writersOf({ author: wangwu })).toEqual([wangwu]);
    expect(withEditor({ author: wangwu }, lisi)).toEqual([wangwu, lisi]);
    expect(withEditor({ author: wangwu, editors: [wangwu, lisi] }, lisi)).toEqual([wangwu, lisi]);
  });

  it('compares names after NFKC, without format characters or spaces, ignoring case', () => {
    const person = (name: string) => ({ tokenId: `tok_${Math.random()}`, name });
    for (const alias of ['李\u200b四', '李\u2060四', '\ufeff李四', '李\u3000四', '李 四\u200d']) {
      expect(samePerson(person(alias), person('李四')), JSON.stringify(alias)).toBe(true);
    }
    expect(samePerson(person('ＬＩ Si'), person('lisi'))).toBe(true);
    expect(samePerson(person('李四'), person('李五'))).toBe(false);
  });
});
