/** One entry point for every oracle of DESIGN §3. */
import type { OracleSolution, Task } from './types.ts';
import { solveMdp } from './solvers/mdp.ts';
import { darkroomOracleAction, darkroomOracleReturn } from './envs/darkroom.ts';

export interface SolveOptions {
  /** force a method for POMDP/APOMDP; by default exact expectimax when H ≤ 5, point-based beyond. */
  method?: 'auto' | 'expectimax' | 'point-based';
  /** seed for the point-based solver's belief sampling. */
  seed?: number;
}

export function solve(task: Task, options: SolveOptions = {}): OracleSolution {
  void options;
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
  throw new Error(`solve: ${task.env} not implemented yet`);
}
