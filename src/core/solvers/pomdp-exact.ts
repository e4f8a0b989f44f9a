/**
 * Exact finite-horizon expectimax over reachable beliefs for the energy POMDP (DESIGN §3).
 *
 * After acting the agent sees z = (r_t, o_{t+1}); the reward is a deterministic function of
 * (s_t, a_t), so a reward value selects a group of states and the next belief is
 * "condition on the group, propagate, condition on o'". Two memo tables keep it fast:
 *  - V_t(b), keyed by the rounded belief (many histories reach the same belief);
 *  - the continuation C_t(a, b_r) = Σ_o' P(o') V_{t+1}(b'') of a post-reward belief b_r: work
 *    reveals the level, so b_r is a point mass for every work branch and this table turns the
 *    work branch into a lookup.
 * Reachable beliefs still grow about tenfold per step through charge branches, so this is meant
 * for H ≤ 5; longer horizons use the point-based solver.
 */
import { conditionOnObservation, propagate } from '../belief.ts';
import type { Rng } from '../rng.ts';
import type { Agent, EnergyTask, OracleSolution, PomdpModel, Step } from '../types.ts';
import { backwardInduction } from './mdp.ts';
import { beliefKey, beliefTracker, classPartitions, initialBeliefs, mdpValueFromInit } from './pomdp-belief.ts';
import { pickAction } from './tie-break.ts';

/** Rounding of memo keys: merging beliefs this close changes values by ~1e-11 relative. */
const KEY_SCALE = 2 ** 40;

export interface BeliefValueFunction {
  horizon: number;
  /** Q_t(b, c) for each distinct action class c, b the belief over s_t after seeing o_t. */
  qValues(t: number, b: Float64Array): Float64Array;
  /** V_t(b) = max_c Q_t(b, c). */
  value(t: number, b: Float64Array): number;
  /** Number of memoised beliefs (over all t): a size measure for tests and benchmarks. */
  memoSize(): number;
}

/** Expectimax value function of the task under `model`, evaluated lazily with memo tables. */
export function expectimaxValueFunction(task: EnergyTask, model: PomdpModel = task.models[0]!): BeliefValueFunction {
  const H = task.params.horizon;
  const gamma = task.params.gamma;
  const S = task.nStates;
  const parts = classPartitions(task);
  const C = parts.length;
  const valueMemo: Map<string, number>[] = Array.from({ length: H }, () => new Map());
  const contMemo: Map<string, number>[][] = Array.from({ length: H }, () => Array.from({ length: C }, () => new Map()));

  /** Σ_o' P(o' | b_r, a) V_{t+1}(b''), b_r the belief over s_t after the reward (normalised). */
  function continuation(t: number, c: number, br: Float64Array): number {
    // Before the last period the direct sum is cheaper than building a memo key.
    if (t + 1 >= H - 1) return lastPeriodValue(propagate(task, model, br, parts[c]!.action));
    const memo = contMemo[t]![c]!;
    const key = beliefKey(br, KEY_SCALE);
    const hit = memo.get(key);
    if (hit !== undefined) return hit;
    const total = expandObservations(t, propagate(task, model, br, parts[c]!.action));
    memo.set(key, total);
    return total;
  }

  /**
   * Σ_o' P(o') V_{H-1}(b'') without forming b'': the last period's value is linear in the
   * unnormalised belief per class, and this level holds most of the tree's nodes.
   */
  function lastPeriodValue(next: Float64Array): number {
    let total = 0;
    for (let o = 0; o < task.nObs; o++) {
      let best = -Infinity;
      for (let c = 0; c < C; c++) {
        const a = parts[c]!.action;
        let v = 0;
        for (let s = 0; s < S; s++) v += next[s]! * model.emission[s * task.nObs + o]! * task.reward[s * task.nActions + a]!;
        if (v > best) best = v;
      }
      total += best;
    }
    return total;
  }

  function expandObservations(t: number, next: Float64Array): number {
    let total = 0;
    for (let o = 0; o < task.nObs; o++) {
      const b2 = Float64Array.from(next);
      const prob = conditionOnObservation(model, task.nObs, b2, o);
      if (prob > 0) total += prob * value(t + 1, b2);
    }
    return total;
  }

  /** Continuation after a reward that pins the state (work): indexed by state, NaN = not computed yet. */
  const pinnedCont: Float64Array[][] = Array.from({ length: H }, () => Array.from({ length: C }, () => new Float64Array(S).fill(NaN)));

  function pinnedContinuation(t: number, c: number, s: number): number {
    const cache = pinnedCont[t]![c]!;
    let v = cache[s]!;
    if (Number.isNaN(v)) {
      const br = new Float64Array(S);
      br[s] = 1;
      v = continuation(t, c, br);
      cache[s] = v;
    }
    return v;
  }

  function qValues(t: number, b: Float64Array): Float64Array {
    const q = new Float64Array(C);
    const last = t >= H - 1;
    for (let c = 0; c < C; c++) {
      let total = 0;
      for (const g of parts[c]!.groups) {
        let mass = 0;
        for (const s of g.states) mass += b[s]!;
        if (mass <= 0) continue;
        total += mass * g.reward;
        if (last) continue;
        if (g.states.length === 1) {
          total += gamma * mass * pinnedContinuation(t, c, g.states[0]!);
          continue;
        }
        const br = new Float64Array(S);
        for (const s of g.states) br[s] = b[s]! / mass;
        total += gamma * mass * continuation(t, c, br);
      }
      q[c] = total;
    }
    return q;
  }

  function value(t: number, b: Float64Array): number {
    // The last period is a one-line max over immediate rewards; memoising it would only cost memory.
    if (t >= H - 1) return maxOf(qValues(t, b));
    const memo = valueMemo[t]!;
    const key = beliefKey(b, KEY_SCALE);
    const hit = memo.get(key);
    if (hit !== undefined) return hit;
    const v = maxOf(qValues(t, b));
    memo.set(key, v);
    return v;
  }

  return {
    horizon: H,
    qValues,
    value,
    memoSize: () => valueMemo.reduce((n, m) => n + m.size, 0) + contMemo.reduce((n, ms) => n + ms.reduce((k, m) => k + m.size, 0), 0),
  };
}

function maxOf(x: Float64Array): number {
  let best = -Infinity;
  for (let i = 0; i < x.length; i++) if (x[i]! > best) best = x[i]!;
  return best;
}

/** V_0 = E_{o_0}[ V_0(init | o_0) ]: the oracle's expected return from the initial distribution. */
export function initialValue(task: EnergyTask, vf: BeliefValueFunction, model: PomdpModel = task.models[0]!): number {
  let v = 0;
  for (const { prob, belief } of initialBeliefs(task, model)) v += prob * vf.value(0, belief);
  return v;
}

/** An agent that filters its belief from the history and plays argmax_c Q_t(b, c) with seeded tie-breaking. */
export function beliefGreedyAgent(
  task: EnergyTask,
  model: PomdpModel,
  qValues: (t: number, b: Float64Array) => Float64Array,
  rng: Rng,
): Agent {
  const H = task.params.horizon;
  const belief = beliefTracker(task, model);
  return {
    act(history: readonly Step[], obs: readonly number[]): number {
      const b = belief(history, obs);
      // Past the horizon nothing is left to plan for: act as in the last period.
      const t = Math.min(history.length, H - 1);
      return pickAction(qValues(t, b), task.actionClasses, rng);
    },
  };
}

/** The exact POMDP oracle (DESIGN §3) for task.models[0]; upperBound is the fully observable MDP value. */
export function solvePomdpExact(task: EnergyTask): OracleSolution {
  const model = task.models[0]!;
  const vf = expectimaxValueFunction(task, model);
  const expectedReturn = initialValue(task, vf, model);
  const upperBound = mdpValueFromInit(task, backwardInduction(task, model).V[0]!);
  return {
    method: 'expectimax',
    expectedReturn,
    upperBound,
    agent: (rng: Rng) => beliefGreedyAgent(task, model, vf.qValues, rng),
  };
}
