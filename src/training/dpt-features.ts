/**
 * The DPT's input vectors (DESIGN §9; Lee et al. 2023): one vector per token, where a token is
 * either the query — the observation to act on and its time step — or one transition
 * (o, a, r, o′) of a support trajectory. The sequence is [query, transition₁, …, transitionₙ],
 * so the prediction at position j has seen the query and the first j transitions: one sequence
 * trains every context length at once, as in the reference code.
 *
 * Layout of a vector (width `featureWidth`):
 *   bias 1 | query flag | query obs | query time | obs | action | reward | next obs | last flag | time
 * Observations are one-hot (energy: the level, darkroom: x and y); time is the steps to go,
 * one-hot up to TOGO_CAP, plus t/H. The time step is in the query because the oracle of a finite
 * horizon acts differently near the end (an energy agent stops charging); the DPT of the
 * reference had an infinite horizon and no time. A POMDP's oracle acts on its belief, which the
 * current observation alone does not give: the DPT sees only (o_t, t), a limit it shares with
 * the reference and that the results show (docs/training.md).
 */
import type { AgentView, Step, Trajectory } from '../core/types.ts';

/** Steps to go are one-hot up to this many (more is "far from the end"). */
export const TOGO_CAP = 8;
const TIME_WIDTH = TOGO_CAP + 1;

/** What fixes the vector layout: the task family's public shape (never a hidden parameter). */
export interface DptShape {
  env: AgentView['env'];
  /** one-hot sizes of the observation's components (energy: [levels]; darkroom: [size, size]). */
  obsSizes: number[];
  nActions: number;
  horizon: number;
}

export function dptShape(view: AgentView): DptShape {
  const obsSizes = view.env === 'darkroom' ? [Number(view.known.size), Number(view.known.size)] : [Number(view.known.levels)];
  if (obsSizes.some((n) => !Number.isInteger(n) || n < 1)) throw new Error(`dpt: cannot read the observation sizes of ${view.env} from ${JSON.stringify(view.known)}`);
  return { env: view.env, obsSizes, nActions: view.nActions, horizon: view.horizon };
}

function obsWidth(s: DptShape): number {
  return s.obsSizes.reduce((a, b) => a + b, 0);
}

interface Offsets {
  queryObs: number;
  queryTime: number;
  obs: number;
  action: number;
  reward: number;
  next: number;
  last: number;
  time: number;
  width: number;
}

function offsets(s: DptShape): Offsets {
  const o = obsWidth(s);
  const queryObs = 2;
  const queryTime = queryObs + o;
  const obs = queryTime + TIME_WIDTH;
  const action = obs + o;
  const reward = action + s.nActions;
  const next = reward + 1;
  const last = next + o;
  const time = last + 1;
  return { queryObs, queryTime, obs, action, reward, next, last, time, width: time + TIME_WIDTH };
}

export function featureWidth(s: DptShape): number {
  return offsets(s).width;
}

function putObs(v: Float32Array, at: number, s: DptShape, obs: readonly number[]): void {
  let base = at;
  s.obsSizes.forEach((n, i) => {
    const x = obs[i];
    if (x === undefined || !Number.isInteger(x) || x < 0 || x >= n) throw new Error(`dpt: observation component ${i} must be an integer in [0, ${n - 1}], got ${String(x)}`);
    v[base + x] = 1;
    base += n;
  });
}

function putTime(v: Float32Array, at: number, s: DptShape, t: number): void {
  const togo = Math.max(1, Math.min(TOGO_CAP, s.horizon - t));
  v[at + togo - 1] = 1;
  v[at + TOGO_CAP] = t / Math.max(1, s.horizon);
}

/** The query token: act on observation `obs` at time step t. */
export function queryVector(s: DptShape, obs: readonly number[], t: number): Float32Array {
  const off = offsets(s);
  const v = new Float32Array(off.width);
  v[0] = 1;
  v[1] = 1;
  putObs(v, off.queryObs, s, obs);
  putTime(v, off.queryTime, s, t);
  return v;
}

/** The token of step t of a trajectory: (o_t, a_t, r_t, o_{t+1}); the last step has no o′ and sets the last flag. */
export function transitionVector(s: DptShape, traj: Trajectory, t: number): Float32Array {
  const off = offsets(s);
  const v = new Float32Array(off.width);
  const step: Step = traj[t]!;
  v[0] = 1;
  putObs(v, off.obs, s, step.obs);
  if (!Number.isInteger(step.action) || step.action < 0 || step.action >= s.nActions) throw new Error(`dpt: action must be an integer in [0, ${s.nActions - 1}], got ${step.action}`);
  v[off.action + step.action] = 1;
  v[off.reward] = step.reward;
  const next = traj[t + 1];
  if (next) putObs(v, off.next, s, next.obs);
  else v[off.last] = 1;
  putTime(v, off.time, s, t);
  return v;
}

/** The context: every transition of every support trajectory, in order, as one flat [n · width] array. */
export function contextVectors(s: DptShape, support: readonly Trajectory[]): Float32Array {
  const rows = support.flatMap((traj) => traj.map((_, t) => transitionVector(s, traj, t)));
  const width = featureWidth(s);
  const out = new Float32Array(rows.length * width);
  rows.forEach((r, i) => out.set(r, i * width));
  return out;
}

/** The tokens of one sequence: the query, then the context (its rows copied in). */
export function sequenceVectors(s: DptShape, context: Float32Array, obs: readonly number[], t: number): Float32Array {
  const width = featureWidth(s);
  const out = new Float32Array(width + context.length);
  out.set(queryVector(s, obs, t), 0);
  out.set(context, width);
  return out;
}
