/**
 * Named example experiments, small enough to run in seconds (UI presets, CLI demos, tests).
 * The POMDP/APOMDP ones use 5 levels and horizon 4 so the exact expectimax oracle stays cheap.
 */
import { parseExperimentSpec, type ExperimentSpec, type ExperimentSpecInput } from './spec.ts';

const BASELINES = ['random', 'oracle', 'support-copy', 'ce-planning'];

export const EXAMPLE_SPEC_INPUTS: Record<string, ExperimentSpecInput> = {
  'gap-vs-horizon': {
    name: 'gap-vs-horizon',
    env: 'energy-mdp',
    params: { levels: 10, cost: 0.1 },
    distribution: { pMin: 0.3, pMax: 0.9 },
    sweep: { param: 'horizon', values: [5, 10, 20] },
    policies: BASELINES,
    testTasks: 20,
    episodes: 30,
  },
  'gap-vs-q': {
    name: 'gap-vs-q',
    env: 'energy-pomdp',
    params: { levels: 5, horizon: 4 },
    sweep: { param: 'q', values: [1, 0.9, 0.7, 0.5] },
    policies: BASELINES,
    testTasks: 10,
    episodes: 20,
  },
  'gap-vs-alpha': {
    name: 'gap-vs-alpha',
    env: 'energy-apomdp',
    params: { levels: 5, horizon: 4, K: 3, q: 0.9 },
    sweep: { param: 'alpha', values: [0, 0.5, 1] },
    policies: BASELINES,
    testTasks: 10,
    episodes: 10,
  },
  'gap-vs-K-by-alpha': {
    name: 'gap-vs-K-by-alpha',
    env: 'energy-apomdp',
    params: { levels: 5, horizon: 4, q: 0.9 },
    sweep: { param: 'K', values: [1, 2, 3] },
    series: { param: 'alpha', values: [0, 0.5, 1] },
    policies: ['random', 'oracle', 'support-copy'],
    testTasks: 8,
    episodes: 10,
  },
  darkroom: {
    name: 'darkroom',
    env: 'darkroom',
    params: { size: 10 },
    distribution: { goals: 'test' },
    sweep: { param: 'horizon', values: [50, 100] },
    policies: BASELINES,
    testTasks: 20,
    episodes: 5,
  },
};

export const EXAMPLE_SPECS: Record<string, ExperimentSpec> = Object.fromEntries(
  Object.entries(EXAMPLE_SPEC_INPUTS).map(([name, input]) => [name, parseExperimentSpec(input)]),
);
