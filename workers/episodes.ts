/**
 * Tasks, their oracle solutions and single episodes, shared by the solver worker (the stepper's
 * policies) and the ICL worker (a language model as the policy), through the one pipeline of
 * src/experiments/task-context.ts: both see the same task, the same k support trajectories and
 * the same environment noise for a given spec and episode index, drawn exactly as a sweep draws
 * them for its task 0.
 */
import { filterBelief } from '../src/core/belief.ts';
import { Rng } from '../src/core/rng.ts';
import { solve } from '../src/core/solve.ts';
import { taskFromSpec } from '../src/core/tasks.ts';
import type { OracleSolution, Task, TaskSpec, Trajectory } from '../src/core/types.ts';
import { drawSupport, playEpisode, prepareAgent, type TaskContext } from '../src/experiments/task-context.ts';
import type { PolicyFactory } from '../src/policies/types.ts';
import type { EpisodeRequest, EpisodeView, OracleInfo } from './api.ts';

/** Support trajectories per task, as in the paper's few-shot setting (k = 2 oracle rollouts). */
export const SUPPORT_K = 2;

export interface Solved {
  task: Task;
  solution: OracleSolution;
  info: OracleInfo;
}

// Solving is the slow part; a person steps through many episodes of one task.
const cache = new Map<string, Solved>();

export function solved(spec: TaskSpec): Solved {
  const key = JSON.stringify(spec);
  const hit = cache.get(key);
  if (hit) return hit;
  const task = taskFromSpec(spec);
  const t0 = performance.now();
  const solution = solve(task, { seed: spec.seed });
  const info: OracleInfo = {
    method: solution.method,
    expectedReturn: solution.expectedReturn,
    upperBound: solution.upperBound,
    seconds: (performance.now() - t0) / 1000,
  };
  if (cache.size > 8) cache.delete(cache.keys().next().value!);
  const entry = { task, solution, info };
  cache.set(key, entry);
  return entry;
}

/** The task as task 0 of its seed in the one pipeline (src/experiments/task-context.ts): the sweep's support and noise scheme. */
export async function contextOf({ task, solution }: Solved, seed: number): Promise<TaskContext> {
  return { task, solution, support: await drawSupport(task, solution, { seed, index: 0, k: SUPPORT_K, policy: 'oracle' }), seed, index: 0 };
}

/** The stepper's beliefs along an episode (null for the MDP and darkroom). */
export function beliefsOf(task: Task, steps: Trajectory): (number[] | null)[][] | null {
  if (task.kind !== 'energy' || task.env === 'energy-mdp') return null;
  return steps.map((step, t) => task.models.map((model) => {
    const b = filterBelief(task, model, steps.slice(0, t), step.obs);
    return b ? Array.from(b) : null;
  }));
}

/** The ambiguity model that generates episode `episode`: the one asked for, else drawn from the set per episode. */
export function episodeModel(task: Task, seed: number, episode: number, asked?: number): number {
  const nModels = task.kind === 'energy' ? task.models.length : 1;
  return asked ?? (nModels > 1 ? new Rng(seed, 'episode-model', episode).int(nModels) : 0);
}

/** One episode of `factory` on the requested task, with what the stepper displays. */
export async function runEpisodeWith(req: EpisodeRequest, factory: PolicyFactory): Promise<EpisodeView> {
  const s = solved(req.spec);
  const { task } = s;
  const seed = req.spec.seed;
  const model = episodeModel(task, seed, req.episode, req.model);
  const ctx = await contextOf(s, seed);
  const agent = await prepareAgent(ctx, factory, {}, ['policy', req.policy, req.episode]);
  const ep = await playEpisode(ctx, agent, req.episode, model);
  const gamma = task.kind === 'energy' ? task.params.gamma : 1;
  let acc = 0;
  const cumulative = ep.steps.map((st, t) => (acc += gamma ** t * st.reward));
  return {
    spec: req.spec,
    env: task.env,
    policy: req.policy,
    episode: req.episode,
    steps: ep.steps,
    latent: ep.latent,
    model: ep.model,
    return: ep.return,
    cumulative,
    beliefs: beliefsOf(task, ep.steps),
    oracle: s.info,
    grid: task.kind === 'darkroom' ? { size: task.params.size, goal: task.params.goal } : undefined,
  };
}
