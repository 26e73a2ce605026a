import { describe, expect, it } from 'vitest';
import { TransitTimes } from '../../functions/domain/transit.js';

describe('TransitTimes', () => {
  it('assumes a slow send before the first answer, so the first second cannot overflow', () => {
    expect(new TransitTimes().guardMs()).toBe(100);
  });

  it('keeps twice the slowest recent send, and forgets it after 32 faster ones', () => {
    const transit = new TransitTimes();
    transit.add(60);
    for (let index = 0; index < 31; index += 1) transit.add(20);
    expect(transit.guardMs()).toBe(120);
    transit.add(20);
    expect(transit.guardMs()).toBe(40);
  });

  it('never takes more than a quarter of a second, however slow SNS gets', () => {
    const transit = new TransitTimes();
    transit.add(900);
    expect(transit.guardMs()).toBe(250);
  });
});
