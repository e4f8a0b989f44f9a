/**
 * The APOMDP evaluation criterion (DESIGN §2.3) and an exact per-model evaluation of a
 * belief-greedy agent, the noise-free counterpart of "30 episodes per model".
 *
 * R^π = α · min_m R̄_m + (1 − α) · max_m R̄_m over per-model mean returns (ameuReturn, shared with
 * metrics.ts). The exact evaluation computes R̄_m = E_m[Σ_t γ^t r_t] of the agent that keeps the
 * nominal-filter belief (apomdp-model.ts) and plays argmax_c Q_t(b, c), averaging uniformly over
 * tied classes as the seeded tie-break does in expectation (duplicates of a class are identical).
 *
 * It recurses on the agent's belief and returns, per true state s_t, the expected return to go
 * (a vector, because the return is linear in the true state distribution): beliefs of the agent
 * depend only on what it saw, so the tree is the agent's, not the K-fold one of the solver,
 * and the belief after a state-revealing reward is shared by all histories. The tree still grows
 * ~|O|× per charge step: meant for H ≤ 6; longer horizons use simulate.ts.
 */
import { conditionOnObservation } from '../belief.ts';
import type { EnergyTask } from '../types.ts';
import { ameuReturn } from '../metrics.ts';
import { apomdpView, propagateGroup } from './apomdp-model.ts';
import { bestClasses } from './tie-break.ts';

export { ameuReturn };

/** Stop before the memo outgrows memory: the caller asked for a horizon the tree cannot take. */
export const MAX_EVAL_BELIEFS = 2_000_000;

const KEY_SCALE = 2 ** 40;

/** Per-model expected returns of the nominal-filter agent playing argmax of `qValues`, and their α-MEU mix. */
export function evaluateAmeuAgent(
  task: EnergyTask,
  qValues: (t: number, b: Float64Array) => Float64Array,
  alpha = task.params.alpha,
): { perModel: number[]; ameu: number } {
  const perModel = task.models.map((_, m) => evaluateUnderModel(task, qValues, m));
  return { perModel, ameu: ameuReturn(perModel, alpha) };
}

/** R̄_m: the agent's exact expected return when model m generates the episode. */
export function evaluateUnderModel(task: EnergyTask, qValues: (t: number, b: Float64Array) => Float64Array, m: number): number {
  const v = apomdpView(task);
  const { S, O, H, gamma } = v;
  const nominal = task.models[0]!;
  const truth = task.models[m]!;
  const memo: Map<string, Float64Array>[] = Array.from({ length: H }, () => new Map());
  let stored = 0;

  /** The agent's next belief after (class c, reward group g, o'): nominal update, or o' alone if impossible. */
  function nextBelief(b: Float64Array, c: number, states: readonly number[], o: number): Float64Array {
    const p = new Float64Array(S);
    propagateGroup(v, 0, c, b, states, p);
    if (conditionOnObservation(nominal, O, p, o) > 0) return p;
    const fromObs = new Float64Array(S).fill(1 / S);
    return conditionOnObservation(nominal, O, fromObs, o) > 0 ? fromObs : new Float64Array(S).fill(1 / S);
  }

  function F(t: number, b: Float64Array): Float64Array {
    let key = '';
    for (let s = 0; s < S; s++) key += Math.round(b[s]! * KEY_SCALE) + ',';
    const hit = memo[t]!.get(key);
    if (hit) return hit;
    const q = qValues(t, b);
    const chosen = bestClasses(q);
    const out = new Float64Array(S);
    for (const c of chosen) {
      const w = 1 / chosen.length;
      for (let s = 0; s < S; s++) out[s]! += w * v.reward[c * S + s]!;
      if (t + 1 >= H) continue;
      const { start, idx, prob } = v.trans[m]![c]!;
      for (const g of v.groups[c]!) {
        // States the agent's belief rules out have true probability 0 too (every model shares the
        // nominal supports), so their entries are never weighted and need no continuation.
        const live = g.states.filter((s) => b[s]! > 0);
        if (live.length === 0) continue;
        for (let o = 0; o < O; o++) {
          const f2 = F(t + 1, nextBelief(b, c, g.states, o));
          for (const s of live) {
            let x = 0;
            for (let k = start[s]!; k < start[s + 1]!; k++) x += prob[k]! * truth.emission[idx[k]! * O + o]! * f2[idx[k]!]!;
            out[s]! += w * gamma * x;
          }
        }
      }
    }
    memo[t]!.set(key, out);
    if (++stored > MAX_EVAL_BELIEFS) throw new Error(`evaluateUnderModel: more than ${MAX_EVAL_BELIEFS} agent beliefs; horizon ${H} is too long for exact evaluation`);
    return out;
  }

  let total = 0;
  for (let o0 = 0; o0 < O; o0++) {
    // The agent's belief after o_0 is the nominal posterior; the joint weight of (s_0, o_0) is model m's.
    const b0 = Float64Array.from(task.init);
    if (conditionOnObservation(nominal, O, b0, o0) <= 0) continue;
    const f = F(0, b0);
    for (let s = 0; s < S; s++) total += task.init[s]! * truth.emission[s * O + o0]! * f[s]!;
  }
  return total;
}
