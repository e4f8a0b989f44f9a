/** Public entry of the experiments: specs, the runner and the example specs. */
export type { ExperimentProgress, ExperimentSummary, ResultRow } from './types.ts';
export { parseExperimentSpec, sweepPoints, SWEEP_PARAMS, SWEEPABLE, DARKROOM_SPLIT_SEED, type ExperimentSpec, type ExperimentSpecInput, type SweepParam } from './spec.ts';
export { runExperiment, collectExperiment, sampleTask, type RunOptions } from './run.ts';
export { drawSupport, taskContext, prepareAgent, playEpisode, baselineAgent, modelCount, type TaskContext, type SupportOptions, type SupportPolicy } from './task-context.ts';
export { EXAMPLE_SPECS, EXAMPLE_SPEC_INPUTS } from './examples.ts';
export {
  trainingExamples, trainingTask, textRecord, pairRecords, recordLines, validationTaskCount, DATASET_FORMATS,
  type DatasetExample, type DatasetFormat, type DatasetOptions,
} from './dataset.ts';
