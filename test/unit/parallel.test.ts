import { describe, expect, it } from 'vitest';
import { inParallel } from '../../functions/workflows/parallel.js';

const tick = () => new Promise((resolve) => setTimeout(resolve, 1));

describe('inParallel', () => {
  it('keeps at most the limit in flight and returns results in the items’ order', async () => {
    let running = 0;
    let most = 0;
    const results = await inParallel([5, 1, 4, 2, 3], 2, async (item) => {
      running += 1;
      most = Math.max(most, running);
      for (let wait = 0; wait < item; wait += 1) await tick();
      running -= 1;
      return item * 10;
    });
    expect(results).toEqual([50, 10, 40, 20, 30]);
    expect(most).toBe(2);
  });

  it('starts nothing new after a failure, and throws only once the running tasks have finished', async () => {
    const started: number[] = [];
    const finished: number[] = [];
    const run = inParallel([1, 2, 3, 4, 5, 6], 2, async (item) => {
      started.push(item);
      if (item === 2) throw new Error('send failed');
      await tick();
      await tick();
      finished.push(item);
      return item;
    });
    await expect(run).rejects.toThrow('send failed');
    expect(started).toEqual([1, 2]);
    expect(finished).toEqual([1]);
  });

  it('answers an empty list at once', async () => {
    expect(await inParallel([], 4, async () => 1)).toEqual([]);
  });
});
