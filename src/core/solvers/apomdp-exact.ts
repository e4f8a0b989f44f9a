/**
 * Exact α-MEU expectimax over reachable beliefs for the energy APOMDP (DESIGN §2.3, §3):
 *   V_t(b) = max_c [ r(b,c) + γ ( α · min_m W_m + (1−α) · max_m W_m ) ],
 *   W_m = Σ_z σ_m(z | b,c) V_{t+1}(τ_m(b,c,z)) = Σ_z V_{t+1}(u_{m,z})   (homogeneity, apomdp-model.ts),
 * z = (r, o'). Solved on distinct action classes.
 *
 * Cost control: every model's update is a branch, so charge chains multiply the reachable
 * beliefs by about K · |O| per step. Three things keep H ≤ 5 affordable:
 *  - V_{H−1} never gets a belief: V_{H−2}'s continuation is Σ_o' max_c' (precomputed piece · b),
 *    so the most numerous beliefs (depth H−2) cost K·C²·O·S multiply-adds and no updates;
 *  - V_{H−2} is not memoised (as cheap as building a memo key for it), V_t for t ≤ H−3
 *    is memoised on the rounded belief, which is also where the agent's queries land;
 *  - a reward group with one state (work reveals the level) pins the post-reward belief, so
 *    its continuation Σ_o' V_{t+1}(·) depends on (t, m, c, s) only and is cached.
 * Scratch buffers are per depth, so the recursion allocates nothing but memo keys.
 */
import type { Rng } from '../rng.ts';
import type { EnergyTask, OracleSolution } from '../types.ts';
import { ameuAgent, ameuUpperBound, apomdpView, initialAmeuValue, lastValue, mixModels, propagateGroup } from './apomdp-model.ts';

/** Memo key rounding: merging beliefs this close changes values by ~1e-11 relative. */
const KEY_SCALE = 2 ** 40;

function beliefKey(b: Float64Array): string {
  let key = '';
  for (let s = 0; s < b.length; s++) key += Math.round(b[s]! * KEY_SCALE) + ',';
  return key;
}

export interface AmeuValueFunction {
  horizon: number;
  /** Q_t(b, c) per distinct action class, b the normalised belief over s_t after o_t. */
  qValues(t: number, b: Float64Array): Float64Array;
  /** V_t(b) = max_c Q_t(b, c). */
  value(t: number, b: Float64Array): number;
  /** number of memoised beliefs and cached continuations: a size measure for tests and benchmarks. */
  memoSize(): number;
}

/** The α-MEU expectimax value function, evaluated lazily with memo tables. */
export function ameuExpectimax(task: EnergyTask, alpha = task.params.alpha): AmeuValueFunction {
  const v = apomdpView(task, alpha);
  const { S, O, K, C, H, gamma } = v;
  const memo: Map<string, number>[] = Array.from({ length: H }, () => new Map());
  // cont[t][m * C + c][s] = Σ_o' V_{t+1}(u) after the reward pinned s_t = s; NaN = not yet computed.
  const cont = Array.from({ length: H }, () => Array.from({ length: K * C }, () => new Float64Array(S).fill(NaN)));
  const prop = Array.from({ length: H }, () => new Float64Array(S));
  const child = Array.from({ length: H }, () => new Float64Array(S));
  const Wbuf = Array.from({ length: H }, () => new Float64Array(K));
  const qBuf = Array.from({ length: H }, () => new Float64Array(C));
  let cached = 0;
  const ONE_HOT = Array.from({ length: S }, (_, s) => Float64Array.from({ length: S }, (_, k) => (k === s ? 1 : 0)));

  // At t = H−2 the continuation is Σ_o' max_c' Σ_s b(s) A[m][c][c'][o'][s] with
  // A = Σ_s' P_m(s' | s, c) P_m(o' | s') r_c'(s'): V_{H−2} costs K·C·C·O·|g| multiply-adds, no updates.
  const A = new Float64Array(K * C * C * O * S);
  const aAt = (m: number, c: number, c2: number, o: number) => (((m * C + c) * C + c2) * O + o) * S;
  for (let m = 0; m < K; m++) {
    const eT = v.emissionT[m]!;
    for (let c = 0; c < C; c++) {
      const { start, idx, prob } = v.trans[m]![c]!;
      for (let c2 = 0; c2 < C; c2++) {
        for (let o = 0; o < O; o++) {
          const base = aAt(m, c, c2, o);
          for (let s = 0; s < S; s++) {
            let x = 0;
            for (let k = start[s]!; k < start[s + 1]!; k++) x += prob[k]! * eT[o * S + idx[k]!]! * v.reward[c2 * S + idx[k]!]!;
            A[base + s] = x;
          }
        }
      }
    }
  }

  /** Σ_o' max_c' over the pieces A for the states of group g, weighted by b: W_m's share at t = H−2. */
  function lastContinuation(m: number, c: number, b: ArrayLike<number>, states: readonly number[]): number {
    let total = 0;
    for (let o = 0; o < O; o++) {
      let best = -Infinity;
      for (let c2 = 0; c2 < C; c2++) {
        const base = aAt(m, c, c2, o);
        let x = 0;
        for (const s of states) x += b[s]! * A[base + s]!;
        if (x > best) best = x;
      }
      total += best;
    }
    return total;
  }

  // The fast path for the most numerous beliefs (depth H−2): singleton groups read a table
  // filled once, multi-state groups evaluate Σ_o' max_c' of the pieces A.
  const singles = v.groups.map((gs) => Int32Array.from(gs.filter((g) => g.states.length === 1).map((g) => g.states[0]!)));
  const multis = v.groups.map((gs) => gs.filter((g) => g.states.length > 1).map((g) => Int32Array.from(g.states)));
  const contH2: Float64Array[] = [];
  for (let m = 0; m < K; m++) {
    for (let c = 0; c < C; c++) {
      const row = new Float64Array(S);
      for (const s of singles[c]!) row[s] = lastContinuation(m, c, ONE_HOT[s]!, [s]);
      contH2.push(row);
    }
  }
  const wH2 = new Float64Array(K);

  function valueH2(b: Float64Array): number {
    let bestQ = -Infinity;
    for (let c = 0; c < C; c++) {
      let imm = 0;
      for (let s = 0; s < S; s++) imm += b[s]! * v.reward[c * S + s]!;
      const sg = singles[c]!;
      const groups = multis[c]!;
      let lo = Infinity;
      let hi = -Infinity;
      for (let m = 0; m < K; m++) {
        const row = contH2[m * C + c]!;
        let w = 0;
        for (let k = 0; k < sg.length; k++) w += b[sg[k]!]! * row[sg[k]!]!;
        for (const states of groups) {
          const full = states.length === S;
          for (let o = 0; o < O; o++) {
            let best = -Infinity;
            for (let c2 = 0; c2 < C; c2++) {
              const base = (((m * C + c) * C + c2) * O + o) * S;
              let x = 0;
              if (full) for (let s = 0; s < S; s++) x += b[s]! * A[base + s]!;
              else for (let k = 0; k < states.length; k++) x += b[states[k]!]! * A[base + states[k]!]!;
              if (x > best) best = x;
            }
            w += best;
          }
        }
        wH2[m] = w;
        if (w < lo) lo = w;
        if (w > hi) hi = w;
      }
      const q = imm + gamma * (alpha * lo + (1 - alpha) * hi);
      if (q > bestQ) bestQ = q;
    }
    return bestQ;
  }

  /** Σ_o' V_{t+1}(p ⊙ P_m(o' | ·)) for the propagated (unnormalised) p, t ≤ H−3. */
  function branchSum(t: number, m: number, p: Float64Array): number {
    const eT = v.emissionT[m]!;
    const u = child[t]!;
    const memoNext = t + 1 <= H - 3;
    let total = 0;
    for (let o = 0; o < O; o++) {
      let mu = 0;
      for (let s = 0; s < S; s++) {
        const x = p[s]! * eT[o * S + s]!;
        u[s] = x;
        mu += x;
      }
      if (mu <= 0) continue;
      if (!memoNext) {
        total += value(t + 1, u); // homogeneous: no need to normalise an unmemoised belief
        continue;
      }
      for (let s = 0; s < S; s++) u[s]! /= mu;
      total += mu * value(t + 1, u);
    }
    return total;
  }

  function singletonCont(t: number, m: number, c: number, s: number): number {
    const row = cont[t]![m * C + c]!;
    if (Number.isNaN(row[s]!)) {
      if (t === H - 2) {
        row[s] = lastContinuation(m, c, ONE_HOT[s]!, [s]);
        cached++;
        return row[s]!;
      }
      const p = new Float64Array(S);
      p[s] = 1;
      const out = new Float64Array(S);
      propagateGroup(v, m, c, p, [s], out);
      row[s] = branchSum(t, m, out);
      cached++;
    }
    return row[s]!;
  }

  function qInto(t: number, b: Float64Array, q: Float64Array): Float64Array {
    const W = Wbuf[t]!;
    for (let c = 0; c < C; c++) {
      let imm = 0;
      for (let s = 0; s < S; s++) imm += b[s]! * v.reward[c * S + s]!;
      if (t >= H - 1) {
        q[c] = imm;
        continue;
      }
      W.fill(0);
      for (let m = 0; m < K; m++) {
        for (const g of v.groups[c]!) {
          if (g.states.length === 1) {
            const s = g.states[0]!;
            if (b[s]! > 0) W[m]! += b[s]! * singletonCont(t, m, c, s);
            continue;
          }
          if (t === H - 2) {
            W[m]! += lastContinuation(m, c, b, g.states);
            continue;
          }
          propagateGroup(v, m, c, b, g.states, prop[t]!);
          W[m]! += branchSum(t, m, prop[t]!);
        }
      }
      q[c] = imm + gamma * mixModels(W, alpha).value;
    }
    return q;
  }

  /** V_t(b); b must be normalised when t ≤ H−3 (memo key), any positive scale otherwise. */
  function value(t: number, b: Float64Array): number {
    if (t >= H - 1) return lastValue(v, b).value;
    if (t === H - 2) return valueH2(b);
    const useMemo = t <= H - 3;
    const key = useMemo ? beliefKey(b) : '';
    if (useMemo) {
      const hit = memo[t]!.get(key);
      if (hit !== undefined) return hit;
    }
    const q = qInto(t, b, qBuf[t]!);
    let best = -Infinity;
    for (let c = 0; c < C; c++) best = Math.max(best, q[c]!);
    if (useMemo) memo[t]!.set(key, best);
    return best;
  }

  return {
    horizon: H,
    qValues: (t, b) => qInto(t, b, new Float64Array(C)),
    value,
    memoSize: () => memo.reduce((n, m) => n + m.size, 0) + cached,
  };
}

/** The exact APOMDP oracle: α-MEU value from the initial distribution (V_0 convention in apomdp-model.ts). */
export function solveApomdpExact(task: EnergyTask): OracleSolution {
  const vf = ameuExpectimax(task);
  const expectedReturn = initialAmeuValue(task, task.params.alpha, (b) => vf.value(0, b));
  return {
    method: 'expectimax',
    expectedReturn,
    upperBound: ameuUpperBound(task),
    agent: (rng: Rng) => ameuAgent(task, vf.qValues, rng),
  };
}
