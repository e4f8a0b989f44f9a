/**
 * One interface for every policy — baselines, the oracle and (later) the language-model
 * policies: a factory that, given what may be known about a task, returns an Agent.
 */
import type { Rng } from '../core/rng.ts';
import type { Agent, AgentView, OracleSolution, Trajectory } from '../core/types.ts';

export interface PolicyContext {
  view: AgentView;
  /** the k support trajectories of this task. */
  support: Trajectory[];
  /** the policy's own stream (ties, exploration); independent of the environment's stream. */
  rng: Rng;
  /** the task's oracle; given only to factories marked `privileged`. */
  solution?: OracleSolution;
}

export interface PolicyFactory {
  name: string;
  /** true when the policy needs the task's oracle solution (the oracle itself). */
  privileged?: boolean;
  /** a one-line description for the UI. */
  description?: string;
  prepare(ctx: PolicyContext): Agent | Promise<Agent>;
}
