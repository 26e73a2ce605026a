import { describe, expect, it } from 'vitest';
import { auditEntry, auditEntrySchema } from '../../functions/domain/audit.js';

const anEntry = (now: string, timeZone = 'Asia/Shanghai') =>
  auditEntry({
    county: 'tianquan',
    actor: { tokenId: 'tok_1', name: '审核员老李', role: 'reviewer' },
    action: 'notice.approve',
    subject: { kind: 'notice', id: 'c-0315/sms' },
    before: { state: 'submitted', title: undefined },
    after: { state: 'approved' },
    now: new Date(now),
    timeZone,
  });

describe('auditEntry', () => {
  it('files a change under the county’s local date, not the UTC one', () => {
    // 01:30 on 12.4 in Beijing is still 12.3 in UTC.
    expect(anEntry('2026-12-03T17:30:00Z')).toMatchObject({ at: '2026-12-03T17:30:00.000Z', date: '2026-12-04' });
    expect(anEntry('2026-12-03T17:30:00Z', 'UTC').date).toBe('2026-12-03');
  });

  it('keeps plain data only, so what is stored is what is read back', () => {
    const entry = anEntry('2026-12-04T02:00:00Z');
    expect(entry.before).toEqual({ state: 'submitted' });
    expect(auditEntrySchema.parse(JSON.parse(JSON.stringify(entry)))).toEqual(entry);
  });

  it('gives every entry its own id, even in the same millisecond', () => {
    const ids = new Set(Array.from({ length: 50 }, () => anEntry('2026-12-04T02:00:00Z').id));
    expect(ids.size).toBe(50);
  });
});
