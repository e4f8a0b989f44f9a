/**
 * The fully specified task of `solve` (DESIGN §7): every sampled quantity as nested arrays,
 * so another tool can recompute the oracle from the output alone.
 */
import type { PomdpModel, Task } from '../src/core/types.ts';

function matrix(flat: Float64Array, rows: number, cols: number, offset = 0): number[][] {
  const out: number[][] = [];
  for (let r = 0; r < rows; r++) out.push(Array.from(flat.subarray(offset + r * cols, offset + (r + 1) * cols)));
  return out;
}

export function modelJson(model: PomdpModel, nStates: number, nActions: number, nObs: number) {
  const transition: number[][][] = [];
  for (let a = 0; a < nActions; a++) transition.push(matrix(model.transition, nStates, nStates, a * nStates * nStates));
  return { transition, emission: matrix(model.emission, nStates, nObs) };
}

export function taskJson(task: Task) {
  if (task.kind === 'darkroom') {
    return { env: task.env, params: task.params, nActions: task.nActions, start: [0, 0], actions: ['x+1', 'x-1', 'y+1', 'y-1', 'stay'] };
  }
  const { nStates, nActions, nObs } = task;
  return {
    env: task.env,
    params: task.params,
    nStates,
    nActions,
    nObs,
    actions: ['charge', 'charge', 'work'],
    actionClasses: task.actionClasses,
    /** reward[s][a] */
    reward: matrix(task.reward, nStates, nActions),
    init: Array.from(task.init),
    timing: 'o_t ~ emission[m][s_t]; r_t = reward[s_t][a_t]; s_{t+1} ~ transition[m][a_t][s_t]',
    /** models[m].transition[a][s][s'], models[m].emission[s][o]; model 0 is the nominal model */
    models: task.models.map((m) => modelJson(m, nStates, nActions, nObs)),
  };
}
