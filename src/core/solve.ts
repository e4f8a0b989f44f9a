/** One entry point for every oracle of DESIGN §3. */
import type { OracleSolution, Task } from './types.ts';
import { solveMdp } from './solvers/mdp.ts';
import { solvePomdp } from './solvers/pomdp-solve.ts';
import { solveApomdp } from './solvers/apomdp-solve.ts';
import { darkroomOracleAction, darkroomOracleReturn } from './envs/darkroom.ts';

export interface SolveOptions {
  /** force a method for POMDP/APOMDP; by default exact expectimax for short horizons (H ≤ 5; APOMDP also K^H ≤ 81), point-based beyond. */
  method?: 'auto' | 'expectimax' | 'point-based';
  /** seed for the point-based solver's belief sampling. */
  seed?: number;
  /** point-based solvers: most belief points per time step. */
  beliefPoints?: number;
}

/** A request whose cost is over a documented budget; `field` names what to change. */
export class CostLimitError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
    this.name = 'CostLimitError';
  }
}

/**
 * The longest horizon a forced expectimax may solve. Its reachable beliefs grow about tenfold
 * per step through the charge branches: on this project's 2-core machine, energy-pomdp at the
 * default sizes took about 2 s of CPU at H = 6 and about 20 s at H = 7, H = 8 took 2.1 GB, and
 * H = 200 died of a V8 out-of-memory after 178 s (issue "Reliability"). The APOMDP's exact
 * solver also branches over the K models, so its K^H is bounded too.
 */
export const EXPECTIMAX_LIMITS = { maxHorizon: 7, maxModelBranches: 729 } as const;

function checkExpectimax(task: Task, options: SolveOptions): void {
  if (options.method !== 'expectimax' || task.kind !== 'energy') return;
  const { horizon } = task.params;
  if (horizon > EXPECTIMAX_LIMITS.maxHorizon) {
    throw new CostLimitError('method', `expectimax is exact and its belief tree grows about tenfold per step; it is allowed up to horizon ${EXPECTIMAX_LIMITS.maxHorizon}, got horizon ${horizon} (use point-based)`);
  }
  const branches = Math.pow(task.models.length, horizon);
  if (task.env === 'energy-apomdp' && branches > EXPECTIMAX_LIMITS.maxModelBranches) {
    throw new CostLimitError('method', `APOMDP expectimax branches over K^H = ${task.models.length}^${horizon} = ${branches} model sequences, over the limit of ${EXPECTIMAX_LIMITS.maxModelBranches} (use point-based)`);
  }
}

export function solve(task: Task, options: SolveOptions = {}): OracleSolution {
  checkExpectimax(task, options);
  if (task.kind === 'darkroom') {
    const goal = task.params.goal;
    return {
      method: 'darkroom-rule',
      expectedReturn: darkroomOracleReturn(task.params),
      upperBound: darkroomOracleReturn(task.params),
      agent: () => ({ act: (_history, obs) => darkroomOracleAction(goal, obs[0]!, obs[1]!) }),
    };
  }
  if (task.env === 'energy-mdp') return solveMdp(task);
  if (task.env === 'energy-pomdp') return solvePomdp(task, options);
  if (task.env === 'energy-apomdp') return solveApomdp(task, options);
  throw new Error(`solve: ${task.env} not implemented yet`);
}
