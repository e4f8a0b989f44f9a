/**
 * Exact POMDP expectimax against two references written here from DESIGN §2.2 alone (not from
 * the task matrices or belief.ts): a brute force over every deterministic history-dependent
 * policy on the tiniest cases, and a history recursion on unnormalised forward weights.
 */
import { describe, expect, it } from 'vitest';
import { makeEnergyTask } from '../envs/energy.ts';
import { resolveEnergyParams } from '../spec/task-spec.ts';
import { Rng } from '../rng.ts';
import type { Step } from '../types.ts';
import { solveMdp } from './mdp.ts';
import { solvePomdpExact } from './pomdp-exact.ts';

interface Env {
  levels: number;
  p: number;
  cost: number;
  gamma: number;
  q: number;
  horizon: number;
}
type Act = 'charge' | 'work';
const ACTS: Act[] = ['charge', 'work'];

const E = (env: Env) => env.levels - 1;
const reward = (env: Env, e: number, a: Act) => (a === 'charge' ? -env.cost : e / E(env));
const transition = (env: Env, e: number, a: Act): [number, number][] => [
  [a === 'charge' ? Math.min(e + 1, E(env)) : Math.max(e - 1, 0), env.p],
  [e, 1 - env.p],
];
const emission = (env: Env, e: number, o: number) => (o === e ? env.q : (1 - env.q) / E(env));
/** Distinct rewards of an action, as the agent can see them. */
const rewardValues = (env: Env, a: Act) => [...new Set(Array.from({ length: env.levels }, (_, e) => reward(env, e, a)))];

function task(env: Env) {
  return makeEnergyTask('energy-pomdp', resolveEnergyParams('energy-pomdp', { ...env }));
}

/** Value of the best policy among all maps from (possibly unreachable) histories to actions. */
function bruteForceOverPolicies(env: Env): number {
  const points: string[] = [];
  const extend = (prefix: string, t: number): void => {
    for (let o = 0; o < env.levels; o++) {
      const key = `${prefix}o${o}`;
      points.push(key);
      if (t + 1 < env.horizon) for (const a of ACTS) for (const r of rewardValues(env, a)) extend(`${key}|${a}|${r}|`, t + 1);
    }
  };
  extend('', 0);
  if (points.length > 16) throw new Error(`too many decision points for brute force: ${points.length}`);
  let best = -Infinity;
  for (let mask = 0; mask < 2 ** points.length; mask++) {
    const policy = new Map(points.map((key, i) => [key, ACTS[(mask >> i) & 1]!]));
    // Expected return by enumerating every latent path and observation sequence.
    const run = (e: number, prefix: string, t: number): number => {
      let v = 0;
      for (let o = 0; o < env.levels; o++) {
        const po = emission(env, e, o);
        if (po === 0) continue;
        const key = `${prefix}o${o}`;
        const a = policy.get(key)!;
        const r = reward(env, e, a);
        let cont = 0;
        if (t + 1 < env.horizon) for (const [e2, pt] of transition(env, e, a)) cont += pt * run(e2, `${key}|${a}|${r}|`, t + 1);
        v += po * (r + env.gamma * cont);
      }
      return v;
    };
    let value = 0;
    for (let e = 0; e < env.levels; e++) value += run(e, '', 0) / env.levels;
    best = Math.max(best, value);
  }
  return best;
}

/**
 * Optimal value by recursion over histories, carrying w(s) = P(history, s_t = s) unnormalised.
 * The max is taken on joint (not conditional) values, which ranks actions the same way.
 */
function historyRecursion(env: Env): number {
  const S = env.levels;
  const solveFrom = (w: number[], t: number): number => {
    let best = -Infinity;
    for (const a of ACTS) {
      let v = 0;
      for (let s = 0; s < S; s++) v += w[s]! * reward(env, s, a);
      if (t + 1 < env.horizon) {
        for (const r of rewardValues(env, a)) {
          for (let o = 0; o < S; o++) {
            const next = new Array<number>(S).fill(0);
            for (let s = 0; s < S; s++) {
              if (reward(env, s, a) !== r || w[s] === 0) continue;
              for (const [s2, pt] of transition(env, s, a)) next[s2]! += w[s]! * pt * emission(env, s2, o);
            }
            if (next.some((x) => x > 0)) v += env.gamma * solveFrom(next, t + 1);
          }
        }
      }
      best = Math.max(best, v);
    }
    return best;
  };
  let total = 0;
  for (let o = 0; o < S; o++) total += solveFrom(Array.from({ length: S }, (_, s) => emission(env, s, o) / S), 0);
  return total;
}

const base: Env = { levels: 3, p: 0.6, cost: 0.1, gamma: 1, q: 0.7, horizon: 3 };

describe('POMDP exact expectimax', () => {
  it('equals the best of all deterministic history-dependent policies on the tiniest cases', () => {
    const cases: Env[] = [];
    for (const [levels, horizon] of [
      [2, 1],
      [2, 2],
      [3, 1],
    ] as const) {
      for (const [p, q, cost, gamma] of [
        [0.5, 0.8, 0.1, 1],
        [0.9, 0.6, 0.3, 0.9],
        [0.2, 0.95, 0.0, 1],
        [0.7, 1, 0.2, 0.8],
      ] as const) {
        cases.push({ levels, horizon, p, q, cost, gamma });
      }
    }
    for (const env of cases) expect(solvePomdpExact(task(env)).expectedReturn).toBeCloseTo(bruteForceOverPolicies(env), 10);
  });

  it('equals an independent history recursion on levels 3–4, H 1–4', () => {
    for (const levels of [3, 4]) {
      for (const horizon of [1, 2, 3, 4]) {
        for (const [p, q, cost, gamma] of [
          [0.6, 0.7, 0.1, 1],
          [0.25, 0.5, 0.2, 0.9],
          [0.9, 0.9, 0.0, 1],
        ] as const) {
          if (levels === 4 && horizon === 4 && q !== 0.7) continue; // the reference is exponential; one case is enough
          const env: Env = { levels, horizon, p, q, cost, gamma };
          expect(solvePomdpExact(task(env)).expectedReturn, JSON.stringify(env)).toBeCloseTo(historyRecursion(env), 10);
        }
      }
    }
  });

  it('equals the MDP value when observations are exact (q = 1)', () => {
    for (const horizon of [1, 3, 5]) {
      for (const [p, cost, gamma] of [
        [0.3, 0.1, 1],
        [0.8, 0.25, 0.9],
      ] as const) {
        const params = { levels: 10, horizon, p, cost, gamma };
        const mdp = solveMdp(makeEnergyTask('energy-mdp', resolveEnergyParams('energy-mdp', params)));
        const pomdp = solvePomdpExact(task({ ...params, q: 1 }));
        expect(pomdp.expectedReturn).toBeCloseTo(mdp.expectedReturn, 10);
        expect(pomdp.upperBound).toBeCloseTo(mdp.expectedReturn, 10);
      }
    }
  });

  it('is at most the MDP bound and non-decreasing in q (levels 10, H 4)', () => {
    // At these p charging sometimes pays, so knowing the level is worth something (at p = 0.3 always-work is optimal).
    for (const p of [0.7, 0.9]) {
      // Every q ≥ 1/levels channel is a garbling of any more accurate one (Blackwell), so values must not drop.
      const values = [0.1, 0.3, 0.5, 0.7, 0.9, 1].map((q) => solvePomdpExact(task({ levels: 10, horizon: 4, p, cost: 0.1, gamma: 1, q })));
      for (const sol of values) expect(sol.expectedReturn).toBeLessThanOrEqual(sol.upperBound! + 1e-12);
      for (let i = 1; i < values.length; i++) expect(values[i]!.expectedReturn).toBeGreaterThanOrEqual(values[i - 1]!.expectedReturn - 1e-12);
      expect(values[0]!.expectedReturn).toBeLessThan(values[5]!.expectedReturn - 1e-3);
    }
  });

  it('uses both duplicate charge actions, reproducibly per seed, and survives impossible histories', () => {
    // With q = 1 an observed 0 means level 0, where charging beats working (which earns 0 and stays at 0).
    const sol = solvePomdpExact(task({ ...base, levels: 10, horizon: 4, cost: 0.05, q: 1 }));
    const obs = [0];
    const actions = (seed: number) => {
      const agent = sol.agent(new Rng(seed));
      return Array.from({ length: 40 }, () => agent.act([], obs));
    };
    // Ties between charge and charge' are broken by the rng.
    expect(new Set(actions(1))).toEqual(new Set([0, 1]));
    expect(actions(7)).toEqual(actions(7));
    // q = 1 makes "saw 3, worked, earned 8/9" impossible; the agent must still answer.
    const exact = solvePomdpExact(task({ ...base, levels: 10, horizon: 4, q: 1 }));
    const impossible: Step[] = [{ obs: [3], action: 2, reward: 8 / 9 }];
    expect([0, 1, 2]).toContain(exact.agent(new Rng(0)).act(impossible, [3]));
  });
});
