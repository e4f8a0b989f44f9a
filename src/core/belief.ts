/**
 * Bayes filtering for the energy POMDP/APOMDP. The agent conditions on everything it sees
 * (DESIGN §2.2): the observation o_t of s_t, and the reward r_t = reward(s_t, a_t), which for
 * work reveals the level. Beliefs are over the latent state s_t.
 */
import type { EnergyTask, PomdpModel, Step } from './types.ts';

/** Rewards are compared with this tolerance: they are exact model values, not rounded text. */
export const REWARD_TOLERANCE = 1e-9;

function normalize(b: Float64Array): number {
  let total = 0;
  for (let i = 0; i < b.length; i++) total += b[i]!;
  if (total > 0) for (let i = 0; i < b.length; i++) b[i]! /= total;
  return total;
}

/** b(s) ∝ b(s) · P(o | s). Returns P(o | b); a zero-probability observation leaves `b` all zero. */
export function conditionOnObservation(model: PomdpModel, nObs: number, b: Float64Array, o: number): number {
  for (let s = 0; s < b.length; s++) b[s]! *= model.emission[s * nObs + o]!;
  return normalize(b);
}

/** b(s) ∝ b(s) · 1[reward(s, a) = r]. Returns P(r | b, a). */
export function conditionOnReward(task: EnergyTask, b: Float64Array, action: number, r: number): number {
  for (let s = 0; s < b.length; s++) {
    if (Math.abs(task.reward[s * task.nActions + action]! - r) > REWARD_TOLERANCE) b[s] = 0;
  }
  return normalize(b);
}

/** b'(s') = Σ_s b(s) P(s' | s, a). */
export function propagate(task: EnergyTask, model: PomdpModel, b: Float64Array, action: number): Float64Array {
  const S = task.nStates;
  const out = new Float64Array(S);
  for (let s = 0; s < S; s++) {
    const w = b[s]!;
    if (w === 0) continue;
    const row = (action * S + s) * S;
    for (let s2 = 0; s2 < S; s2++) out[s2]! += w * model.transition[row + s2]!;
  }
  return out;
}

/**
 * The belief over s_t after seeing steps 0..t-1 and o_t, under one model.
 * Returns null when the history is impossible under the model.
 */
export function filterBelief(task: EnergyTask, model: PomdpModel, history: readonly Step[], obs: readonly number[]): Float64Array | null {
  let b: Float64Array = Float64Array.from(task.init);
  for (const step of history) {
    if (conditionOnObservation(model, task.nObs, b, step.obs[0]!) === 0) return null;
    if (conditionOnReward(task, b, step.action, step.reward) === 0) return null;
    b = propagate(task, model, b, step.action);
  }
  if (conditionOnObservation(model, task.nObs, b, obs[0]!) === 0) return null;
  return b;
}

/** Distinct reward values of action a and the states that produce each: the reward part of the observation z = (o, r). */
export function rewardPartition(task: EnergyTask, action: number): { reward: number; states: number[] }[] {
  const groups: { reward: number; states: number[] }[] = [];
  for (let s = 0; s < task.nStates; s++) {
    const r = task.reward[s * task.nActions + action]!;
    const g = groups.find((x) => Math.abs(x.reward - r) <= REWARD_TOLERANCE);
    if (g) g.states.push(s);
    else groups.push({ reward: r, states: [s] });
  }
  return groups;
}
