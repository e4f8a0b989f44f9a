/**
 * Shared types of the decision-making core (DESIGN §2–§4). Everything here is plain data so it
 * crosses worker boundaries (structured clone) and serializes to JSON for the CLI.
 */
import type { Rng } from './rng.ts';

export const ENV_NAMES = ['energy-mdp', 'energy-pomdp', 'energy-apomdp', 'darkroom'] as const;
export type EnvName = (typeof ENV_NAMES)[number];
export type EnergyEnvName = Exclude<EnvName, 'darkroom'>;

/** Fully resolved parameters of one energy task (defaults filled in). */
export interface EnergyParams {
  /** E+1 battery levels 0..E. */
  levels: number;
  /** success probability of charge/work. */
  p: number;
  /** cost of charging (reward −cost). */
  cost: number;
  horizon: number;
  gamma: number;
  /** initial state: uniform over levels, or a fixed level. */
  init: 'uniform' | number;
  /** observation accuracy (1 for the MDP). */
  q: number;
  /** ambiguity set size (1 unless APOMDP). */
  K: number;
  /** α-MEU weight on the worst case (APOMDP). */
  alpha: number;
  /** largest accepted row-wise KL(perturbed ‖ nominal) (APOMDP). */
  rho: number;
  /** Dirichlet concentration of the perturbations (APOMDP). */
  kappa: number;
}

export interface DarkroomParams {
  size: number;
  goal: [number, number];
  horizon: number;
}

/**
 * One model of a finite POMDP. Layouts (row-major):
 *  transition[(a * nStates + s) * nStates + s'] = P(s' | s, a)
 *  emission[s * nObs + o] = P(o | s)
 */
export interface PomdpModel {
  transition: Float64Array;
  emission: Float64Array;
}

/**
 * An energy task in the general finite-POMDP form every solver works on.
 * Timing: o_t ~ emission(· | s_t); the agent picks a_t; it sees r_t = reward(s_t, a_t); s_{t+1} ~ transition.
 * The reward is deterministic given (s_t, a_t) and observed, so beliefs condition on it (DESIGN §2.2).
 */
export interface EnergyTask {
  kind: 'energy';
  env: EnergyEnvName;
  params: EnergyParams;
  nStates: number;
  nActions: number;
  nObs: number;
  /** reward[s * nActions + a]. */
  reward: Float64Array;
  /** initial state distribution. */
  init: Float64Array;
  /** distinct actions and their duplicates, e.g. [[0, 1], [2]]: solve on classes, map back. */
  actionClasses: number[][];
  /** models[0] is the nominal model; K > 1 only for the APOMDP. */
  models: PomdpModel[];
}

export interface DarkroomTask {
  kind: 'darkroom';
  env: 'darkroom';
  params: DarkroomParams;
  nActions: number;
}

export type Task = EnergyTask | DarkroomTask;

/** A task spec as the CLI and URLs carry it: `{"env", "params", "seed"}` (DESIGN §7). */
export interface TaskSpec {
  env: EnvName;
  params: Record<string, unknown>;
  seed: number;
}

/** One period as the agent saw it. Energy observations are [level]; darkroom observations are [x, y]. */
export interface Step {
  obs: number[];
  action: number;
  reward: number;
}

/** A trajectory as an agent sees it. */
export type Trajectory = Step[];

/** A simulated episode, with what only the simulator knows. */
export interface Episode {
  steps: Step[];
  /** latent state index at each period (energy: the level; darkroom: y * size + x). */
  latent: number[];
  /** the ambiguity model that generated this episode (0 unless APOMDP). */
  model: number;
  /** discounted return Σ γ^t r_t. */
  return: number;
}

/** Everything an agent may know about a task before acting: the family, not the hidden parameters. */
export interface AgentView {
  env: EnvName;
  nActions: number;
  horizon: number;
  gamma: number;
  /** the task family's public parameters (for energy: levels, cost, init, K, alpha; darkroom: size). */
  known: Record<string, number | string>;
}

/** A policy acting in one episode. Called once per period, in order. */
export interface Agent {
  /** a_t, having seen the steps 0..t-1 of this episode and the current observation o_t. */
  act(history: readonly Step[], obs: readonly number[]): number | Promise<number>;
}

/** The oracle's solution of one task. */
export interface OracleSolution {
  method: 'backward-induction' | 'expectimax' | 'point-based' | 'darkroom-rule';
  /** expected return from the initial distribution (α-MEU value for the APOMDP). */
  expectedReturn: number;
  /** the fully observable MDP value: an upper bound for POMDP values. */
  upperBound?: number;
  /** V_t(s) for t = 0..H−1 (MDP only). */
  values?: number[][];
  /** point-based solvers: how many belief points were backed up, over all time steps. */
  beliefPoints?: number;
  /** an agent playing the oracle's policy; `rng` breaks ties between equally good actions. */
  agent(rng: Rng): Agent;
}
