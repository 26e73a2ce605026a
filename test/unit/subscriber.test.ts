import { describe, expect, it } from 'vitest';
import { sameSubscriber, subscriberRecord, subscriberView } from '../../functions/domain/subscriber.js';

const entry = { phone: '+8619900001234', phoneKey: 'k1', township: 'chengxiang', village: 'chengxiang-xiangyang', groups: ['企业'], consent: true };
const first = new Date('2026-03-01T00:00:00Z');
const later = new Date('2026-06-01T00:00:00Z');

describe('subscriberRecord', () => {
  it('makes a new subscriber, reachable, dated now', () => {
    expect(subscriberRecord('tianquan', entry, undefined, first)).toMatchObject({ county: 'tianquan', optedOut: false, createdAt: first.toISOString(), updatedAt: first.toISOString() });
  });

  it('keeps the first date and an opt-out when the same number is entered again', () => {
    const optedOut = { ...subscriberRecord('tianquan', entry, undefined, first), optedOut: true, optedOutAt: first.toISOString() };
    const again = subscriberRecord('tianquan', { ...entry, groups: ['村干部'] }, optedOut, later);
    expect(again).toMatchObject({ optedOut: true, optedOutAt: first.toISOString(), createdAt: first.toISOString(), updatedAt: later.toISOString(), groups: ['村干部'] });
  });
});

describe('sameSubscriber', () => {
  it('ignores dates and the order of groups, and sees any other change', () => {
    const stored = subscriberRecord('tianquan', { ...entry, groups: ['企业', '村干部'] }, undefined, first);
    expect(sameSubscriber(stored, subscriberRecord('tianquan', { ...entry, groups: ['村干部', '企业'] }, stored, later))).toBe(true);
    expect(sameSubscriber(stored, subscriberRecord('tianquan', { ...entry, consent: false }, stored, later))).toBe(false);
    expect(sameSubscriber(stored, subscriberRecord('tianquan', { ...entry, name: '张三' }, stored, later))).toBe(false);
  });
});

describe('subscriberView', () => {
  it('masks the number to the reader’s level, and shows it whole only when asked for in full', () => {
    const record = subscriberRecord('tianquan', entry, undefined, first);
    expect(subscriberView(record, 'restricted').phone).toBe('+86 *******1234');
    expect(subscriberView(record, 'admin').phone).toBe('+86 199****1234');
    expect(subscriberView(record, 'full').phone).toBe('+8619900001234');
  });
});
