import { describe, expect, it } from 'vitest';
import { Rng } from '../rng.ts';
import { solve } from '../solve.ts';
import { taskFromSpec } from '../tasks.ts';
import type { EnergyTask } from '../types.ts';
import { NearestIndex } from './apomdp-beliefset.ts';
import { solveApomdpExact } from './apomdp-exact.ts';
import { ameuPointBased, solveApomdpPoint } from './apomdp-point.ts';

function apomdp(params: Record<string, unknown>, seed = 0): EnergyTask {
  const task = taskFromSpec({ env: 'energy-apomdp', params, seed });
  if (task.kind !== 'energy') throw new Error('unreachable');
  return task;
}

describe('point-based α-MEU solver', () => {
  it('is within 0.5 % of the exact expectimax on 30 random tasks with H ≤ 5', () => {
    const rng = new Rng(2024);
    let worst = 0;
    for (let i = 0; i < 30; i++) {
      const params = {
        K: 2 + rng.int(2),
        alpha: [0, 0.5, 1][rng.int(3)],
        q: [0.5, 0.9][rng.int(2)],
        levels: 3 + rng.int(3),
        horizon: 3 + rng.int(3),
        p: rng.uniform(0.3, 0.9),
      };
      const task = apomdp(params, i);
      const exact = solveApomdpExact(task);
      const point = solveApomdpPoint(task, { seed: i });
      const rel = Math.abs(point.expectedReturn - exact.expectedReturn) / Math.abs(exact.expectedReturn);
      worst = Math.max(worst, rel);
      expect(rel, JSON.stringify(params)).toBeLessThan(0.005);
      expect(point.upperBound!).toBeGreaterThanOrEqual(exact.expectedReturn);
      expect(point.upperBound!).toBeCloseTo(exact.upperBound!, 12);
    }
    expect(worst).toBeLessThan(0.005);
  });

  it('is exact when H ≤ 2 (V_{H−1} needs no lookup)', () => {
    for (const horizon of [1, 2]) {
      const task = apomdp({ K: 3, horizon, q: 0.6, alpha: 0.4 }, 5);
      expect(solveApomdpPoint(task).expectedReturn).toBeCloseTo(solveApomdpExact(task).expectedReturn, 12);
    }
  });

  it('stays below the fully observable α-MEU bound at long horizons and orders the attitudes', () => {
    const values = [1, 0.5, 0].map((alpha) => solveApomdpPoint(apomdp({ K: 3, horizon: 20, q: 0.7, alpha }, 3), { seed: 1 }));
    for (const v of values) expect(v.upperBound!).toBeGreaterThan(v.expectedReturn);
    expect(values[0]!.expectedReturn).toBeLessThan(values[1]!.expectedReturn);
    expect(values[1]!.expectedReturn).toBeLessThan(values[2]!.expectedReturn);
  });

  it('gives the same numbers for the same seed, and nearly the same for another seed', () => {
    const task = apomdp({ K: 3, horizon: 12, q: 0.7 }, 8);
    const a = solveApomdpPoint(task, { seed: 4 }).expectedReturn;
    const b = solveApomdpPoint(apomdp({ K: 3, horizon: 12, q: 0.7 }, 8), { seed: 4 }).expectedReturn;
    const c = solveApomdpPoint(task, { seed: 5 }).expectedReturn;
    expect(a).toBe(b);
    expect(Math.abs(a - c) / a).toBeLessThan(0.01);
    expect(ameuPointBased(task, { seed: 4 }).setSizes).toEqual(ameuPointBased(task, { seed: 4 }).setSizes);
  });

  it('its agent acts on histories with a valid action', () => {
    const task = apomdp({ K: 2, horizon: 10, q: 0.7 }, 1);
    const agent = solveApomdpPoint(task).agent(new Rng(0));
    const a0 = agent.act([], [4]) as number;
    expect([0, 1, 2]).toContain(a0);
    const a1 = agent.act([{ obs: [4], action: 2, reward: 4 / 9 }], [3]) as number;
    expect([0, 1, 2]).toContain(a1);
  });
});

describe('NearestIndex', () => {
  it('returns the brute-force L1 nearest point', () => {
    const rng = new Rng(3);
    const S = 6;
    const n = 200;
    const pts = new Float64Array(n * S);
    for (let i = 0; i < n; i++) pts.set(rng.dirichlet(new Array(S).fill(0.5)), i * S);
    const index = new NearestIndex(pts, S);
    for (let k = 0; k < 200; k++) {
      const q = rng.dirichlet(new Array(S).fill(0.7));
      let best = Infinity;
      for (let i = 0; i < n; i++) {
        let d = 0;
        for (let s = 0; s < S; s++) d += Math.abs(q[s]! - pts[i * S + s]!);
        best = Math.min(best, d);
      }
      const j = index.nearest(q);
      let dj = 0;
      for (let s = 0; s < S; s++) dj += Math.abs(q[s]! - pts[j * S + s]!);
      expect(dj).toBeCloseTo(best, 12);
    }
  });
});

describe('solve() for energy-apomdp', () => {
  it('uses the exact expectimax for H ≤ 5, the point-based solver beyond, unless told otherwise', () => {
    expect(solve(apomdp({ K: 2, horizon: 3 })).method).toBe('expectimax');
    expect(solve(apomdp({ K: 2, horizon: 8 })).method).toBe('point-based');
    // the exact recursion branches K^H times: K=3 at H=5 (243) goes to the point-based solver, H=4 (81) does not
    expect(solve(apomdp({ K: 3, horizon: 5 })).method).toBe('point-based');
    expect(solve(apomdp({ K: 3, horizon: 4 })).method).toBe('expectimax');
    expect(solve(apomdp({ K: 2, horizon: 3 }), { method: 'point-based' }).method).toBe('point-based');
    expect(solve(apomdp({ K: 2, horizon: 6, levels: 4 }), { method: 'expectimax' }).method).toBe('expectimax');
    const a = solve(apomdp({ K: 2, horizon: 8 }), { seed: 3 }).expectedReturn;
    expect(solve(apomdp({ K: 2, horizon: 8 }), { seed: 3 }).expectedReturn).toBe(a);
  });
});
