import { describe, expect, it } from 'vitest';
import { darkroomGoalSplit, darkroomMove } from './darkroom.ts';
import { parseTaskSpec } from '../spec/task-spec.ts';
import { createTask } from '../tasks.ts';
import { solve } from '../solve.ts';
import { simulateEpisodeSync } from '../simulate.ts';
import { Rng } from '../rng.ts';

describe('darkroom', () => {
  it('oracle earns 101 − gx − gy for every goal of the 10×10 room (100 at the start cell), simulated and reported', () => {
    for (let gx = 0; gx < 10; gx++) {
      for (let gy = 0; gy < 10; gy++) {
        const task = createTask(parseTaskSpec({ env: 'darkroom', params: { goal: [gx, gy] } }));
        const solution = solve(task);
        const expected = gx + gy === 0 ? 100 : 101 - gx - gy;
        const ep = simulateEpisodeSync(task, solution.agent(new Rng(1)), { seed: 1, taskIndex: 0, episode: 0 });
        expect(ep.return).toBe(expected);
        expect(solution.expectedReturn).toBe(expected);
      }
    }
  });

  it('clips moves to the grid', () => {
    expect(darkroomMove(10, 0, 0, 1)).toEqual([0, 0]);
    expect(darkroomMove(10, 9, 4, 0)).toEqual([9, 4]);
    expect(darkroomMove(10, 3, 9, 2)).toEqual([3, 9]);
    expect(darkroomMove(10, 3, 0, 3)).toEqual([3, 0]);
    expect(darkroomMove(10, 3, 4, 4)).toEqual([3, 4]);
  });

  it('splits the 100 goals 80/20, disjoint and fixed by the seed', () => {
    const a = darkroomGoalSplit(10, 0);
    expect(a.train).toHaveLength(80);
    expect(a.test).toHaveLength(20);
    const all = new Set([...a.train, ...a.test].map((g) => g.join(',')));
    expect(all.size).toBe(100);
    expect(darkroomGoalSplit(10, 0)).toEqual(a);
    expect(darkroomGoalSplit(10, 1).test).not.toEqual(a.test);
  });
});
