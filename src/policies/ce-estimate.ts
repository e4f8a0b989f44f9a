/**
 * Estimators behind certainty-equivalent planning: what the hidden task parameters probably
 * are, given the support trajectories.
 *
 * Energy (levels E+1 known):
 * - MDP (the observation is the level): p̂ = successes / trials over informative transitions
 *   (charge from e < E: success when the next level is e+1; work from e > 0: success at e−1).
 *   This is the binomial maximum-likelihood estimate.
 * - POMDP/APOMDP: work's reward e/E reveals the level, so q̂ = (matches + 2·Q_PRIOR) / (n + 2)
 *   over work steps, where a match is an observation equal to the revealed level (shrunk toward
 *   Q_PRIOR so that q̂ < 1 and no real history is impossible under the estimated model). Then p̂
 *   maximises the likelihood of all observed (o, r) sequences under the POMDP with q̂, on a grid
 *   of p in [0.02, 0.98] (the open interval keeps every real history possible).
 * - No informative data: the prior P_PRIOR (0.6, the middle of the default U(0.3, 0.9)).
 * Darkroom: a step with reward > 0 reveals the goal as its post-move cell; rewardless post-move
 * cells are excluded as goals.
 */
import { conditionOnObservation, conditionOnReward, propagate } from '../core/belief.ts';
import { CHARGE, CHARGE_DUPLICATE, WORK, makeEnergyTask } from '../core/envs/energy.ts';
import { darkroomMove } from '../core/envs/darkroom.ts';
import type { AgentView, EnergyParams, EnergyTask, Step, Trajectory } from '../core/types.ts';

export const P_PRIOR = 0.6;
export const Q_PRIOR = 0.9;
const P_GRID = Array.from({ length: 97 }, (_, i) => 0.02 + 0.01 * i);

export interface EnergyEstimate {
  p: number;
  q: number;
  /** informative transitions (MDP) or all support transitions (POMDP); work steps behind q̂. For the UI. */
  pEvidence: number;
  qEvidence: number;
}

function num(view: AgentView, key: string): number {
  const v = view.known[key];
  if (typeof v !== 'number') throw new Error(`ce-planning: view.known.${key} must be a number, got ${String(v)}`);
  return v;
}

/** Task parameters that are public, with the hidden ones (p, q) filled in from an estimate. */
export function estimatedEnergyParams(view: AgentView, est: { p: number; q: number }): EnergyParams {
  const init = view.known.init;
  return {
    levels: num(view, 'levels'),
    p: est.p,
    cost: num(view, 'cost'),
    horizon: view.horizon,
    gamma: view.gamma,
    init: init === 'uniform' ? 'uniform' : Number(init),
    q: est.q,
    K: 1,
    alpha: typeof view.known.alpha === 'number' ? view.known.alpha : 1,
    rho: 0.1,
    kappa: 50,
  };
}

function estimateMdpP(levels: number, support: readonly Trajectory[]): { p: number; n: number } {
  const E = levels - 1;
  let trials = 0;
  let successes = 0;
  for (const traj of support) {
    for (let t = 0; t + 1 < traj.length; t++) {
      const e = traj[t]!.obs[0]!;
      const next = traj[t + 1]!.obs[0]!;
      const a = traj[t]!.action;
      const charge = a === CHARGE || a === CHARGE_DUPLICATE;
      const target = charge ? e + 1 : e - 1;
      if ((charge && e >= E) || (a === WORK && e <= 0)) continue; // cannot move: says nothing about p
      if (next !== target && next !== e) continue; // impossible under the family: ignore
      trials++;
      if (next === target) successes++;
    }
  }
  return trials === 0 ? { p: P_PRIOR, n: 0 } : { p: successes / trials, n: trials };
}

/** The level that work's reward e/E reveals, or null for other actions. */
export function revealedLevel(levels: number, step: Step): number | null {
  if (step.action !== WORK) return null;
  return Math.round(step.reward * (levels - 1));
}

function estimateQ(levels: number, support: readonly Trajectory[]): { q: number; n: number } {
  let n = 0;
  let matches = 0;
  for (const traj of support) {
    for (const step of traj) {
      const e = revealedLevel(levels, step);
      if (e === null) continue;
      n++;
      if (step.obs[0] === e) matches++;
    }
  }
  return { q: (matches + 2 * Q_PRIOR) / (n + 2), n };
}

/** log P(o_1, r_1, ..., o_H, r_H | a_1..a_H) of one trajectory under a POMDP task (−Infinity when impossible). */
export function logLikelihood(task: EnergyTask, traj: readonly Step[]): number {
  const model = task.models[0]!;
  let b: Float64Array = Float64Array.from(task.init);
  let ll = 0;
  for (const step of traj) {
    ll += Math.log(conditionOnObservation(model, task.nObs, b, step.obs[0]!));
    ll += Math.log(conditionOnReward(task, b, step.action, step.reward));
    if (ll === -Infinity) return ll;
    b = propagate(task, model, b, step.action);
  }
  return ll;
}

function estimatePomdpP(view: AgentView, q: number, support: readonly Trajectory[]): number {
  let best = P_PRIOR;
  let bestLl = -Infinity;
  let worstLl = Infinity;
  // Visit the grid from the prior outwards so that a flat likelihood (no evidence) keeps the prior.
  const order = [...P_GRID].sort((a, b) => Math.abs(a - P_PRIOR) - Math.abs(b - P_PRIOR));
  for (const p of order) {
    const task = makeEnergyTask('energy-pomdp', estimatedEnergyParams(view, { p, q }));
    let ll = 0;
    for (const traj of support) ll += logLikelihood(task, traj);
    if (ll > bestLl + 1e-12) {
      bestLl = ll;
      best = p;
    }
    worstLl = Math.min(worstLl, ll);
  }
  return bestLl - worstLl < 1e-9 ? P_PRIOR : best;
}

export function estimateEnergy(view: AgentView, support: readonly Trajectory[]): EnergyEstimate {
  const levels = num(view, 'levels');
  if (view.env === 'energy-mdp') {
    const { p, n } = estimateMdpP(levels, support);
    return { p, q: 1, pEvidence: n, qEvidence: 0 };
  }
  const { q, n } = estimateQ(levels, support);
  const transitions = support.reduce((acc, traj) => acc + Math.max(0, traj.length - 1), 0);
  return { p: estimatePomdpP(view, q, support), q, pEvidence: transitions, qEvidence: n };
}

export interface DarkroomKnowledge {
  goal: [number, number] | null;
  /** cells y*size+x known not to be the goal. */
  excluded: Set<number>;
}

export function emptyDarkroomKnowledge(): DarkroomKnowledge {
  return { goal: null, excluded: new Set() };
}

/** Folds the steps of one trajectory into what is known about the goal. */
export function learnDarkroom(size: number, k: DarkroomKnowledge, steps: readonly Step[], from = 0): void {
  for (let t = from; t < steps.length; t++) {
    const step = steps[t]!;
    const [x, y] = darkroomMove(size, step.obs[0]!, step.obs[1]!, step.action);
    if (step.reward > 0) k.goal = [x, y];
    else k.excluded.add(y * size + x);
  }
}
