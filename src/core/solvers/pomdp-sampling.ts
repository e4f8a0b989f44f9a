/**
 * Belief points for the point-based POMDP solver: where the backups are done decides which
 * beliefs get tight values, so the set mixes the beliefs after each initial observation (t = 0
 * is always covered exactly) with beliefs met on seeded rollouts of three policies: uniform
 * random (breadth), QMDP-greedy on the belief (where a near-optimal policy goes) and ε-greedy
 * QMDP (the neighbourhood of that path).
 */
import { conditionOnObservation, conditionOnReward, propagate } from '../belief.ts';
import type { Rng } from '../rng.ts';
import type { EnergyTask, PomdpModel } from '../types.ts';
import { beliefKey, initialBeliefs } from './pomdp-belief.ts';

export interface SamplingOptions {
  /** most distinct belief points per time step. */
  pointsPerStep: number;
  rng: Rng;
  /** rollouts at most, as a multiple of pointsPerStep (default 3). */
  episodeFactor?: number;
  /** exploration rate of the ε-greedy rollouts (default 0.25). */
  epsilon?: number;
}

/** Beliefs this close count as one point. */
const POINT_KEY_SCALE = 1e6;

/** argmax_c Σ_s b(s) Q_MDP[t][s, c] (lowest class on ties: sampling needs no fairness). */
function qmdpClass(b: Float64Array, mdpQ: Float64Array, C: number): number {
  let best = -Infinity;
  let bestClass = 0;
  for (let c = 0; c < C; c++) {
    let v = 0;
    for (let s = 0; s < b.length; s++) v += b[s]! * mdpQ[s * C + c]!;
    if (v > best) {
      best = v;
      bestClass = c;
    }
  }
  return bestClass;
}

/**
 * Belief points B_t for t = 0..H−1 (beliefs over s_t after seeing o_t), drawn from `rng` only.
 * `mdpQ[t][s * C + c]` are the fully observable Q-values that drive the QMDP rollouts.
 */
export function sampleBeliefPoints(task: EnergyTask, model: PomdpModel, mdpQ: readonly Float64Array[], options: SamplingOptions): Float64Array[][] {
  const H = task.params.horizon;
  const S = task.nStates;
  const O = task.nObs;
  const C = task.actionClasses.length;
  const { pointsPerStep, rng } = options;
  const epsilon = options.epsilon ?? 0.25;
  const maxEpisodes = Math.max(30, Math.ceil((options.episodeFactor ?? 3) * pointsPerStep));
  const points: Float64Array[][] = Array.from({ length: H }, () => []);
  const keys: Set<string>[] = Array.from({ length: H }, () => new Set());
  let open = H; // steps whose point set is not full yet
  const add = (t: number, b: Float64Array): void => {
    const list = points[t]!;
    if (list.length >= pointsPerStep) return;
    const key = beliefKey(b, POINT_KEY_SCALE);
    if (keys[t]!.has(key)) return;
    keys[t]!.add(key);
    list.push(Float64Array.from(b));
    if (list.length === pointsPerStep) open--;
  };

  for (const { belief } of initialBeliefs(task, model)) add(0, belief);
  for (let episode = 0; episode < maxEpisodes && open > 0; episode++) {
    const mode = episode % 3; // 0 random, 1 QMDP, 2 ε-greedy QMDP
    let s = rng.categorical(task.init);
    let b: Float64Array = Float64Array.from(task.init);
    conditionOnObservation(model, O, b, rng.categorical(model.emission, s * O, O));
    for (let t = 0; t < H; t++) {
      add(t, b);
      if (t === H - 1) break;
      const explore = mode === 0 || (mode === 2 && rng.next() < epsilon);
      const c = explore ? rng.int(C) : qmdpClass(b, mdpQ[t]!, C);
      const action = task.actionClasses[c]![0]!;
      conditionOnReward(task, b, action, task.reward[s * task.nActions + action]!);
      b = propagate(task, model, b, action);
      s = rng.categorical(model.transition, (action * S + s) * S, S);
      conditionOnObservation(model, O, b, rng.categorical(model.emission, s * O, O));
    }
  }
  return points;
}
