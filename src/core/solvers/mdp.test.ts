/**
 * Backward induction against an exhaustive expectimax over state trees written here from the
 * environment definition (DESIGN §2.1), not from the task's matrices, and one hand-computed value.
 */
import { describe, expect, it } from 'vitest';
import { makeEnergyTask } from '../envs/energy.ts';
import { resolveEnergyParams } from '../spec/task-spec.ts';
import { backwardInduction, solveMdp } from './mdp.ts';

interface Env {
  E: number;
  p: number;
  cost: number;
  gamma: number;
}

/** Successors of level e under 'charge' or 'work', straight from DESIGN §2.1. */
function successors(env: Env, e: number, action: 'charge' | 'work'): [number, number][] {
  const moved = action === 'charge' ? Math.min(e + 1, env.E) : Math.max(e - 1, 0);
  return [
    [moved, env.p],
    [e, 1 - env.p],
  ];
}

function reward(env: Env, e: number, action: 'charge' | 'work'): number {
  return action === 'charge' ? -env.cost : e / env.E;
}

/** Unmemoised recursion over the whole tree of state sequences: exponential, independent of mdp.ts. */
function treeValue(env: Env, e: number, stepsLeft: number): number {
  if (stepsLeft === 0) return 0;
  let best = -Infinity;
  for (const action of ['charge', 'work'] as const) {
    let v = reward(env, e, action);
    for (const [next, prob] of successors(env, e, action)) v += env.gamma * prob * treeValue(env, next, stepsLeft - 1);
    best = Math.max(best, v);
  }
  return best;
}

function mdpTask(levels: number, p: number, cost: number, gamma: number, horizon: number) {
  return makeEnergyTask('energy-mdp', resolveEnergyParams('energy-mdp', { levels, p, cost, gamma, horizon }));
}

describe('MDP backward induction', () => {
  it('equals exhaustive expectimax over state trees on small cases', () => {
    let cases = 0;
    for (const levels of [3, 4]) {
      for (const horizon of [1, 2, 3, 4]) {
        for (const p of [0.1, 0.5, 0.85]) {
          for (const [cost, gamma] of [
            [0, 1],
            [0.1, 1],
            [0.3, 0.9],
            [0.05, 0.5],
          ] as const) {
            const env: Env = { E: levels - 1, p, cost, gamma };
            const { V } = backwardInduction(mdpTask(levels, p, cost, gamma, horizon));
            for (let t = 0; t < horizon; t++) {
              for (let e = 0; e < levels; e++) expect(V[t]![e]).toBeCloseTo(treeValue(env, e, horizon - t), 12);
            }
            cases++;
          }
        }
      }
    }
    expect(cases).toBe(96);
  });

  it('matches a hand-computed value (levels 2, H 2, p 0.5, cost 0.1)', () => {
    // Last period: V1(0) = max(−0.1, 0) = 0, V1(1) = max(−0.1, 1) = 1.
    // First period: V0(0) = max(−0.1 + ½·1 + ½·0, 0 + 0) = 0.4, V0(1) = max(−0.1 + 1, 1 + ½·0 + ½·1) = 1.5.
    // Uniform start: (0.4 + 1.5) / 2 = 0.95.
    const sol = solveMdp(mdpTask(2, 0.5, 0.1, 1, 2));
    expect(sol.values).toEqual([
      [expect.closeTo(0.4, 12), expect.closeTo(1.5, 12)],
      [expect.closeTo(0, 12), expect.closeTo(1, 12)],
    ]);
    expect(sol.expectedReturn).toBeCloseTo(0.95, 12);
    expect(sol.upperBound).toBeCloseTo(0.95, 12);
  });
});
