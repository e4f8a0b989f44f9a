/**
 * The DPT dataset (DESIGN §9): the same training examples as SFT (experiments/dataset.ts — per
 * training task its episodes, each with k fresh support trajectories), read as the DPT reads a
 * task. Each step t of an episode is one sample: the context is the example's support
 * transitions, the query is (o_t, t), the label is the oracle's action there. Split by task into
 * training and validation (the last 10 % of training tasks), like SFT.
 */
import { publicView } from '../core/view.ts';
import { datasetPoint, type DatasetOptions, trainingExamples, trainingTask, validationTaskCount } from '../experiments/dataset.ts';
import { parseExperimentSpec } from '../experiments/spec.ts';
import { contextVectors, dptShape, featureWidth, sequenceVectors, type DptShape } from './dpt-features.ts';

/** One episode's worth of samples: a shared context and its queries. */
export interface DptEpisode {
  task: number;
  /** the support transitions, [n · width]. */
  context: Float32Array;
  transitions: number;
  queries: { obs: number[]; t: number; label: number }[];
}

export interface DptSample {
  episode: DptEpisode;
  query: number;
}

export interface DptDataset {
  shape: DptShape;
  train: DptSample[];
  val: DptSample[];
  /** the most transitions in one context (the model's context length, plus one for the query). */
  contextTransitions: number;
  tasks: number;
}

export async function buildDptDataset(input: unknown, o: DatasetOptions & { tasks: number }): Promise<DptDataset> {
  const spec = parseExperimentSpec(input);
  const { params } = datasetPoint(spec, o.point);
  const shape = dptShape(publicView(trainingTask(spec, params, 0)));
  const firstVal = o.tasks - validationTaskCount(o.tasks);
  const train: DptSample[] = [];
  const val: DptSample[] = [];
  let longest = 0;
  for await (const ex of trainingExamples(spec, o)) {
    const context = contextVectors(shape, ex.support);
    const transitions = context.length / featureWidth(shape);
    longest = Math.max(longest, transitions);
    const episode: DptEpisode = { task: ex.task, context, transitions, queries: ex.steps.map((s, t) => ({ obs: s.obs, t, label: ex.oracleActions[t]! })) };
    const into = ex.task >= firstVal ? val : train;
    episode.queries.forEach((_, q) => into.push({ episode, query: q }));
  }
  return { shape, train, val, contextTransitions: longest, tasks: o.tasks };
}

/** A batch as the model takes it: token vectors [B · T · width], T = 1 + the longest context, shorter ones padded at the end and masked. */
export interface DptBatch {
  x: Float32Array;
  batch: number;
  seq: number;
  targets: number[];
  mask: number[];
  /** counted targets (every real position: every context length predicts the label). */
  count: number;
}

export function dptBatch(shape: DptShape, samples: readonly DptSample[]): DptBatch {
  const width = featureWidth(shape);
  const seq = 1 + Math.max(...samples.map((s) => s.episode.transitions));
  const x = new Float32Array(samples.length * seq * width);
  const targets: number[] = [];
  const mask: number[] = [];
  samples.forEach((s, b) => {
    const q = s.episode.queries[s.query]!;
    x.set(sequenceVectors(shape, s.episode.context, q.obs, q.t), b * seq * width);
    const real = 1 + s.episode.transitions;
    for (let t = 0; t < seq; t++) {
      targets.push(q.label);
      mask.push(t < real ? 1 : 0);
    }
  });
  return { x, batch: samples.length, seq, targets, mask, count: mask.reduce((a, b) => a + b, 0) };
}
