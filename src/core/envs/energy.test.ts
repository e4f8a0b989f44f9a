import { describe, expect, it } from 'vitest';
import { energyEmission, energyReward, energyTransition, makeEnergyTask } from './energy.ts';
import { parseTaskSpec } from '../spec/task-spec.ts';
import type { EnergyParams } from '../types.ts';

describe('energy model', () => {
  it('has stochastic rows and the dynamics of DESIGN §2.1', () => {
    const L = 10;
    const p = 0.7;
    const T = energyTransition(L, p);
    for (let row = 0; row < 3 * L; row++) {
      let s = 0;
      for (let j = 0; j < L; j++) s += T[row * L + j]!;
      expect(s).toBeCloseTo(1, 12);
    }
    // charge from 4: to 5 with p, stay with 1-p; charge' identical; work from 4: to 3 with p
    expect(T[(0 * L + 4) * L + 5]).toBeCloseTo(p, 12);
    expect(T[(0 * L + 4) * L + 4]).toBeCloseTo(1 - p, 12);
    expect(Array.from(T.subarray(0, L * L))).toEqual(Array.from(T.subarray(L * L, 2 * L * L)));
    expect(T[(2 * L + 4) * L + 3]).toBeCloseTo(p, 12);
    // clipped at the ends
    expect(T[(0 * L + 9) * L + 9]).toBe(1);
    expect(T[(2 * L + 0) * L + 0]).toBe(1);
  });

  it('emits the true level with probability q, else another level uniformly', () => {
    const Z = energyEmission(10, 0.7);
    expect(Z[3 * 10 + 3]).toBeCloseTo(0.7, 12);
    expect(Z[3 * 10 + 5]).toBeCloseTo(0.3 / 9, 12);
    const R = energyReward(10, 0.1);
    expect(R[9 * 3 + 2]).toBe(1);
    expect(R[3 * 3 + 2]).toBeCloseTo(1 / 3, 12);
    expect(R[3 * 3 + 0]).toBe(-0.1);
  });

  it('builds an MDP task with identity emissions', () => {
    const spec = parseTaskSpec({ env: 'energy-mdp', params: { levels: 4, init: 2 } });
    const task = makeEnergyTask('energy-mdp', spec.params as EnergyParams);
    expect(Array.from(task.models[0]!.emission)).toEqual([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]);
    expect(Array.from(task.init)).toEqual([0, 0, 1, 0]);
  });
});
