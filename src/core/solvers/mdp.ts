/** Exact finite-horizon backward induction for a fully observed energy task (DESIGN §3). */
import type { Rng } from '../rng.ts';
import type { Agent, EnergyTask, OracleSolution, PomdpModel, Step } from '../types.ts';
import { pickAction } from './tie-break.ts';

export interface MdpValues {
  /** V[t][s], t = 0..H (V[H] = 0). */
  V: Float64Array[];
  /** Q[t][s * nClasses + c] for distinct action classes. */
  Q: Float64Array[];
}

/** Backward induction on the model's transitions with the task's rewards, over distinct action classes. */
export function backwardInduction(task: EnergyTask, model: PomdpModel = task.models[0]!, horizon = task.params.horizon): MdpValues {
  const S = task.nStates;
  const A = task.nActions;
  const classes = task.actionClasses;
  const C = classes.length;
  const gamma = task.params.gamma;
  const V: Float64Array[] = new Array(horizon + 1);
  const Q: Float64Array[] = new Array(horizon);
  V[horizon] = new Float64Array(S);
  for (let t = horizon - 1; t >= 0; t--) {
    const next = V[t + 1]!;
    const q = new Float64Array(S * C);
    const v = new Float64Array(S);
    for (let s = 0; s < S; s++) {
      let best = -Infinity;
      for (let c = 0; c < C; c++) {
        const a = classes[c]![0]!;
        const row = (a * S + s) * S;
        let cont = 0;
        for (let s2 = 0; s2 < S; s2++) cont += model.transition[row + s2]! * next[s2]!;
        const val = task.reward[s * A + a]! + gamma * cont;
        q[s * C + c] = val;
        if (val > best) best = val;
      }
      v[s] = best;
    }
    V[t] = v;
    Q[t] = q;
  }
  return { V, Q };
}

export function solveMdp(task: EnergyTask): OracleSolution {
  const { V, Q } = backwardInduction(task);
  const C = task.actionClasses.length;
  let expectedReturn = 0;
  for (let s = 0; s < task.nStates; s++) expectedReturn += task.init[s]! * V[0]![s]!;
  return {
    method: 'backward-induction',
    expectedReturn,
    upperBound: expectedReturn,
    values: V.slice(0, task.params.horizon).map((v) => Array.from(v)),
    agent(rng: Rng): Agent {
      return {
        act(history: readonly Step[], obs: readonly number[]): number {
          const t = history.length;
          const s = obs[0]!;
          return pickAction(Q[t]!.subarray(s * C, (s + 1) * C), task.actionClasses, rng);
        },
      };
    },
  };
}
