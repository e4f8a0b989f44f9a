/**
 * Point-based α-MEU solver for long horizons (DESIGN §3). The min over models breaks convexity,
 * so alpha-vector sets (max of linear functions) cannot represent V_t. What survives is
 * positive homogeneity and piecewise linearity: locally V_t(b) = g · b for the gradient g of the
 * active piece. So at each point of a belief set B_t we back up the value and store that local
 * piece g (value = g · b exactly, by Euler), and look up V_{t+1}(u) ≈ g_{nn(u)} · u with the
 * nearest point's piece (L1, apomdp-beliefset.ts). A lookup is exact whenever u lies in the same
 * linear region as its neighbour, which is much better than copying the neighbour's value.
 *
 * Exact parts: V_{H−1}(u) = max_c r_c · u needs no lookup, so H ≤ 2 is solved exactly; and a
 * reward that pins the state (work reveals the level) makes the updated beliefs independent of
 * b: all of them, for every model, class and o', are members of every B_t, so those lookups
 * hit their own point and their continuation Σ_o' V_{t+1} is a per-(t, m, c, s) table.
 *
 * Belief sets: for t = 1..H−2 (V_0 is evaluated directly at the o_0 posteriors, V_{H−1} is
 * exact), trajectories in belief space from the o_0 posteriors of each model; each step picks
 * a class (random with probability `explore`, else greedy), then a model uniformly (the
 * recursion branches on every model's update, so mixed-model chains are what it queries), draws
 * z from that model and applies its Bayes update. Pass 1 is greedy for the fully observable
 * α-MEU Q-values; an optional pass 2 adds trajectories greedy for pass 1's solution and solves
 * again (on 30 random H ≤ 5 tasks one pass of 300 trajectories is already within 0.08 % of the
 * exact value, so the default is one pass).
 * All sampling is seeded (Rng(seed, 'apomdp-point')).
 */
import { Rng } from '../rng.ts';
import type { EnergyTask, OracleSolution } from '../types.ts';
import { ameuAgent, ameuFullyObservable, ameuUpperBound, apomdpView, initialAmeuValue, propagateGroup, type ApomdpView } from './apomdp-model.ts';
import { BeliefSet, NearestIndex } from './apomdp-beliefset.ts';

export interface PointOptions {
  /** seed of the belief sampling (default 0). */
  seed?: number;
  /** sampled belief trajectories per pass (default 300). */
  rollouts?: number;
  /** 1 (default): heuristic sampling only; 2: also resample greedily for pass 1's solution and solve again. */
  passes?: number;
  /** probability of a uniformly random class at each sampled step (default 0.3). */
  explore?: number;
}

export interface AmeuPointValueFunction {
  horizon: number;
  /** Q_t(b, c) per distinct class by one backup at b (b normalised, the belief over s_t after o_t). */
  qValues(t: number, b: Float64Array): Float64Array;
  value(t: number, b: Float64Array): number;
  /** |B_t| for t = 0..H−1 (0 where no set is needed). */
  setSizes: number[];
}

interface Tables {
  /** per t: flat gradients (n_t × S), or empty where V_t is not looked up. */
  G: Float64Array[];
  index: (NearestIndex | null)[];
  /** per t, per m * C + c: Σ_o' V_{t+1}(u) after a reward pinned s_t = s. */
  cont: Float64Array[][];
}

/** The b-independent updates: for each (m, c, singleton s, o') the index of its belief in every B_t, and its mass σ. */
interface PinnedChildren {
  idx: Int32Array;
  mass: Float64Array;
  at: (m: number, c: number, s: number, o: number) => number;
}

function pinnedChildren(v: ApomdpView, set: BeliefSet | null): PinnedChildren {
  const { S, O, K, C } = v;
  const at = (m: number, c: number, s: number, o: number) => ((m * C + c) * S + s) * O + o;
  const idx = new Int32Array(K * C * S * O).fill(-1);
  const mass = new Float64Array(K * C * S * O);
  const one = new Float64Array(S);
  const p = new Float64Array(S);
  const u = new Float64Array(S);
  for (let m = 0; m < K; m++) {
    for (let c = 0; c < C; c++) {
      for (const g of v.groups[c]!) {
        if (g.states.length !== 1) continue;
        const s = g.states[0]!;
        one.fill(0);
        one[s] = 1;
        propagateGroup(v, m, c, one, [s], p);
        for (let o = 0; o < O; o++) {
          let mu = 0;
          for (let k = 0; k < S; k++) mu += (u[k] = p[k]! * v.emissionT[m]![o * S + k]!);
          mass[at(m, c, s, o)] = mu;
          if (set && mu > 0) idx[at(m, c, s, o)] = set.add(u);
        }
      }
    }
  }
  return { idx, mass, at };
}

/** Solves on fixed belief sets; returns the backup operator for any (t, b). */
function solveOnSets(v: ApomdpView, points: (Float64Array | null)[], pinned: PinnedChildren): AmeuPointValueFunction {
  const { S, O, K, C, H, gamma, alpha } = v;
  const tables: Tables = { G: new Array(H), index: new Array(H).fill(null), cont: new Array(H) };
  const W = new Float64Array(K);
  const gm = new Float64Array(K * S);
  const p = new Float64Array(S);
  const u = new Float64Array(S);
  const h = new Float64Array(S);
  const bestGrad = new Float64Array(S);

  /** V_{t+1}(u) for unnormalised u with mass mu, and its piece (written to h, times the emission column when given). */
  function lookup(t: number, uu: Float64Array, mu: number): Float64Array {
    if (t + 1 === H - 1) {
      let best = -Infinity;
      let arg = 0;
      for (let c = 0; c < C; c++) {
        let x = 0;
        for (let s = 0; s < S; s++) x += v.reward[c * S + s]! * uu[s]!;
        if (x > best) {
          best = x;
          arg = c;
        }
      }
      return v.reward.subarray(arg * S, (arg + 1) * S);
    }
    for (let s = 0; s < S; s++) h[s] = uu[s]! / mu;
    const j = tables.index[t + 1]!.nearest(h);
    return tables.G[t + 1]!.subarray(j * S, (j + 1) * S);
  }

  /** One α-MEU backup at b: q per class, and (when grad is given) the active piece of the best class. */
  function backup(t: number, b: ArrayLike<number>, q: Float64Array, grad: Float64Array | null): void {
    let bestQ = -Infinity;
    for (let c = 0; c < C; c++) {
      let imm = 0;
      for (let s = 0; s < S; s++) imm += b[s]! * v.reward[c * S + s]!;
      if (t >= H - 1) {
        q[c] = imm;
        if (grad && imm > bestQ) {
          bestQ = imm;
          grad.set(v.reward.subarray(c * S, (c + 1) * S));
        }
        continue;
      }
      W.fill(0);
      gm.fill(0);
      for (let m = 0; m < K; m++) {
        const cont = tables.cont[t]![m * C + c]!;
        const { start, idx, prob } = v.trans[m]![c]!;
        const eT = v.emissionT[m]!;
        for (const g of v.groups[c]!) {
          if (g.states.length === 1) {
            const s = g.states[0]!;
            W[m]! += b[s]! * cont[s]!;
            gm[m * S + s] = cont[s]!;
            continue;
          }
          propagateGroup(v, m, c, b, g.states, p);
          for (let o = 0; o < O; o++) {
            let mu = 0;
            for (let s = 0; s < S; s++) mu += (u[s] = p[s]! * eT[o * S + s]!);
            if (mu <= 0) continue;
            const piece = lookup(t, u, mu);
            let w = 0;
            for (let s = 0; s < S; s++) w += piece[s]! * u[s]!;
            W[m]! += w;
            if (!grad) continue;
            for (let s2 = 0; s2 < S; s2++) h[s2] = eT[o * S + s2]! * piece[s2]!;
            for (const s of g.states) {
              let x = 0;
              for (let k = start[s]!; k < start[s + 1]!; k++) x += prob[k]! * h[idx[k]!]!;
              gm[m * S + s]! += x;
            }
          }
        }
      }
      let lo = 0;
      let hi = 0;
      for (let m = 1; m < K; m++) {
        if (W[m]! < W[lo]!) lo = m;
        if (W[m]! > W[hi]!) hi = m;
      }
      q[c] = imm + gamma * (alpha * W[lo]! + (1 - alpha) * W[hi]!);
      if (grad && q[c]! > bestQ) {
        bestQ = q[c]!;
        for (let s = 0; s < S; s++) grad[s] = v.reward[c * S + s]! + gamma * (alpha * gm[lo * S + s]! + (1 - alpha) * gm[hi * S + s]!);
      }
    }
  }

  const q = new Float64Array(C);
  for (let t = H - 1; t >= 0; t--) {
    // The pinned continuations of step t read V_{t+1} at its own pinned points (or exactly at H−1).
    const cont: Float64Array[] = [];
    for (let m = 0; m < K; m++) {
      for (let c = 0; c < C; c++) {
        const row = new Float64Array(S);
        if (t < H - 1) {
          for (const g of v.groups[c]!) {
            if (g.states.length !== 1) continue;
            const s = g.states[0]!;
            let total = 0;
            propagateGroup(v, m, c, unitVector(S, s), [s], p);
            for (let o = 0; o < O; o++) {
              const mu = pinned.mass[pinned.at(m, c, s, o)]!;
              if (mu <= 0) continue;
              for (let k = 0; k < S; k++) u[k] = p[k]! * v.emissionT[m]![o * S + k]!;
              const j = pinned.idx[pinned.at(m, c, s, o)]!;
              const piece = t + 1 === H - 1 || j < 0 ? lookup(t, u, mu) : tables.G[t + 1]!.subarray(j * S, (j + 1) * S);
              for (let k = 0; k < S; k++) total += piece[k]! * u[k]!;
            }
            row[s] = total;
          }
        }
        cont.push(row);
      }
    }
    tables.cont[t] = cont;
    const pts = points[t];
    if (!pts) {
      tables.G[t] = new Float64Array(0);
      continue;
    }
    const n = pts.length / S;
    const G = new Float64Array(n * S);
    for (let i = 0; i < n; i++) {
      backup(t, pts.subarray(i * S, (i + 1) * S), q, bestGrad);
      G.set(bestGrad, i * S);
    }
    tables.G[t] = G;
    tables.index[t] = new NearestIndex(pts, S);
  }

  return {
    horizon: H,
    qValues(t, b) {
      const out = new Float64Array(C);
      backup(Math.min(t, H - 1), b, out, null);
      return out;
    },
    value(t, b) {
      const out = new Float64Array(C);
      backup(Math.min(t, H - 1), b, out, null);
      return Math.max(...out);
    },
    setSizes: points.map((x) => (x ? x.length / S : 0)),
  };
}

function unitVector(S: number, s: number): Float64Array {
  const b = new Float64Array(S);
  b[s] = 1;
  return b;
}

/** Adds `count` sampled belief trajectories to sets[1..H−2] (see header). */
function sampleTrajectories(v: ApomdpView, sets: (BeliefSet | null)[], count: number, explore: number, policy: (t: number, b: Float64Array) => number, rng: Rng): void {
  const { S, K, C, H, task } = v;
  const p = new Float64Array(S);
  for (let r = 0; r < count; r++) {
    const m0 = r % K;
    const s0 = rng.categorical(task.init);
    const o0 = drawObs(v, m0, s0, rng);
    let b = Float64Array.from(task.init, (x, s) => x * v.emissionT[m0]![o0 * S + s]!);
    normalizeInPlace(b);
    for (let t = 0; t + 1 <= H - 2; t++) {
      const c = rng.next() < explore ? rng.int(C) : policy(t, b);
      const m = rng.int(K);
      const s = rng.categorical(b);
      const { start, idx, prob } = v.trans[m]![c]!;
      const s2 = idx[start[s]! + rng.categorical(prob, start[s]!, start[s + 1]! - start[s]!)]!;
      const o = drawObs(v, m, s2, rng);
      const g = v.groups[c]!.find((x) => x.states.includes(s))!;
      propagateGroup(v, m, c, b, g.states, p);
      b = Float64Array.from(p, (x, k) => x * v.emissionT[m]![o * S + k]!);
      normalizeInPlace(b);
      sets[t + 1]!.add(b);
    }
  }
}

function drawObs(v: ApomdpView, m: number, s: number, rng: Rng): number {
  return rng.categorical(v.task.models[m]!.emission, s * v.O, v.O);
}

function normalizeInPlace(b: Float64Array): void {
  let total = 0;
  for (let s = 0; s < b.length; s++) total += b[s]!;
  for (let s = 0; s < b.length; s++) b[s]! /= total;
}

/** The point-based α-MEU value function of the task. */
export function ameuPointBased(task: EnergyTask, options: PointOptions = {}, alpha = task.params.alpha): AmeuPointValueFunction {
  const v = apomdpView(task, alpha);
  const { S, C, H } = v;
  const rng = new Rng(options.seed ?? 0, 'apomdp-point');
  const rollouts = options.rollouts ?? 300;
  const passes = options.passes ?? 1;
  const explore = options.explore ?? 0.3;
  const sets: (BeliefSet | null)[] = Array.from({ length: H }, (_, t) => (t >= 1 && t <= H - 2 ? new BeliefSet(S) : null));
  // Pinned children first, so their indices are the same in every B_t.
  let pinned = pinnedChildren(v, null);
  for (const set of sets) if (set) pinned = pinnedChildren(v, set);
  const { Q } = ameuFullyObservable(task, alpha);
  const heuristic = (t: number, b: Float64Array) => {
    let best = 0;
    let bestQ = -Infinity;
    for (let c = 0; c < C; c++) {
      let x = 0;
      for (let s = 0; s < S; s++) x += b[s]! * Q[t]![s * C + c]!;
      if (x > bestQ) {
        bestQ = x;
        best = c;
      }
    }
    return best;
  };
  sampleTrajectories(v, sets, rollouts, explore, heuristic, rng.fork('pass', 0));
  let vf = solveOnSets(v, sets.map((x) => x?.points() ?? null), pinned);
  for (let pass = 1; pass < passes; pass++) {
    const current = vf;
    const greedy = (t: number, b: Float64Array) => {
      const q = current.qValues(t, b);
      let best = 0;
      for (let c = 1; c < C; c++) if (q[c]! > q[best]!) best = c;
      return best;
    };
    sampleTrajectories(v, sets, rollouts, explore / 2, greedy, rng.fork('pass', pass));
    vf = solveOnSets(v, sets.map((x) => x?.points() ?? null), pinned);
  }
  return vf;
}

/** The point-based APOMDP oracle; the bound is the fully observable α-MEU bound of apomdp-model.ts. */
export function solveApomdpPoint(task: EnergyTask, options: PointOptions = {}): OracleSolution {
  const vf = ameuPointBased(task, options);
  return {
    method: 'point-based',
    expectedReturn: initialAmeuValue(task, task.params.alpha, (b) => vf.value(0, b)),
    upperBound: ameuUpperBound(task),
    agent: (rng) => ameuAgent(task, vf.qValues, rng),
  };
}
