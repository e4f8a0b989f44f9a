/**
 * The energy-pomdp oracle's method choice (DESIGN §3): exact expectimax while the reachable
 * belief tree is small (H ≤ 5), point-based value iteration beyond; a caller may force either.
 */
import type { EnergyTask, OracleSolution } from '../types.ts';
import { solvePomdpExact } from './pomdp-exact.ts';
import { solvePomdpPointBased } from './pomdp-pbvi.ts';

/** Longest horizon the automatic choice solves exactly (H = 6 already takes seconds). */
export const EXACT_MAX_HORIZON = 5;

export interface PomdpSolveOptions {
  method?: 'auto' | 'expectimax' | 'point-based';
  seed?: number;
  beliefPoints?: number;
}

export function solvePomdp(task: EnergyTask, options: PomdpSolveOptions = {}): OracleSolution {
  const method = options.method ?? 'auto';
  const exact = method === 'expectimax' || (method === 'auto' && task.params.horizon <= EXACT_MAX_HORIZON);
  if (exact) return solvePomdpExact(task);
  return solvePomdpPointBased(task, { seed: options.seed ?? 0, beliefPoints: options.beliefPoints });
}
