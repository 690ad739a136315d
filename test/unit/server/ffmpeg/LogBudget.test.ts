import { describe, expect, it } from 'vitest';
import { LogBudget } from '../../../../server/ffmpeg/LogBudget';

describe('LogBudget', () => {
  it('lets a few lines through per window, counts the rest, and tells the count with the next line written', () => {
    let now = 0;
    const budget = new LogBudget(2, 60_000, () => now);
    expect([budget.take(), budget.take(), budget.take(), budget.take()]).toEqual([
      { notLogged: 0 },
      { notLogged: 0 },
      undefined,
      undefined,
    ]);
    now = 59_999;
    expect(budget.take()).toBeUndefined();
    now = 60_000;
    expect(budget.take()).toEqual({ notLogged: 3 });
    expect(budget.take()).toEqual({ notLogged: 0 });
  });
});
