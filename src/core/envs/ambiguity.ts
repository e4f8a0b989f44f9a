/**
 * APOMDP ambiguity sets (DESIGN §2.3): models 2..K are Dirichlet(κ · row) perturbations of every
 * row of the nominal transition matrices and emission matrix, on the row's support, accepted only
 * when the largest row-wise KL(perturbed ‖ nominal) ≤ ρ.
 *
 * Rejection is done row by row. The rows of a model are drawn independently, so "draw the whole
 * model, accept it when every row has KL ≤ ρ" conditions a product distribution on a product
 * event; that is the same distribution as "draw each row until its own KL ≤ ρ", which needs
 * ~rows/acceptance fewer draws (with 10 levels and q = 0.9 a whole model passes only a few
 * percent of the time, a single emission row most of the time).
 *
 * Where rejection cannot succeed in reasonable time — 40 levels with q = 0.7 (every noisy
 * emission row of 40 entries lands far outside a KL ball of 0.1), ρ near 0, κ so small that κ·p
 * underflows — a row is instead a draw shrunk toward the nominal until its KL is exactly within ρ
 * (perturbRow). Every allowed (levels, q, ρ, κ) therefore gives a set, inside the KL ball as
 * DESIGN §2.3 requires; only those hard rows follow another distribution than pure rejection.
 *
 * Duplicate actions (charge and charge') are perturbed once, on the class representative, and
 * the row is copied, so a duplicate stays an exact duplicate in every model.
 */
import type { Rng } from '../rng.ts';
import type { EnergyParams, PomdpModel } from '../types.ts';
import { ENERGY_ACTION_CLASSES } from './energy.ts';

/**
 * Rejection draws per row before the shrinking construction takes over (below). Rows of the
 * default tasks are accepted within a few draws; a row that needs more than this (many levels
 * with a noisy emission, a tiny ρ or κ) would make rejection slow or hopeless.
 */
export const MAX_ROW_ATTEMPTS = 1000;

/** KL(p ‖ q) = Σ p log(p / q) over p's support; +∞ when p leaves q's support. */
export function klDivergence(p: ArrayLike<number>, q: ArrayLike<number>, offsetP = 0, offsetQ = 0, length = p.length - offsetP): number {
  let kl = 0;
  for (let i = 0; i < length; i++) {
    const a = p[offsetP + i]!;
    if (a <= 0) continue;
    const b = q[offsetQ + i]!;
    if (b <= 0) return Infinity;
    kl += a * Math.log(a / b);
  }
  return kl;
}

/**
 * Perturbs `row` (length n at `offset` in `src`) into `dst` at the same offset. Zeros stay zero;
 * a one-entry support is copied. A draw that underflows to zero on part of the support (tiny
 * κ · p_i) would shrink the support, so it is rejected like a draw with KL > ρ.
 */
function perturbRow(src: Float64Array, dst: Float64Array, offset: number, n: number, params: EnergyParams, rng: Rng, what: string): void {
  const support: number[] = [];
  for (let i = 0; i < n; i++) if (src[offset + i]! > 0) support.push(i);
  if (support.length <= 1) {
    for (let i = 0; i < n; i++) dst[offset + i] = src[offset + i]!;
    return;
  }
  const nominal = Float64Array.from(support, (i) => src[offset + i]!);
  const concentration = nominal.map((p) => params.kappa * p);
  const write = (row: Float64Array): void => {
    for (let i = 0; i < n; i++) dst[offset + i] = 0;
    support.forEach((i, k) => (dst[offset + i] = row[k]!));
  };
  // κ · p can underflow to 0 for tiny κ; then Dirichlet has no density, only its κ → 0 limit.
  const drawable = concentration.every((c) => c > 0);
  let last: Float64Array | null = null;
  for (let attempt = 0; drawable && attempt < MAX_ROW_ATTEMPTS; attempt++) {
    const draw = rng.dirichlet(concentration);
    // A draw with tiny concentrations can come back 0/0 = NaN: not a direction to shrink along.
    if (draw.every((x) => Number.isFinite(x) && x >= 0)) last = draw;
    if (draw.some((x) => !(x > 0))) continue;
    if (klDivergence(draw, nominal) > params.rho) continue;
    write(draw);
    return;
  }
  // Rejection did not succeed: shrink a draw toward the nominal row instead. The draw is the last
  // one, or Dirichlet's κ → 0 limit (the vertex e_i with probability p_i); the row is
  // (1 − λ)·nominal + λ·draw with the largest λ whose KL to the nominal is ≤ ρ. KL is convex in λ
  // and 0 at λ = 0, so bisection finds it, and the row keeps the nominal's support.
  let draw = last;
  if (!draw) {
    const vertex = rng.categorical(Array.from(nominal));
    draw = nominal.map((_, k) => (k === vertex ? 1 : 0));
  }
  const toward = draw;
  const mix = (lambda: number): Float64Array => nominal.map((p, k) => (1 - lambda) * p + lambda * toward[k]!);
  let lo = 0;
  let hi = 1;
  for (let it = 0; it < 60; it++) {
    const mid = (lo + hi) / 2;
    if (klDivergence(mix(mid), nominal) <= params.rho) lo = mid;
    else hi = mid;
  }
  if (!(klDivergence(mix(lo), nominal) <= params.rho)) throw new Error(`sampleAmbiguitySet: ${what}: no row within KL ${params.rho} of the nominal (internal)`);
  write(mix(lo));
}

/**
 * Models 2..K (K − 1 models): each row of each distinct action's transition matrix and of the
 * emission matrix perturbed as above. The draw order (model, class, state; then emission rows)
 * is fixed, so the same `rng` state gives the same set. `actionClasses` lists duplicate actions
 * together (default: the energy actions, charge = charge').
 */
export function sampleAmbiguitySet(
  nominal: PomdpModel,
  params: EnergyParams,
  rng: Rng,
  actionClasses: readonly (readonly number[])[] = ENERGY_ACTION_CLASSES,
): PomdpModel[] {
  if (params.K <= 1) return [];
  const S = Math.round(Math.sqrt(nominal.transition.length / actionClasses.flat().length));
  const nObs = nominal.emission.length / S;
  if (!Number.isInteger(nObs) || S * S * actionClasses.flat().length !== nominal.transition.length) {
    throw new Error('sampleAmbiguitySet: transition/emission sizes do not match the action classes');
  }
  const models: PomdpModel[] = [];
  for (let m = 1; m < params.K; m++) {
    const transition = new Float64Array(nominal.transition.length);
    for (const cls of actionClasses) {
      const rep = cls[0]!;
      for (let s = 0; s < S; s++) {
        const row = (rep * S + s) * S;
        perturbRow(nominal.transition, transition, row, S, params, rng, `model ${m + 1} transition row (action ${rep}, state ${s})`);
        for (const dup of cls.slice(1)) transition.set(transition.subarray(row, row + S), (dup * S + s) * S);
      }
    }
    const emission = new Float64Array(nominal.emission.length);
    for (let s = 0; s < S; s++) perturbRow(nominal.emission, emission, s * nObs, nObs, params, rng, `model ${m + 1} emission row (state ${s})`);
    models.push({ transition, emission });
  }
  return models;
}

/** The largest row-wise KL(model ‖ nominal) over all transition and emission rows. */
export function maxRowKl(model: PomdpModel, nominal: PomdpModel, nStates: number): number {
  const nObs = nominal.emission.length / nStates;
  let worst = 0;
  for (let row = 0; row < nominal.transition.length; row += nStates) {
    worst = Math.max(worst, klDivergence(model.transition, nominal.transition, row, row, nStates));
  }
  for (let row = 0; row < nominal.emission.length; row += nObs) {
    worst = Math.max(worst, klDivergence(model.emission, nominal.emission, row, row, nObs));
  }
  return worst;
}
