/**
 * What each scale means, in one place: test tasks, episodes, training tasks and epochs.
 *
 * - smoke: seconds, for the test that keeps the command from rotting; numbers mean nothing.
 * - quick: every figure in about 90 minutes on the project's 2-core machine (issue 11). The
 *   sizes are the quick MDP figure's (docs/results-notes.md: 32 training tasks, SFT one epoch,
 *   DPT two), 20 test tasks × 10 episodes, and the shortest horizon where a figure needs a
 *   language model at many points (the shipped model's prompts grow with H).
 * - paper: the paper's sizes (3,200 training tasks, 100 test tasks, 30 episodes, 15 oracle
 *   trajectories per task, 3 epochs; the DPT's reference 10 epochs). Hours to days on a CPU.
 */
import type { ExperimentSpecInput } from '../spec.ts';
import type { Scale } from './types.ts';

export interface ScaleSettings {
  testTasks: number;
  episodes: number;
  trainTasks: number;
  sftEpochs: number;
  dptEpochs: number;
}

export const SCALE_SETTINGS: Record<Scale, ScaleSettings> = {
  smoke: { testTasks: 2, episodes: 2, trainTasks: 2, sftEpochs: 1, dptEpochs: 1 },
  quick: { testTasks: 20, episodes: 10, trainTasks: 32, sftEpochs: 1, dptEpochs: 2 },
  paper: { testTasks: 100, episodes: 30, trainTasks: 3200, sftEpochs: 3, dptEpochs: 10 },
};

/** Every policy of a figure: the baselines, then the three learned ones. */
export const ALL_POLICIES = ['random', 'support-copy', 'ce-planning', 'icl', 'sft', 'dpt'];

/** The fields every spec of a scale shares (policies, sizes, training); figures add env, params, sweep. */
export function scaled(scale: Scale, o: Partial<Pick<ScaleSettings, 'trainTasks' | 'sftEpochs'>> = {}): Pick<ExperimentSpecInput, 'testTasks' | 'episodes' | 'support' | 'seed' | 'training' | 'allowLarge'> {
  const s = { ...SCALE_SETTINGS[scale], ...o };
  return {
    testTasks: s.testTasks,
    episodes: s.episodes,
    support: 2,
    seed: 0,
    training: { tasks: s.trainTasks, epochs: s.sftEpochs, dpt: { epochs: s.dptEpochs } },
    ...(scale === 'paper' ? { allowLarge: true } : {}),
  };
}

/** The scale in words, for results.md. */
export function scaleWords(scale: Scale, extra = '', o: Partial<Pick<ScaleSettings, 'trainTasks' | 'sftEpochs'>> = {}): string {
  const s = { ...SCALE_SETTINGS[scale], ...o };
  return `${scale}: ${s.testTasks} test tasks × ${s.episodes} episodes, k = 2 oracle support trajectories, ${s.trainTasks} training tasks (15 oracle trajectories each), SFT ${s.sftEpochs} epoch${s.sftEpochs > 1 ? 's' : ''} (QLoRA r = 8 on the NF4 shipped model), DPT ${s.dptEpochs} epoch${s.dptEpochs > 1 ? 's' : ''}, seed 0${extra ? `; ${extra}` : ''}.`;
}

/** Picks a scale's value. */
export function by<T>(scale: Scale, v: Record<Scale, T>): T {
  return v[scale];
}
