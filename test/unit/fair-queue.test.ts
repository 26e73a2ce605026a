import { describe, expect, it } from 'vitest';
import { dueIndexSizing, dueShardCount, fairOrder, LEGACY_DUE_SHARDS } from '../../functions/domain/fair-queue.js';
import { keys } from '../../functions/store/keys.js';

describe('the due index order', () => {
  it('interleaves notices due in the same minute by rank, whatever their ids', () => {
    const big = Array.from({ length: 40 }, (_, rank) => keys.due(0, '2031-12-04T01:00:00.000Z', `a-big~n~0~p${rank}`, rank).dueAt);
    const small = [0, 1].map((rank) => keys.due(0, '2031-12-04T01:00:00.000Z', `z-small~n~0~p${rank}`, rank).dueAt);
    const sorted = [...big, ...small].sort();
    // The small notice's two come among the first four, not after the big one's forty.
    expect(sorted.slice(0, 4).filter((key) => key.includes('z-small'))).toHaveLength(2);
  });

  it('keeps minutes in time order, and entries of the old form within their minute', () => {
    const legacy = `2031-12-04T01:00:30.000Z#old~n~0~p1`;
    const ranked = keys.due(0, '2031-12-04T01:00:00.000Z', 'new~n~0~p1', 99_999).dueAt;
    const nextMinute = keys.due(0, '2031-12-04T01:01:00.000Z', 'new~n~0~p2', 0).dueAt;
    expect([nextMinute, legacy, ranked].sort()).toEqual([ranked, legacy, nextMinute]);
    // The query's upper bound (now#~) takes in both forms of the current minute, not the next.
    const upTo = '2031-12-04T01:00:45.000Z#~';
    expect(ranked <= upTo && legacy <= upTo).toBe(true);
    expect(nextMinute <= upTo).toBe(false);
    expect(keys.dueAfterMinute('2031-12-04T01:00') > legacy).toBe(true);
    expect(keys.dueAfterMinute('2031-12-04T01:00') < nextMinute).toBe(true);
  });

  it('reads the exact time back from either form', () => {
    expect(keys.dueKeyTime(keys.due(3, '2031-12-04T01:00:59.123Z', 'c~n~0~p1', 12).dueAt)).toBe('2031-12-04T01:00:59.123Z');
    expect(keys.dueKeyTime('2031-12-04T01:00:59.123Z#c~n~0~p1')).toBe('2031-12-04T01:00:59.123Z');
  });
});

describe('fairOrder', () => {
  it('takes one of each group in turn, keeping each group’s own order', () => {
    const items = ['a1', 'a2', 'a3', 'a4', 'b1', 'c1', 'c2'];
    expect(fairOrder(items, (item) => item.charAt(0))).toEqual(['a1', 'b1', 'c1', 'a2', 'c2', 'a3', 'a4']);
    expect(fairOrder([], () => 'x')).toEqual([]);
  });
});

describe('dueShardCount', () => {
  it('sizes the due index from the larger write rate, at the headroom asked, never below the legacy four', () => {
    expect(dueShardCount(dueIndexSizing)).toBe(8);
    expect(keys.dueShards).toBe(dueShardCount(dueIndexSizing));
    expect(dueShardCount({ ...dueIndexSizing, sendsPerSecond: 20, expansionPerSecond: 500 })).toBe(LEGACY_DUE_SHARDS);
    expect(dueShardCount({ ...dueIndexSizing, sendsPerSecond: 3_000 })).toBe(24);
    expect(dueShardCount({ ...dueIndexSizing, expansionPerSecond: 10_000, sendsPerSecond: 0 })).toBe(20);
  });
});
