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
 * Duplicate actions (charge and charge') are perturbed once, on the class representative, and
 * the row is copied, so a duplicate stays an exact duplicate in every model.
 */
import type { Rng } from '../rng.ts';
import type { EnergyParams, PomdpModel } from '../types.ts';
import { ENERGY_ACTION_CLASSES } from './energy.ts';

/** Draws per row before giving up: ample for any (ρ, κ) where a row is accepted 1 time in 1000. */
export const MAX_ROW_ATTEMPTS = 20_000;

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
  for (let attempt = 0; attempt < MAX_ROW_ATTEMPTS; attempt++) {
    const draw = rng.dirichlet(concentration);
    if (draw.some((x) => !(x > 0))) continue;
    if (klDivergence(draw, nominal) > params.rho) continue;
    for (let i = 0; i < n; i++) dst[offset + i] = 0;
    support.forEach((i, k) => (dst[offset + i] = draw[k]!));
    return;
  }
  throw new Error(
    `sampleAmbiguitySet: no Dirichlet(kappa · row) draw of ${what} had KL ≤ rho in ${MAX_ROW_ATTEMPTS} attempts ` +
      `(rho=${params.rho}, kappa=${params.kappa}); raise rho or kappa`,
  );
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
