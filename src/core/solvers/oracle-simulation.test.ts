/**
 * The oracles' agents really earn what the oracles claim: the mean simulated return lies in a
 * 99 % confidence interval around expectedReturn (MDP, exact POMDP, point-based POMDP).
 */
import { describe, expect, it } from 'vitest';
import { makeEnergyTask } from '../envs/energy.ts';
import { resolveEnergyParams } from '../spec/task-spec.ts';
import { Rng } from '../rng.ts';
import { simulateEpisodeSync } from '../simulate.ts';
import type { EnergyEnvName, EnergyTask, OracleSolution } from '../types.ts';
import { solveMdp } from './mdp.ts';
import { solvePomdpExact } from './pomdp-exact.ts';
import { solvePomdpPointBased } from './pomdp-pbvi.ts';

const Z99 = 2.5758; // two-sided 99 % normal quantile; n ≥ 1000 makes the t correction negligible

function energyTask(env: EnergyEnvName, params: Record<string, unknown>): EnergyTask {
  return makeEnergyTask(env, resolveEnergyParams(env, params));
}

function simulatedReturns(task: EnergyTask, sol: OracleSolution, episodes: number, seed: number): { mean: number; halfWidth: number } {
  const agent = sol.agent(new Rng(seed, 'tie-break'));
  let sum = 0;
  let sumSq = 0;
  for (let e = 0; e < episodes; e++) {
    const r = simulateEpisodeSync(task, agent, { seed, taskIndex: 0, episode: e }).return;
    sum += r;
    sumSq += r * r;
  }
  const mean = sum / episodes;
  const variance = (sumSq - episodes * mean * mean) / (episodes - 1);
  return { mean, halfWidth: (Z99 * Math.sqrt(variance)) / Math.sqrt(episodes) };
}

function expectWithinCi(task: EnergyTask, sol: OracleSolution, episodes: number, seed: number): void {
  const { mean, halfWidth } = simulatedReturns(task, sol, episodes, seed);
  expect(Math.abs(mean - sol.expectedReturn), `mean ${mean} vs ${sol.expectedReturn} ± ${halfWidth}`).toBeLessThanOrEqual(halfWidth);
}

describe('oracle agents earn their expected return', () => {
  it('MDP backward induction (H 10)', () => {
    const task = energyTask('energy-mdp', { p: 0.6, horizon: 10, cost: 0.1 });
    expectWithinCi(task, solveMdp(task), 4000, 1);
  });

  it('MDP with discounting and a fixed start (H 8, γ 0.9, init 2)', () => {
    const task = energyTask('energy-mdp', { p: 0.4, horizon: 8, cost: 0.2, gamma: 0.9, init: 2 });
    expectWithinCi(task, solveMdp(task), 4000, 2);
  });

  it('POMDP exact expectimax (H 5, q 0.7 and 0.5)', () => {
    for (const [q, seed] of [
      [0.7, 3],
      [0.5, 4],
    ] as const) {
      const task = energyTask('energy-pomdp', { p: 0.7, q, horizon: 5, cost: 0.1 });
      expectWithinCi(task, solvePomdpExact(task), 4000, seed);
    }
  });

  it('POMDP point-based (H 5 and H 12, q 0.7)', () => {
    const short = energyTask('energy-pomdp', { p: 0.7, q: 0.7, horizon: 5, cost: 0.1 });
    expectWithinCi(short, solvePomdpPointBased(short), 4000, 5);
    const long = energyTask('energy-pomdp', { p: 0.6, q: 0.7, horizon: 12, cost: 0.1 });
    expectWithinCi(long, solvePomdpPointBased(long), 2000, 6);
  });
});
