import { describe, expect, it } from 'vitest';
import { taskFromSpec } from '../tasks.ts';
import type { EnergyTask } from '../types.ts';
import { ameuReturn, evaluateAmeuAgent, evaluateUnderModel } from './apomdp-eval.ts';
import { ameuExpectimax, solveApomdpExact } from './apomdp-exact.ts';
import { ameuPointBased } from './apomdp-point.ts';
import { WORK } from '../envs/energy.ts';

function apomdp(params: Record<string, unknown>, seed = 0): EnergyTask {
  const task = taskFromSpec({ env: 'energy-apomdp', params, seed });
  if (task.kind !== 'energy') throw new Error('unreachable');
  return task;
}

describe('ameuReturn', () => {
  it('is α · min + (1 − α) · max of the per-model means', () => {
    expect(ameuReturn([1, 3, 2], 1)).toBe(1);
    expect(ameuReturn([1, 3, 2], 0)).toBe(3);
    expect(ameuReturn([1, 3, 2], 0.25)).toBeCloseTo(0.25 * 1 + 0.75 * 3, 12);
  });
});

describe('exact per-model evaluation of the oracle agent', () => {
  it('with K = 1 recovers the exact value: the oracle policy achieves what the recursion promises', () => {
    for (const q of [0.5, 0.9]) {
      const task = apomdp({ K: 1, q, horizon: 4 }, 2);
      const vf = ameuExpectimax(task);
      const { perModel, ameu } = evaluateAmeuAgent(task, vf.qValues);
      expect(perModel[0]!).toBeCloseTo(solveApomdpExact(task).expectedReturn, 10);
      expect(ameu).toBeCloseTo(perModel[0]!, 12);
    }
  });

  it('evaluates an always-work policy like the forward state distribution does', () => {
    const task = apomdp({ K: 3, horizon: 4, q: 0.7 }, 6);
    const alwaysWork = () => Float64Array.from([-1, 1]); // class 1 = work
    for (let m = 0; m < 3; m++) {
      const model = task.models[m]!;
      const S = task.nStates;
      let d = Float64Array.from(task.init);
      let expected = 0;
      for (let t = 0; t < 4; t++) {
        for (let s = 0; s < S; s++) expected += d[s]! * task.reward[s * task.nActions + WORK]!;
        const next = new Float64Array(S);
        for (let s = 0; s < S; s++) for (let s2 = 0; s2 < S; s2++) next[s2]! += d[s]! * model.transition[(WORK * S + s) * S + s2]!;
        d = next;
      }
      expect(evaluateUnderModel(task, alwaysWork, m)).toBeCloseTo(expected, 12);
    }
  });

  it('scores the exact and the point-based agents alike on an ambiguous task', () => {
    const task = apomdp({ K: 3, horizon: 4, q: 0.7, alpha: 0.5 }, 3);
    const exact = evaluateAmeuAgent(task, ameuExpectimax(task).qValues);
    const point = evaluateAmeuAgent(task, ameuPointBased(task).qValues);
    expect(exact.perModel).toHaveLength(3);
    expect(Math.abs(point.ameu - exact.ameu) / exact.ameu).toBeLessThan(0.005);
  });
});
