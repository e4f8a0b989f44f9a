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

export function solve(task: Task, options: SolveOptions = {}): OracleSolution {
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
