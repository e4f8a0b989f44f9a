/**
 * The darkroom of DESIGN §2.4 (as in the DPT reference code): a size×size grid, start (0, 0),
 * a hidden goal, actions 0..4 = x+1, x−1, y+1, y−1, stay, moves clipped to the grid,
 * reward 1 on every step whose post-move position is the goal, observation = position.
 */
import type { DarkroomParams, DarkroomTask } from '../types.ts';
import { Rng } from '../rng.ts';

export const DARKROOM_ACTIONS = 5;
const DX = [1, -1, 0, 0, 0];
const DY = [0, 0, 1, -1, 0];

export function makeDarkroomTask(params: DarkroomParams): DarkroomTask {
  return { kind: 'darkroom', env: 'darkroom', params, nActions: DARKROOM_ACTIONS };
}

export function darkroomMove(size: number, x: number, y: number, action: number): [number, number] {
  const clip = (v: number) => Math.min(size - 1, Math.max(0, v));
  return [clip(x + DX[action]!), clip(y + DY[action]!)];
}

/** The oracle's action: move in x first, then in y, then stay. */
export function darkroomOracleAction(goal: readonly [number, number], x: number, y: number): number {
  if (x < goal[0]) return 0;
  if (x > goal[0]) return 1;
  if (y < goal[1]) return 2;
  if (y > goal[1]) return 3;
  return 4;
}

/** Oracle return Σ_t 1[post-move position = goal] with γ = 1: 101 − gx − gy for the default room. */
export function darkroomOracleReturn(params: DarkroomParams): number {
  const d = params.goal[0] + params.goal[1];
  return d === 0 ? params.horizon : Math.max(0, params.horizon - d + 1);
}

/** All goals of a size×size room in a fixed seeded order, split into train and test goals (80/20 by default). */
export function darkroomGoalSplit(size: number, seed: number, trainFraction = 0.8): { train: [number, number][]; test: [number, number][] } {
  const goals: [number, number][] = [];
  for (let x = 0; x < size; x++) for (let y = 0; y < size; y++) goals.push([x, y]);
  const rng = new Rng(seed, 'darkroom-goal-split', size);
  for (let i = goals.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [goals[i], goals[j]] = [goals[j]!, goals[i]!];
  }
  const nTrain = Math.round(goals.length * trainFraction);
  return { train: goals.slice(0, nTrain), test: goals.slice(nTrain) };
}
