/**
 * Point-based value iteration against exact expectimax (DESIGN §3: every approximate solver is
 * tested against the exact one at small H and compared with a bound).
 */
import { describe, expect, it } from 'vitest';
import { makeEnergyTask } from '../envs/energy.ts';
import { resolveEnergyParams } from '../spec/task-spec.ts';
import { Rng } from '../rng.ts';
import { solve } from '../solve.ts';
import type { EnergyTask } from '../types.ts';
import { solvePomdpExact } from './pomdp-exact.ts';
import { pointBasedValueIteration, solvePomdpPointBased } from './pomdp-pbvi.ts';

function pomdpTask(params: Record<string, unknown>): EnergyTask {
  return makeEnergyTask('energy-pomdp', resolveEnergyParams('energy-pomdp', params));
}

describe('POMDP point-based value iteration', () => {
  it('is within 0.5 % of exact expectimax on 40 random tasks with H ≤ 5, and never above it or the MDP bound', () => {
    const rng = new Rng(2024, 'pbvi-vs-exact');
    let worst = 0;
    for (let i = 0; i < 40; i++) {
      const params = {
        levels: 10,
        p: rng.uniform(0.05, 0.95),
        q: [0.5, 0.7, 0.9, 1][rng.int(4)]!,
        horizon: 1 + (i % 5),
        cost: rng.uniform(0, 0.3),
      };
      const task = pomdpTask(params);
      const exact = solvePomdpExact(task).expectedReturn;
      const pb = solvePomdpPointBased(task, { seed: i });
      const label = JSON.stringify(params);
      expect(pb.expectedReturn, label).toBeLessThanOrEqual(exact + 1e-9);
      expect(pb.expectedReturn, label).toBeLessThanOrEqual(pb.upperBound! + 1e-9);
      expect(pb.expectedReturn, label).toBeGreaterThanOrEqual(exact - 0.005 * Math.abs(exact));
      worst = Math.max(worst, (exact - pb.expectedReturn) / Math.abs(exact));
    }
    expect(worst).toBeLessThan(0.005);
  });

  it('stays between a weaker point set and the MDP bound at long horizons', () => {
    const task = pomdpTask({ levels: 10, q: 0.7, p: 0.6, horizon: 20 });
    const few = pointBasedValueIteration(task, { beliefPoints: 8 }).value;
    const sol = solvePomdpPointBased(task);
    // A uniformly random charge/work policy earns about half the mean level per period; the oracle must beat it clearly.
    expect(sol.expectedReturn).toBeGreaterThan(0.3 * 20);
    expect(sol.expectedReturn).toBeLessThanOrEqual(sol.upperBound!);
    expect(sol.expectedReturn).toBeGreaterThanOrEqual(few - 0.01 * Math.abs(few));
    // Noisy observations cost something at this horizon: the bound is not attained.
    expect(sol.expectedReturn).toBeLessThan(sol.upperBound! - 0.05);
  });

  it('gives identical values, alpha vectors and actions for the same seed', () => {
    const task = pomdpTask({ levels: 10, q: 0.7, p: 0.5, horizon: 12, cost: 0.05 });
    const a = pointBasedValueIteration(task, { seed: 3, beliefPoints: 64 });
    const b = pointBasedValueIteration(task, { seed: 3, beliefPoints: 64 });
    expect(b.value).toBe(a.value);
    expect(b.alphas.map((x) => Array.from(x.vectors))).toEqual(a.alphas.map((x) => Array.from(x.vectors)));
    const other = pointBasedValueIteration(task, { seed: 4, beliefPoints: 64 });
    expect(Math.abs(other.value - a.value)).toBeLessThan(0.01 * Math.abs(a.value));

    const s1 = solve(task, { method: 'point-based', seed: 3 });
    const s2 = solve(task, { method: 'point-based', seed: 3 });
    expect(s2.expectedReturn).toBe(s1.expectedReturn);
    const agent1 = s1.agent(new Rng(9));
    const agent2 = s2.agent(new Rng(9));
    const history = [
      { obs: [4], action: 0, reward: -0.05 },
      { obs: [6], action: 2, reward: 5 / 9 },
    ];
    for (let i = 0; i < 20; i++) expect(agent2.act(history, [5])).toBe(agent1.act(history, [5]));
  });

  it('is what solve() picks: exact up to H = 5, point-based beyond, unless forced', () => {
    const short = pomdpTask({ horizon: 5, q: 0.7 });
    const long = pomdpTask({ horizon: 6, q: 0.7 });
    expect(solve(short).method).toBe('expectimax');
    expect(solve(long).method).toBe('point-based');
    expect(solve(long).beliefPoints).toBeGreaterThan(0);
    const forced = solve(short, { method: 'point-based' });
    expect(forced.method).toBe('point-based');
    expect(forced.expectedReturn).toBeCloseTo(solve(short).expectedReturn, 6);
    expect(solve(pomdpTask({ horizon: 3, q: 0.7 }), { method: 'expectimax' }).method).toBe('expectimax');
  });
});
