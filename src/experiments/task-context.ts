/**
 * The one pipeline every consumer of a task goes through (DESIGN §6): spec → task → oracle →
 * support trajectories → episodes, with one scheme for the random streams. The sweep runner, the
 * SFT dataset builder, the episode stepper's worker, the Model tab's ICL and `rollout` all call
 * these functions, so the same seed gives the same task, the same support and the same noise
 * wherever a task is looked at.
 *
 * Streams (labels of `Rng(seed, …)`):
 * - test task i: `('task', i)` draws p and the task seed (experiment specs); a task spec is
 *   task 0 of its own seed;
 * - support trajectory j of test task i: policy `('support-policy', i, j)`, environment stream
 *   `'support-env'`, episode j, ambiguity model j mod K;
 * - training task i: `('train-task', i)`; support trajectory j of its example e: policy
 *   `('train-support-policy', i, e, j)`, environment `'train-support-env'`, episode e·k + j;
 *   the example's own episode: policy `('train-policy', i, e)`, environment `'train-env'`;
 * - evaluation episode e of policy P on task i under model m: environment `('env', i, e)` for
 *   every policy (common random numbers), the policy's own `('policy', P, i)`.
 */
import { Rng } from '../core/rng.ts';
import { solve, type SolveOptions } from '../core/solve.ts';
import { simulateEpisode } from '../core/simulate.ts';
import { publicView } from '../core/view.ts';
import type { Agent, Episode, OracleSolution, Task, Trajectory } from '../core/types.ts';
import { randomPolicy } from '../policies/random.ts';
import type { LanguageModel, PolicyContext, PolicyFactory } from '../policies/types.ts';
import type { DptModel } from '../training/dpt-model.ts';

export type SupportPolicy = 'oracle' | 'random';

/** A task with everything a policy may be given about it. */
export interface TaskContext {
  task: Task;
  solution: OracleSolution;
  support: Trajectory[];
  /** the experiment seed and this task's index (the coordinates of its streams). */
  seed: number;
  index: number;
}

export function modelCount(task: Task): number {
  return task.kind === 'energy' ? task.models.length : 1;
}

/** An agent of the oracle or the random policy (support trajectories, training episodes). */
export async function baselineAgent(policy: SupportPolicy, task: Task, solution: OracleSolution, rng: Rng): Promise<Agent> {
  return policy === 'oracle' ? solution.agent(rng) : randomPolicy.prepare({ view: publicView(task), support: [], rng });
}

export interface SupportOptions {
  seed: number;
  /** the task's index. */
  index: number;
  k: number;
  policy: SupportPolicy;
  /** for a training example: its index (streams 'train-support-*'); absent for a test task. */
  example?: number;
}

/** The k support trajectories of a task (or of one training example of it). */
export async function drawSupport(task: Task, solution: OracleSolution, o: SupportOptions): Promise<Trajectory[]> {
  const K = modelCount(task);
  const out: Trajectory[] = [];
  for (let j = 0; j < o.k; j++) {
    const train = o.example !== undefined;
    const rng = train ? new Rng(o.seed, 'train-support-policy', o.index, o.example!, j) : new Rng(o.seed, 'support-policy', o.index, j);
    const agent = await baselineAgent(o.policy, task, solution, rng);
    const ep = await simulateEpisode(task, agent, {
      seed: o.seed, taskIndex: o.index, episode: train ? o.example! * o.k + j : j, model: j % K, stream: train ? 'train-support-env' : 'support-env',
    });
    out.push(ep.steps);
  }
  return out;
}

/** Solve a task and draw its test-time support trajectories. */
export async function taskContext(task: Task, o: { seed: number; index: number; k: number; policy: SupportPolicy; solveOptions?: SolveOptions }): Promise<TaskContext> {
  const solution = solve(task, o.solveOptions);
  return { task, solution, support: await drawSupport(task, solution, o), seed: o.seed, index: o.index };
}

/** The agent of policy `factory` on a task (its own stream; the oracle gets the solution, LM policies their model, dpt its trained transformer). */
export async function prepareAgent(
  ctx: TaskContext, factory: PolicyFactory, trained: { lm?: LanguageModel; dpt?: DptModel } = {}, stream: readonly (string | number)[] = ['policy', factory.name, ctx.index],
): Promise<Agent> {
  const pc: PolicyContext = { view: publicView(ctx.task), support: ctx.support, rng: new Rng(ctx.seed, ...stream) };
  if (factory.privileged) pc.solution = ctx.solution;
  if (factory.languageModel) pc.lm = trained.lm;
  if (factory.decisionTransformer) pc.dpt = trained.dpt;
  return factory.prepare(pc);
}

/** Evaluation episode `episode` of an agent on the task under ambiguity model `model` (common random numbers). */
export function playEpisode(ctx: TaskContext, agent: Agent, episode: number, model = 0): Promise<Episode> {
  return simulateEpisode(ctx.task, agent, { seed: ctx.seed, taskIndex: ctx.index, episode, model });
}
