/**
 * Rollouts with common random numbers (CRN).
 *
 * The environment draws from its own stream `new Rng(seed, stream, taskIndex, episode)` and
 * consumes a fixed number of uniforms whatever the policy does: one for the initial state, then
 * per period one for the observation and one for the transition (inverse CDF, so the same
 * uniform on the same row gives the same outcome). Every policy evaluated on a task therefore
 * meets the same initial states and the same noise, which makes per-task gap differences
 * between policies low-variance, and an oracle evaluated twice reproduces itself exactly.
 *
 * The dynamics live in one generator, `episodeRun`; the async and sync drivers only differ in
 * whether they await the agent.
 */
import { Rng, sampleCategorical, type RngKey } from './rng.ts';
import type { Agent, DarkroomTask, EnergyTask, Episode, Step, Task } from './types.ts';
import { darkroomMove } from './envs/darkroom.ts';

export interface SimulateOptions {
  seed: number;
  taskIndex: number;
  episode: number;
  /** which ambiguity model generates the episode (APOMDP); 0 = nominal. */
  model?: number;
  /** label of the environment stream; 'env' for evaluation, another label (e.g. 'support-env') for support data. */
  stream?: RngKey;
}

/** What the agent is asked at each period: the steps so far and the current observation. */
export interface Query {
  history: readonly Step[];
  obs: readonly number[];
}

/** One env's dynamics: how a latent state is drawn, seen and moved, each from one given uniform. */
interface Dynamics {
  nActions: number;
  horizon: number;
  gamma: number;
  /** initial latent state from one uniform. */
  initial(u: number): number;
  /** observation of a latent state from one uniform. */
  observe(latent: number, u: number): number[];
  /** reward and next latent state of (latent, action), from one uniform. */
  step(latent: number, action: number, u: number): { reward: number; next: number };
}

function energyDynamics(task: EnergyTask, modelIndex: number): Dynamics {
  const model = task.models[modelIndex];
  if (!model) throw new Error(`simulate: model ${modelIndex} does not exist (task has ${task.models.length})`);
  const S = task.nStates;
  const A = task.nActions;
  return {
    nActions: A,
    horizon: task.params.horizon,
    gamma: task.params.gamma,
    initial: (u) => sampleCategorical(task.init, u),
    observe: (s, u) => [sampleCategorical(model.emission, u, s * task.nObs, task.nObs)],
    step: (s, a, u) => ({
      reward: task.reward[s * A + a]!,
      next: sampleCategorical(model.transition, u, (a * S + s) * S, S),
    }),
  };
}

function darkroomDynamics(task: DarkroomTask, modelIndex: number): Dynamics {
  if (modelIndex !== 0) throw new Error(`simulate: the darkroom has one model, got model ${modelIndex}`);
  const { size, goal, horizon } = task.params;
  return {
    nActions: task.nActions,
    horizon,
    gamma: 1,
    // The darkroom is deterministic; its uniforms are still drawn so that the stream layout is the same for every env.
    initial: () => 0,
    observe: (s) => [s % size, Math.floor(s / size)],
    step: (s, a) => {
      const [x, y] = darkroomMove(size, s % size, Math.floor(s / size), a);
      return { reward: x === goal[0] && y === goal[1] ? 1 : 0, next: y * size + x };
    },
  };
}

function dynamicsOf(task: Task, model: number): Dynamics {
  return task.kind === 'darkroom' ? darkroomDynamics(task, model) : energyDynamics(task, model);
}

function checkAction(action: number, nActions: number, t: number): number {
  if (!Number.isInteger(action) || action < 0 || action >= nActions) {
    throw new Error(`agent returned action ${String(action)} at period ${t + 1}; expected an integer in [0, ${nActions - 1}]`);
  }
  return action;
}

/**
 * The dynamics of one episode as a generator: it yields a query per period and expects the
 * agent's action back through `next(action)`; it returns the finished episode.
 */
export function* episodeRun(task: Task, opts: SimulateOptions): Generator<Query, Episode, number> {
  const model = opts.model ?? 0;
  const dyn = dynamicsOf(task, model);
  const rng = new Rng(opts.seed, opts.stream ?? 'env', opts.taskIndex, opts.episode);
  const steps: Step[] = [];
  const latent: number[] = [];
  let s = dyn.initial(rng.next());
  let ret = 0;
  let discount = 1;
  for (let t = 0; t < dyn.horizon; t++) {
    const obs = dyn.observe(s, rng.next());
    const uTransition = rng.next(); // drawn before acting so the stream never depends on the action
    const action = checkAction(yield { history: steps, obs }, dyn.nActions, t);
    const { reward, next } = dyn.step(s, action, uTransition);
    steps.push({ obs, action, reward });
    latent.push(s);
    ret += discount * reward;
    discount *= dyn.gamma;
    s = next;
  }
  return { steps, latent, model, return: ret };
}

/** Runs one episode of `agent` on `task` under CRN. Sync agents are not awaited (fast path). */
export async function simulateEpisode(task: Task, agent: Agent, opts: SimulateOptions): Promise<Episode> {
  const run = episodeRun(task, opts);
  let r = run.next();
  while (!r.done) {
    const a = agent.act(r.value.history, r.value.obs);
    r = run.next(typeof a === 'number' ? a : await a);
  }
  return r.value;
}

/** Synchronous variant for agents whose `act` returns a number (all pure-core policies). */
export function simulateEpisodeSync(task: Task, agent: Agent, opts: SimulateOptions): Episode {
  const run = episodeRun(task, opts);
  let r = run.next();
  while (!r.done) {
    const a = agent.act(r.value.history, r.value.obs);
    if (typeof a !== 'number') throw new Error('simulateEpisodeSync: the agent is asynchronous; use simulateEpisode');
    r = run.next(a);
  }
  return r.value;
}

/** An agent that replays a fixed action sequence (then repeats the last action): for tests and the UI's manual stepping. */
export function replayAgent(actions: readonly number[]): Agent {
  return { act: (history) => actions[Math.min(history.length, actions.length - 1)]! };
}
