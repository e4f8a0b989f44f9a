/**
 * Pieces shared by the POMDP oracles (exact expectimax and point-based): the agent's belief
 * with a fallback for histories the model calls impossible, belief keys for memo tables, and
 * the per-class reward partitions that make z = (r, o') cheap to enumerate.
 */
import { conditionOnObservation, conditionOnReward, filterBelief, propagate, rewardPartition } from '../belief.ts';
import type { EnergyTask, PomdpModel, Step } from '../types.ts';

/** One distinct action class with its representative action and the states behind each reward value. */
export interface ClassPartition {
  action: number;
  groups: { reward: number; states: number[] }[];
}

export function classPartitions(task: EnergyTask): ClassPartition[] {
  return task.actionClasses.map((cls) => {
    const action = cls[0]!;
    return { action, groups: rewardPartition(task, action) };
  });
}

/**
 * A string key for a belief, rounding each entry to a multiple of 1/scale. Beliefs reached by
 * different histories differ in the last bits; rounding merges them so memo tables stay small,
 * and the value error of a merge is bounded by (number of states / scale) · max |value|.
 */
export function beliefKey(b: Float64Array, scale: number): string {
  let key = '';
  for (let s = 0; s < b.length; s++) key += Math.round(b[s]! * scale) + ',';
  return key;
}

/**
 * The belief after `history` and `obs`. An oracle agent can be handed a history its own model
 * calls impossible (another policy's data, a tampered reward); it then falls back to what the
 * current observation alone says, and to the uniform belief if even that is impossible, rather
 * than failing mid-episode.
 */
export function agentBelief(task: EnergyTask, model: PomdpModel, history: readonly Step[], obs: readonly number[]): Float64Array {
  const b = filterBelief(task, model, history, obs);
  if (b) return b;
  const uniform = new Float64Array(task.nStates).fill(1 / task.nStates);
  const fromObs = Float64Array.from(uniform);
  return conditionOnObservation(model, task.nObs, fromObs, obs[0]!) > 0 ? fromObs : uniform;
}

/** The distribution of o_0 and the belief after each o_0 with positive probability. */
export function initialBeliefs(task: EnergyTask, model: PomdpModel): { prob: number; belief: Float64Array }[] {
  const out: { prob: number; belief: Float64Array }[] = [];
  for (let o = 0; o < task.nObs; o++) {
    const b = Float64Array.from(task.init);
    const prob = conditionOnObservation(model, task.nObs, b, o);
    if (prob > 0) out.push({ prob, belief: b });
  }
  return out;
}

/** Σ_s init(s) V_0(s): the fully observable MDP value from the initial distribution. */
export function mdpValueFromInit(task: EnergyTask, V0: Float64Array): number {
  let v = 0;
  for (let s = 0; s < task.nStates; s++) v += task.init[s]! * V0[s]!;
  return v;
}

/**
 * agentBelief for an agent that is asked once per period, in order: it carries the prediction
 * for s_t from the previous call instead of refiltering the whole history (O(S²) instead of
 * O(t·S²) per period). The cache is only trusted when it is the same history array, one step
 * longer, with the same last step object; anything else is filtered from scratch, so sharing
 * an agent between interleaved episodes stays correct, only slower.
 */
export function beliefTracker(task: EnergyTask, model: PomdpModel): (history: readonly Step[], obs: readonly number[]) => Float64Array {
  let cachedHistory: readonly Step[] | null = null;
  let cachedLength = -1;
  let cachedLast: Step | undefined;
  let prior: Float64Array | null = null; // P(s_n | steps 0..n−1), n = cachedLength

  return (history, obs) => {
    const n = history.length;
    const extendable = prior !== null && history === cachedHistory && n === cachedLength + 1 && history[n - 2] === cachedLast;
    let b: Float64Array | null = null;
    if (n === 0) b = Float64Array.from(task.init);
    else if (extendable && prior) {
      const step = history[n - 1]!;
      const post = Float64Array.from(prior);
      if (conditionOnObservation(model, task.nObs, post, step.obs[0]!) > 0 && conditionOnReward(task, post, step.action, step.reward) > 0) {
        b = propagate(task, model, post, step.action);
      }
    } else {
      b = Float64Array.from(task.init);
      for (const step of history) {
        if (conditionOnObservation(model, task.nObs, b, step.obs[0]!) === 0 || conditionOnReward(task, b, step.action, step.reward) === 0) {
          b = null;
          break;
        }
        b = propagate(task, model, b, step.action);
      }
    }
    if (b === null) {
      prior = null;
      return agentBelief(task, model, history, obs);
    }
    prior = b;
    cachedHistory = history;
    cachedLength = n;
    cachedLast = history[n - 1];
    const current = Float64Array.from(b);
    return conditionOnObservation(model, task.nObs, current, obs[0]!) > 0 ? current : agentBelief(task, model, history, obs);
  };
}
