/**
 * Shared machinery of the APOMDP oracles (DESIGN §2.3, §3): a compact view of the K models,
 * the unnormalised belief update, the α-mix of model values, the agent's belief and the upper
 * bound both solvers report.
 *
 * Every value function here is positively homogeneous, V_t(λ b) = λ V_t(b) for λ > 0 (the reward
 * is linear in b and each W_m is a σ-weighted sum of V_{t+1} at the normalised updates, i.e. a
 * sum of V_{t+1} at unnormalised updates). So the solvers never divide by σ_m(z | b, a):
 * W_m = Σ_z V_{t+1}(u_{m,z}) with u_{m,z}(s') = P_m(o' | s') Σ_{s ∈ g(r)} b(s) P_m(s' | s, a).
 *
 * The agent's belief: the agent does not know which model generates the episode, so it keeps
 * ONE belief, filtered under the nominal model (model 1), and plays argmax_a Q_t(b, a) of the
 * α-MEU recursion at that belief. Reasons: (1) every model shares the nominal supports
 * (envs/ambiguity.ts), so a history that is possible under the true model is possible under the
 * nominal one and the filter never breaks; (2) the nominal update τ_1 is one of the branches the
 * recursion itself evaluates, so the exact solver's memo already holds the agent's beliefs and
 * acting costs lookups; (3) it needs no re-solving from the history. The recursion's value is
 * what the α-MEU criterion assigns; the agent's realised per-model returns (apomdp-eval.ts) can
 * differ from it because the recursion lets each model's branch use its own update.
 */
import { conditionOnObservation, filterBelief } from '../belief.ts';
import type { Rng } from '../rng.ts';
import type { Agent, EnergyTask, Step } from '../types.ts';
import { pickAction } from './tie-break.ts';
import { initialBeliefs } from './pomdp-belief.ts';

/** A class's reward groups: the states that produce each reward value (z = (r, o')). */
export interface RewardGroup {
  reward: number;
  states: number[];
}

export interface ApomdpView {
  task: EnergyTask;
  S: number;
  O: number;
  K: number;
  C: number;
  H: number;
  gamma: number;
  alpha: number;
  /** representative action of each distinct class. */
  action: number[];
  /** reward[c * S + s] of the class representative. */
  reward: Float64Array;
  groups: RewardGroup[][];
  /** sparse transition rows per [m][c]: row s has next states idx[start[s]..start[s+1]). */
  trans: { start: Int32Array; idx: Int32Array; prob: Float64Array }[][];
  /** emissionT[m][o * S + s] = P_m(o | s): the o'-loop reads one contiguous column. */
  emissionT: Float64Array[];
}

export function apomdpView(task: EnergyTask, alpha = task.params.alpha): ApomdpView {
  const S = task.nStates;
  const O = task.nObs;
  const action = task.actionClasses.map((c) => c[0]!);
  const C = action.length;
  const reward = new Float64Array(C * S);
  const groups: RewardGroup[][] = [];
  for (let c = 0; c < C; c++) {
    const gs: RewardGroup[] = [];
    for (let s = 0; s < S; s++) {
      const r = task.reward[s * task.nActions + action[c]!]!;
      reward[c * S + s] = r;
      const g = gs.find((x) => Math.abs(x.reward - r) <= 1e-9);
      if (g) g.states.push(s);
      else gs.push({ reward: r, states: [s] });
    }
    groups.push(gs);
  }
  const trans = task.models.map((model) =>
    action.map((a) => {
      const start = new Int32Array(S + 1);
      const idx: number[] = [];
      const prob: number[] = [];
      for (let s = 0; s < S; s++) {
        for (let s2 = 0; s2 < S; s2++) {
          const p = model.transition[(a * S + s) * S + s2]!;
          if (p > 0) {
            idx.push(s2);
            prob.push(p);
          }
        }
        start[s + 1] = idx.length;
      }
      return { start, idx: Int32Array.from(idx), prob: Float64Array.from(prob) };
    }),
  );
  const emissionT = task.models.map((model) => {
    const e = new Float64Array(O * S);
    for (let s = 0; s < S; s++) for (let o = 0; o < O; o++) e[o * S + s] = model.emission[s * O + o]!;
    return e;
  });
  return { task, S, O, K: task.models.length, C, H: task.params.horizon, gamma: task.params.gamma, alpha, action, reward, groups, trans, emissionT };
}

/** out = Σ_{s ∈ states} b(s) P_m(· | s, a_c) (overwrites out). */
export function propagateGroup(v: ApomdpView, m: number, c: number, b: ArrayLike<number>, states: readonly number[], out: Float64Array): void {
  out.fill(0);
  const { start, idx, prob } = v.trans[m]![c]!;
  for (const s of states) {
    const w = b[s]!;
    if (w === 0) continue;
    for (let k = start[s]!; k < start[s + 1]!; k++) out[idx[k]!]! += w * prob[k]!;
  }
}

/** α · min + (1 − α) · max over W[0..K), with the indices of the min and the max. */
export function mixModels(W: ArrayLike<number>, alpha: number): { value: number; lo: number; hi: number } {
  let lo = 0;
  let hi = 0;
  for (let m = 1; m < W.length; m++) {
    if (W[m]! < W[lo]!) lo = m;
    if (W[m]! > W[hi]!) hi = m;
  }
  return { value: alpha * W[lo]! + (1 - alpha) * W[hi]!, lo, hi };
}

/** V_{H−1}(u) = max_c r_c · u, exact for any (unnormalised) u; returns the class too. */
export function lastValue(v: ApomdpView, u: ArrayLike<number>): { value: number; c: number } {
  let best = -Infinity;
  let arg = 0;
  for (let c = 0; c < v.C; c++) {
    let x = 0;
    for (let s = 0; s < v.S; s++) x += v.reward[c * v.S + s]! * u[s]!;
    if (x > best) {
      best = x;
      arg = c;
    }
  }
  return { value: best, c: arg };
}

/**
 * V_0 convention: o_0 is drawn by the true model too, so the initial observation is treated like
 * every later z: R* = α · min_m E_{o_0 ~ m}[V_0(b_0^m)] + (1 − α) · max_m E_{o_0 ~ m}[V_0(b_0^m)],
 * b_0^m = init conditioned on o_0 under model m.
 */
export function initialAmeuValue(task: EnergyTask, alpha: number, value0: (b: Float64Array) => number): number {
  const W = task.models.map((model) => initialBeliefs(task, model).reduce((acc, { prob, belief }) => acc + prob * value0(belief), 0));
  return mixModels(W, alpha).value;
}

/** The agent's belief: the nominal-model filter (see header), falling back to o_t alone if the history is impossible. */
export function nominalAgentBelief(task: EnergyTask, history: readonly Step[], obs: readonly number[]): Float64Array {
  const model = task.models[0]!;
  const b = filterBelief(task, model, history, obs);
  if (b) return b;
  const fromObs = new Float64Array(task.nStates).fill(1 / task.nStates);
  return conditionOnObservation(model, task.nObs, fromObs, obs[0]!) > 0 ? fromObs : new Float64Array(task.nStates).fill(1 / task.nStates);
}

/** The oracle agent: nominal-filter belief, argmax_c Q_t(b, c), seeded ties (tie-break.ts). */
export function ameuAgent(task: EnergyTask, qValues: (t: number, b: Float64Array) => Float64Array, rng: Rng): Agent {
  const H = task.params.horizon;
  return {
    act(history: readonly Step[], obs: readonly number[]): number {
      // Past the horizon nothing is left to plan for: act as in the last period.
      const t = Math.min(history.length, H - 1);
      return pickAction(qValues(t, nominalAgentBelief(task, history, obs)), task.actionClasses, rng);
    },
  };
}

/**
 * An upper bound on the α-MEU value (both the recursion's V_0 and R*), by fully observable
 * backward induction: U_t(s) = max_c [ r(s,c) + γ ( α X_{m*}(s,c) + (1 − α) max_m X_m(s,c) ) ],
 * X_m(s,c) = Σ_s' P_m(s' | s, c) U_{t+1}(s'), m* = m*(t, c) any fixed model (we take the one with
 * the smallest Σ_s X_m(s, c)). Why it bounds: by induction V_{t+1}(b) ≤ b · U_{t+1}, so
 * W_m(b, c) ≤ Σ_s b(s) X_m(s, c) (the posterior-weighted average of a linear function is its
 * prior value); the α-mix is monotone in each W_m; min_m ≤ the fixed m*; max_m Σ_s ≤ Σ_s max_m;
 * max_c Σ_s ≤ Σ_s max_c. The o_0 step averages posteriors back to init, whichever model draws it.
 * NOT a bound: the state-wise robust recursion with min_m X_m(s, c) (min of sums ≥ sum of mins),
 * nor the best single model's MDP value.
 */
export function ameuUpperBound(task: EnergyTask, alpha = task.params.alpha): number {
  const { U } = ameuFullyObservable(task, alpha);
  let total = 0;
  for (let s = 0; s < task.nStates; s++) total += task.init[s]! * U[0]![s]!;
  return total;
}

/** The bound's recursion: U[t][s] and Q[t][s * C + c], t = 0..H−1 (U[H] = 0). Q also steers belief sampling. */
export function ameuFullyObservable(task: EnergyTask, alpha = task.params.alpha): { U: Float64Array[]; Q: Float64Array[] } {
  const v = apomdpView(task, alpha);
  const { S, K, C, H, gamma } = v;
  const U: Float64Array[] = new Array(H + 1);
  const Q: Float64Array[] = new Array(H);
  U[H] = new Float64Array(S);
  const X = new Float64Array(K * S);
  for (let t = H - 1; t >= 0; t--) {
    const next = new Float64Array(S).fill(-Infinity);
    const q = new Float64Array(S * C);
    for (let c = 0; c < C; c++) {
      let mStar = 0;
      let mStarSum = Infinity;
      for (let m = 0; m < K; m++) {
        let sum = 0;
        const { start, idx, prob } = v.trans[m]![c]!;
        for (let s = 0; s < S; s++) {
          let x = 0;
          for (let k = start[s]!; k < start[s + 1]!; k++) x += prob[k]! * U[t + 1]![idx[k]!]!;
          X[m * S + s] = x;
          sum += x;
        }
        if (sum < mStarSum) {
          mStarSum = sum;
          mStar = m;
        }
      }
      for (let s = 0; s < S; s++) {
        let hi = -Infinity;
        for (let m = 0; m < K; m++) hi = Math.max(hi, X[m * S + s]!);
        const val = v.reward[c * S + s]! + gamma * (alpha * X[mStar * S + s]! + (1 - alpha) * hi);
        q[s * C + c] = val;
        if (val > next[s]!) next[s] = val;
      }
    }
    U[t] = next;
    Q[t] = q;
  }
  return { U, Q };
}
