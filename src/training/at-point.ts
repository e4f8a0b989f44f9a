/**
 * Training for one sweep point of an experiment: the spec's training set at that point (its own
 * horizon, q, K…), for SFT tokenized for the base model the caller loaded (NF4 for QLoRA), for
 * the DPT featurized for a fresh transformer. Used by the experiment runner and by `train`, so
 * both train the same adapter or DPT from the same data.
 */
import { defaultTrainTasks, datasetPoint } from '../experiments/dataset.ts';
import type { ExperimentSpec } from '../experiments/spec.ts';
import type { LanguageModel } from '../policies/types.ts';
import type { Backend } from '../nn/backend.ts';
import { buildDptDataset } from './dpt-data.ts';
import { type DptResult, trainDpt } from './dpt.ts';
import { buildSftDataset, type SftDataset } from './sft-data.ts';
import { type SftResult, type TrainHooks, trainSft } from './sft.ts';

export interface PointTraining {
  /** The base with the trained adapter attached (a new object, so scorers never mix adapters). */
  lm: LanguageModel;
  result: SftResult;
  data: Pick<SftDataset, 'tasks' | 'longest' | 'trainTargets'> & { trainRows: number; valRows: number };
}

/** Training tasks at sweep point `point` (0-based): a trainTasks sweep's value, else `training.tasks`, else the env's default. */
export function trainTasksAt(spec: ExperimentSpec, point: number): number {
  const at = datasetPoint(spec, point);
  return at.point.trainTasks ?? spec.training.tasks ?? defaultTrainTasks(spec, at.params);
}

export async function trainSftAtPoint(spec: ExperimentSpec, point: number, base: LanguageModel, hooks: TrainHooks = {}): Promise<PointTraining> {
  const tasks = trainTasksAt(spec, point);
  const data = await buildSftDataset(spec, base.tokenizer, { point, tasks, loss: spec.training.loss, ...(hooks.signal ? { signal: hooks.signal } : {}) });
  if (data.longest > base.maxPositions) {
    throw new Error(`training.tasks: the longest training example is ${data.longest} tokens, over the model's context of ${base.maxPositions} (max_position_embeddings)`);
  }
  const result = await trainSft(base.model, data, spec.training, hooks);
  return {
    lm: { ...base, label: `${base.label} + sft adapter` },
    result,
    data: { tasks: data.tasks, longest: data.longest, trainTargets: data.trainTargets, trainRows: data.train.length, valRows: data.val.length },
  };
}

export interface PointDpt {
  result: DptResult;
  data: { tasks: number; trainSamples: number; valSamples: number; contextTransitions: number };
}

export async function trainDptAtPoint(spec: ExperimentSpec, point: number, be: Backend, hooks: TrainHooks = {}): Promise<PointDpt> {
  const tasks = trainTasksAt(spec, point);
  const data = await buildDptDataset(spec, { point, tasks, ...(hooks.signal ? { signal: hooks.signal } : {}) });
  const result = await trainDpt(be, data, { ...spec.training.dpt, seed: spec.training.seed }, hooks);
  return { result, data: { tasks, trainSamples: data.train.length, valSamples: data.val.length, contextTransitions: data.contextTransitions } };
}
