/**
 * The APOMDP oracle's entry point (DESIGN §3): exact α-MEU expectimax for short horizons, the
 * point-based solver beyond. The exact recursion branches on every model at every step, so its
 * cost grows like K^H (levels 10, q 0.7, H 5: 0.4 s for K=2, 2.8 s for K=3, 33 s for K=5, while
 * the point-based value was within 0.013 % of it); `auto` therefore takes the exact solver only
 * while H ≤ 5 and K^H ≤ 81. SolveOptions.method overrides, SolveOptions.seed seeds the
 * point-based belief sampling, SolveOptions.beliefPoints sets its sampled trajectories per pass
 * (each adds at most one belief per time step).
 */
import type { SolveOptions } from '../solve.ts';
import type { EnergyTask, OracleSolution } from '../types.ts';
import { solveApomdpExact } from './apomdp-exact.ts';
import { solveApomdpPoint } from './apomdp-point.ts';

/** Largest horizon the automatic choice hands to the exact expectimax. */
export const APOMDP_EXACT_MAX_HORIZON = 5;
/** Largest K^H the automatic choice hands to the exact expectimax. */
export const APOMDP_EXACT_MAX_BRANCHING = 81;

export function exactIsCheap(task: EnergyTask): boolean {
  const { horizon, K } = task.params;
  return horizon <= APOMDP_EXACT_MAX_HORIZON && Math.pow(task.models.length || K, horizon) <= APOMDP_EXACT_MAX_BRANCHING;
}

export function solveApomdp(task: EnergyTask, options: SolveOptions = {}): OracleSolution {
  const method = options.method ?? 'auto';
  const exact = method === 'expectimax' || (method === 'auto' && exactIsCheap(task));
  if (exact) return solveApomdpExact(task);
  return solveApomdpPoint(task, { seed: options.seed ?? 0, ...(options.beliefPoints !== undefined ? { rollouts: options.beliefPoints } : {}) });
}
