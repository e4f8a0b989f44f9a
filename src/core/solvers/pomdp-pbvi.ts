/**
 * Finite-horizon point-based value iteration (PBVI) for the energy POMDP (DESIGN §3), used
 * where exact expectimax is too large (H > 5).
 *
 * V_t is represented by alpha vectors Γ_t over s_t (the state the agent has just observed);
 * Γ_H = {0}. Each alpha vector is the value of a conditional plan, so max_k b·α_k is a lower
 * bound on the optimal value at every belief, and the fully observable MDP value bounds it
 * from above. A backup at belief b for class c, with z = (r, o'):
 *   α_{b,c}(s) = r(s,c) + γ Σ_o' g^{k*(g(s),o')}_{c,o'}(s),  g^k_{c,o'}(s) = Σ_s' T(s'|s,c) Z(o'|s') α_k(s'),
 *   k*(g, o') = argmax_k Σ_{s ∈ g} b(s) g^k_{c,o'}(s),
 * where g(s) is the group of states sharing the reward r(s,c). The g vectors are computed once
 * per step; when a reward group is a single state (every work reward, which reveals the level)
 * k* does not depend on b at all, so that part of the backup is also done once per step.
 * Belief points come from seeded rollouts (random, QMDP-greedy and ε-greedy) plus the beliefs
 * after each initial observation (pomdp-sampling.ts).
 */
import { Rng } from '../rng.ts';
import { propagate } from '../belief.ts';
import type { Agent, EnergyTask, OracleSolution, PomdpModel, Step } from '../types.ts';
import { backwardInduction } from './mdp.ts';
import { beliefKey, beliefTracker, classPartitions, initialBeliefs, mdpValueFromInit, type ClassPartition } from './pomdp-belief.ts';
import { sampleBeliefPoints } from './pomdp-sampling.ts';
import { pickAction } from './tie-break.ts';

export interface PointBasedOptions {
  /** most belief points per time step (default 128). */
  beliefPoints?: number;
  /** seed of the belief sampling (default 0). */
  seed?: number;
  /** the model to solve (default task.models[0]). */
  model?: PomdpModel;
}

export const DEFAULT_BELIEF_POINTS = 128;

/** Alpha vectors of one time step: vectors[k * nStates + s], and the action class each one starts with. */
export interface AlphaSet {
  count: number;
  vectors: Float64Array;
  classes: Int32Array;
}

export interface PointBasedResult {
  /** Γ_t for t = 0..H (Γ_H = {0}). */
  alphas: AlphaSet[];
  /** the belief points each Γ_t was backed up at, t = 0..H−1. */
  beliefs: Float64Array[][];
  /** Σ_o' max_k g^k_{c,o'}(s) for single-state reward groups: singletonCont[t][c * S + s] (NaN elsewhere). */
  singletonCont: Float64Array[];
  /** lower bound on the optimal value from the initial distribution. */
  value: number;
}

/** Alpha values below this difference are the same plan for deduplication. */
const ALPHA_KEY_SCALE = 1e9;

/** max_k b·α_k over a set, and the maximising vector's index. */
export function alphaMax(set: AlphaSet, b: ArrayLike<number>, S: number): { value: number; index: number } {
  let best = -Infinity;
  let index = -1;
  for (let k = 0; k < set.count; k++) {
    let v = 0;
    const off = k * S;
    for (let s = 0; s < S; s++) v += b[s]! * set.vectors[off + s]!;
    if (v > best) {
      best = v;
      index = k;
    }
  }
  return { value: best, index };
}

/** Writes the states of `states` where b > 0 and their weights into idx/w; returns how many. */
function gatherSupport(b: Float64Array, states: readonly number[], idx: Int32Array, w: Float64Array): number {
  let n = 0;
  for (let i = 0; i < states.length; i++) {
    const s = states[i]!;
    const x = b[s]!;
    if (x > 0) {
      idx[n] = s;
      w[n] = x;
      n++;
    }
  }
  return n;
}

/** Non-zero entries of each transition row: the energy rows have two, dense loops would waste 80 %. */
function sparseRows(task: EnergyTask, model: PomdpModel, action: number): { to: Int32Array; p: Float64Array }[] {
  const S = task.nStates;
  const rows: { to: Int32Array; p: Float64Array }[] = [];
  for (let s = 0; s < S; s++) {
    const to: number[] = [];
    const p: number[] = [];
    for (let s2 = 0; s2 < S; s2++) {
      const w = model.transition[(action * S + s) * S + s2]!;
      if (w > 0) {
        to.push(s2);
        p.push(w);
      }
    }
    rows.push({ to: Int32Array.from(to), p: Float64Array.from(p) });
  }
  return rows;
}

/** Backs up Γ_{t+1} at each belief of B_t; returns Γ_t and the single-state continuations. */
function backupStep(
  task: EnergyTask,
  model: PomdpModel,
  parts: ClassPartition[],
  rows: { to: Int32Array; p: Float64Array }[][],
  next: AlphaSet,
  points: Float64Array[],
): { set: AlphaSet; singletonCont: Float64Array } {
  const S = task.nStates;
  const O = task.nObs;
  const C = parts.length;
  const K = next.count;
  const gamma = task.params.gamma;

  // g[((c * K + k) * O + o) * S + s] = Σ_s' T(s'|s,c) Z(o|s') α_k(s').
  const g = new Float64Array(C * K * O * S);
  const h = new Float64Array(S * O);
  for (let k = 0; k < K; k++) {
    for (let s2 = 0; s2 < S; s2++) {
      const a = next.vectors[k * S + s2]!;
      for (let o = 0; o < O; o++) h[s2 * O + o] = model.emission[s2 * O + o]! * a;
    }
    for (let c = 0; c < C; c++) {
      for (let s = 0; s < S; s++) {
        const { to, p } = rows[c]![s]!;
        for (let o = 0; o < O; o++) {
          let v = 0;
          for (let j = 0; j < to.length; j++) v += p[j]! * h[to[j]! * O + o]!;
          g[((c * K + k) * O + o) * S + s] = v;
        }
      }
    }
  }

  // Belief-independent parts: single-state groups, and a default plan for groups a belief misses.
  const singletonCont = new Float64Array(C * S).fill(NaN);
  const defaultK: Int32Array[] = []; // per class: [group * O + o]
  for (let c = 0; c < C; c++) {
    const groups = parts[c]!.groups;
    const dk = new Int32Array(groups.length * O);
    groups.forEach((grp, gi) => {
      for (let o = 0; o < O; o++) {
        let best = -Infinity;
        for (let k = 0; k < K; k++) {
          const off = ((c * K + k) * O + o) * S;
          let v = 0;
          for (const s of grp.states) v += g[off + s]!;
          if (v > best) {
            best = v;
            dk[gi * O + o] = k;
          }
        }
      }
      if (grp.states.length === 1) {
        const s = grp.states[0]!;
        let total = 0;
        for (let o = 0; o < O; o++) total += g[((c * K + dk[gi * O + o]!) * O + o) * S + s]!;
        singletonCont[c * S + s] = total;
      }
    });
    defaultK.push(dk);
  }

  const out: number[] = [];
  const outClasses: number[] = [];
  const seen = new Set<string>();
  const alpha = new Float64Array(S);
  const idx = new Int32Array(S);
  const w = new Float64Array(S);
  const addVector = (vec: Float64Array, c: number): void => {
    const key = beliefKey(vec, ALPHA_KEY_SCALE);
    if (seen.has(key)) return;
    seen.add(key);
    for (let s = 0; s < S; s++) out.push(vec[s]!);
    outClasses.push(c);
  };
  /** Writes α_{b,c} into `into` (b = null: the belief-independent default plan). */
  const buildAlpha = (c: number, b: Float64Array | null, into: Float64Array): void => {
    const { action, groups } = parts[c]!;
    groups.forEach((grp, gi) => {
      const n = b ? gatherSupport(b, grp.states, idx, w) : 0;
      for (const s of grp.states) into[s] = task.reward[s * task.nActions + action]!;
      if (grp.states.length === 1 || n === 0) {
        for (const s of grp.states) {
          let total = 0;
          for (let o = 0; o < O; o++) total += g[((c * K + defaultK[c]![gi * O + o]!) * O + o) * S + s]!;
          into[s]! += gamma * total;
        }
        return;
      }
      for (let o = 0; o < O; o++) {
        let best = -Infinity;
        let bestK = 0;
        for (let k = 0; k < K; k++) {
          const off = ((c * K + k) * O + o) * S;
          let v = 0;
          for (let j = 0; j < n; j++) v += w[j]! * g[off + idx[j]!]!;
          if (v > best) {
            best = v;
            bestK = k;
          }
        }
        const off = ((c * K + bestK) * O + o) * S;
        for (const s of grp.states) into[s]! += gamma * g[off + s]!;
      }
    });
  };

  // Plans that need no belief (a class whose rewards pin the state) are valid everywhere: always keep them.
  for (let c = 0; c < C; c++) {
    if (parts[c]!.groups.every((grp) => grp.states.length === 1)) {
      buildAlpha(c, null, alpha);
      addVector(alpha, c);
    }
  }
  const best = new Float64Array(S);
  for (const b of points) {
    let bestValue = -Infinity;
    let bestClass = 0;
    for (let c = 0; c < C; c++) {
      buildAlpha(c, b, alpha);
      let v = 0;
      for (let s = 0; s < S; s++) v += b[s]! * alpha[s]!;
      if (v > bestValue) {
        bestValue = v;
        bestClass = c;
        best.set(alpha);
      }
    }
    addVector(best, bestClass);
  }
  return { set: { count: outClasses.length, vectors: Float64Array.from(out), classes: Int32Array.from(outClasses) }, singletonCont };
}

/** Runs PBVI on the task's model; deterministic in (task, options). */
export function pointBasedValueIteration(task: EnergyTask, options: PointBasedOptions = {}): PointBasedResult {
  const model = options.model ?? task.models[0]!;
  const H = task.params.horizon;
  const S = task.nStates;
  const parts = classPartitions(task);
  const mdp = backwardInduction(task, model);
  const beliefs = sampleBeliefPoints(task, model, mdp.Q, {
    pointsPerStep: options.beliefPoints ?? DEFAULT_BELIEF_POINTS,
    rng: new Rng(options.seed ?? 0, 'pomdp-pbvi', 'beliefs'),
  });
  const rows = parts.map((p) => sparseRows(task, model, p.action));
  const alphas: AlphaSet[] = new Array(H + 1);
  const singletonCont: Float64Array[] = new Array(H);
  alphas[H] = { count: 1, vectors: new Float64Array(S), classes: Int32Array.of(0) };
  for (let t = H - 1; t >= 0; t--) {
    const step = backupStep(task, model, parts, rows, alphas[t + 1]!, beliefs[t]!);
    alphas[t] = step.set;
    singletonCont[t] = step.singletonCont;
  }
  let value = 0;
  for (const { prob, belief } of initialBeliefs(task, model)) value += prob * alphaMax(alphas[0]!, belief, S).value;
  return { alphas, beliefs, singletonCont, value };
}

/**
 * Q_t(b, c) by one-step lookahead on Γ_{t+1}. Its greedy policy earns at least max_k b·α_k
 * (the successor beliefs get their best vector instead of the plan's), so the reported value
 * stays a lower bound on what the agent achieves. The successor is formed from the belief
 * rather than from stored g vectors, which would cost O(H·K·O·S) memory for long horizons.
 */
export function lookaheadQ(task: EnergyTask, model: PomdpModel, parts: ClassPartition[], pb: PointBasedResult, t: number, b: Float64Array): Float64Array {
  const S = task.nStates;
  const O = task.nObs;
  const gamma = task.params.gamma;
  const q = new Float64Array(parts.length);
  const last = t >= task.params.horizon - 1;
  const next = pb.alphas[t + 1];
  const cont = pb.singletonCont[t];
  const idx = new Int32Array(S);
  const w = new Float64Array(S);
  const wo = new Float64Array(S);
  const all = Array.from({ length: S }, (_, s) => s);
  parts.forEach(({ action, groups }, c) => {
    let total = 0;
    for (const grp of groups) {
      let mass = 0;
      for (const s of grp.states) mass += b[s]!;
      if (mass <= 0) continue;
      total += mass * grp.reward;
      if (last || !next || !cont) continue;
      if (grp.states.length === 1) {
        total += gamma * mass * cont[c * S + grp.states[0]!]!;
        continue;
      }
      const restricted = new Float64Array(S);
      for (const s of grp.states) restricted[s] = b[s]!;
      const n = gatherSupport(propagate(task, model, restricted, action), all, idx, w);
      for (let o = 0; o < O; o++) {
        for (let j = 0; j < n; j++) wo[j] = w[j]! * model.emission[idx[j]! * O + o]!;
        let best = -Infinity;
        for (let k = 0; k < next.count; k++) {
          const off = k * S;
          let v = 0;
          for (let j = 0; j < n; j++) v += wo[j]! * next.vectors[off + idx[j]!]!;
          if (v > best) best = v;
        }
        total += gamma * best;
      }
    }
    q[c] = total;
  });
  return q;
}

/** The point-based POMDP oracle: value = PBVI lower bound, upperBound = fully observable MDP value. */
export function solvePomdpPointBased(task: EnergyTask, options: PointBasedOptions = {}): OracleSolution {
  const model = options.model ?? task.models[0]!;
  const pb = pointBasedValueIteration(task, { ...options, model });
  const parts = classPartitions(task);
  const H = task.params.horizon;
  return {
    method: 'point-based',
    expectedReturn: pb.value,
    upperBound: mdpValueFromInit(task, backwardInduction(task, model).V[0]!),
    beliefPoints: pb.beliefs.reduce((n, set) => n + set.length, 0),
    agent(rng: Rng): Agent {
      const belief = beliefTracker(task, model);
      return {
        act(history: readonly Step[], obs: readonly number[]): number {
          const b = belief(history, obs);
          const t = Math.min(history.length, H - 1);
          return pickAction(lookaheadQ(task, model, parts, pb, t, b), task.actionClasses, rng);
        },
      };
    },
  };
}
