import { describe, expect, it } from 'vitest';
import { conditionOnObservation, conditionOnReward, propagate, rewardPartition } from '../belief.ts';
import { Rng } from '../rng.ts';
import { taskFromSpec } from '../tasks.ts';
import type { EnergyTask, PomdpModel } from '../types.ts';
import { ameuExpectimax, solveApomdpExact } from './apomdp-exact.ts';
import { ameuUpperBound, initialAmeuValue } from './apomdp-model.ts';
import { solveMdp } from './mdp.ts';
import { solvePomdpExact } from './pomdp-exact.ts';

function apomdp(params: Record<string, unknown>, seed = 0): EnergyTask {
  const task = taskFromSpec({ env: 'energy-apomdp', params, seed });
  if (task.kind !== 'energy') throw new Error('unreachable');
  return task;
}

/**
 * The recursion of DESIGN §2.3 written literally, independent of the solver's shortcuts
 * (no homogeneity, no pinned-state caches, no memo): normalised beliefs, σ_m and τ_m from belief.ts.
 */
function naiveValue(task: EnergyTask, alpha: number): number {
  const H = task.params.horizon;
  const V = (t: number, b: Float64Array): number => {
    let best = -Infinity;
    for (const cls of task.actionClasses) {
      const a = cls[0]!;
      let r = 0;
      for (let s = 0; s < task.nStates; s++) r += b[s]! * task.reward[s * task.nActions + a]!;
      if (t === H - 1) {
        best = Math.max(best, r);
        continue;
      }
      const W = task.models.map((model: PomdpModel) => {
        let w = 0;
        for (const { reward } of rewardPartition(task, a)) {
          const br = Float64Array.from(b);
          const pr = conditionOnReward(task, br, a, reward);
          if (pr === 0) continue;
          const next = propagate(task, model, br, a);
          for (let o = 0; o < task.nObs; o++) {
            const b2 = Float64Array.from(next);
            const po = conditionOnObservation(model, task.nObs, b2, o);
            if (po > 0) w += pr * po * V(t + 1, b2);
          }
        }
        return w;
      });
      best = Math.max(best, r + task.params.gamma * (alpha * Math.min(...W) + (1 - alpha) * Math.max(...W)));
    }
    return best;
  };
  return initialAmeuValue(task, alpha, (b) => V(0, b));
}

describe('exact α-MEU expectimax', () => {
  it('matches the literal recursion on small random tasks', () => {
    const rng = new Rng(21);
    for (let i = 0; i < 8; i++) {
      const task = apomdp(
        { levels: 3 + rng.int(2), horizon: 2 + rng.int(3), K: 2 + rng.int(2), alpha: [0, 0.3, 1][rng.int(3)], q: 0.6 + 0.3 * rng.next(), p: rng.uniform(0.3, 0.9), gamma: rng.uniform(0.8, 1) },
        100 + i,
      );
      const exact = solveApomdpExact(task).expectedReturn;
      expect(exact).toBeCloseTo(naiveValue(task, task.params.alpha), 10);
    }
  });

  it('with K = 1 and q = 1 equals MDP backward induction', () => {
    for (const horizon of [1, 2, 3, 5]) {
      for (const p of [0.3, 0.8]) {
        const task = apomdp({ K: 1, q: 1, horizon, p });
        expect(solveApomdpExact(task).expectedReturn).toBeCloseTo(solveMdp(task).expectedReturn, 10);
      }
    }
  });

  it('with K = 1 equals the exact POMDP expectimax for every α', () => {
    for (const q of [0.5, 0.7, 0.9]) {
      for (const alpha of [0, 0.5, 1]) {
        const task = apomdp({ K: 1, q, alpha, horizon: 4, p: 0.6 });
        expect(solveApomdpExact(task).expectedReturn).toBeCloseTo(solvePomdpExact(task).expectedReturn, 10);
      }
    }
  });

  it('ignores α when the models are identical (exactly copied, or κ huge)', () => {
    const base = apomdp({ K: 1, q: 0.7, horizon: 4 });
    const pomdp = solvePomdpExact(base).expectedReturn;
    const copies: EnergyTask = { ...base, models: [base.models[0]!, base.models[0]!, base.models[0]!] };
    for (const alpha of [0, 0.5, 1]) {
      const task = { ...copies, params: { ...copies.params, alpha, K: 3 } };
      expect(solveApomdpExact(task).expectedReturn).toBeCloseTo(pomdp, 10);
    }
    const near = [0, 1].map((alpha) => solveApomdpExact(apomdp({ K: 3, q: 0.7, horizon: 4, alpha, kappa: 1e4 }, 4)).expectedReturn);
    const far = [0, 1].map((alpha) => solveApomdpExact(apomdp({ K: 3, q: 0.7, horizon: 4, alpha, kappa: 50 }, 4)).expectedReturn);
    expect(near[0]! - near[1]!).toBeLessThan((far[0]! - far[1]!) / 10);
    expect(near[0]! - near[1]!).toBeGreaterThanOrEqual(0);
  });

  it('is monotone in α: value(α = 1) ≤ value(0.5) ≤ value(0), and below the reported upper bound', () => {
    for (const seed of [1, 2, 3]) {
      const values = [1, 0.5, 0].map((alpha) => solveApomdpExact(apomdp({ K: 3, q: 0.7, horizon: 4, levels: 6, alpha }, seed)));
      expect(values[0]!.expectedReturn).toBeLessThanOrEqual(values[1]!.expectedReturn + 1e-12);
      expect(values[1]!.expectedReturn).toBeLessThanOrEqual(values[2]!.expectedReturn + 1e-12);
      expect(values[2]!.expectedReturn).toBeGreaterThan(values[0]!.expectedReturn);
      for (const v of values) expect(v.upperBound!).toBeGreaterThanOrEqual(v.expectedReturn - 1e-12);
    }
  });

  it('reports the fully observable α-MEU bound, which is the MDP value when K = 1', () => {
    const task = apomdp({ K: 1, q: 0.9, horizon: 5 });
    expect(solveApomdpExact(task).upperBound).toBeCloseTo(solveMdp(task).expectedReturn, 12);
    const amb = apomdp({ K: 3, q: 0.9, horizon: 5, levels: 5, alpha: 1 }, 9);
    expect(ameuUpperBound(amb)).toBeGreaterThanOrEqual(solveApomdpExact(amb).expectedReturn);
  });

  it('gives the same numbers for the same seed, and memoises the agent’s beliefs', () => {
    const a = solveApomdpExact(apomdp({ K: 2, horizon: 4 }, 11)).expectedReturn;
    const b = solveApomdpExact(apomdp({ K: 2, horizon: 4 }, 11)).expectedReturn;
    expect(a).toBe(b);
    const task = apomdp({ K: 2, horizon: 4 }, 11);
    const vf = ameuExpectimax(task);
    const b0 = Float64Array.from(task.init);
    conditionOnObservation(task.models[0]!, task.nObs, b0, 3);
    vf.value(0, b0);
    const size = vf.memoSize();
    vf.qValues(0, b0);
    expect(vf.memoSize()).toBe(size);
  });

  it('acts through seeded tie-breaking on duplicate charge actions', () => {
    const task = apomdp({ K: 2, horizon: 5, init: 0, p: 0.9, cost: 0.01 }, 2);
    const sol = solveApomdpExact(task);
    const b0 = new Float64Array(task.nStates);
    b0[0] = 1;
    const q = ameuExpectimax(task).qValues(0, b0);
    expect(q[0]!).toBeGreaterThan(q[1]!); // class 0 = charge beats work at an empty battery
    const actions = new Set<number>();
    for (let i = 0; i < 20; i++) actions.add(sol.agent(new Rng(i)).act([], [0]) as number);
    expect([...actions].sort()).toEqual([0, 1]);
  });
});
