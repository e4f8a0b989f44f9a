/**
 * `dpt` (DESIGN §1, §9): the Decision-Pretrained Transformer the runner trained on the
 * experiment's training tasks. It reads the k support trajectories' transitions as its context
 * and, at each step, the query (o_t, t); it takes its most probable action (ties to the lowest
 * index). The context is featurized once per task; a decision is one forward pass of 1 + k·H
 * token vectors through a model of a few ten thousand parameters.
 */
import { argmaxLowest } from '../models/icl/scorer.ts';
import { Tape } from '../nn/tape.ts';
import { contextVectors, dptShape, featureWidth, sequenceVectors } from '../training/dpt-features.ts';
import type { DptModel } from '../training/dpt-model.ts';
import type { PolicyFactory } from './types.ts';

export const DPT_POLICY = 'dpt';

export interface DptDecision {
  t: number;
  /** the softmax over actions at the last context position. */
  probabilities: number[];
  action: number;
}

/** The model's action distribution for observation `obs` at step t, after `support`. */
export async function dptProbabilities(model: DptModel, context: Float32Array, obs: readonly number[], t: number): Promise<number[]> {
  const shape = model.config.shape;
  const x = sequenceVectors(shape, context, obs, t);
  const seq = x.length / featureWidth(shape);
  const tape = new Tape(model.backend);
  tape.gradEnabled = false;
  const logits = model.logits(tape, x, 1, seq);
  const all = await model.backend.read(logits.buf);
  tape.reset();
  const last = Array.from(all.subarray((seq - 1) * shape.nActions, seq * shape.nActions));
  const max = Math.max(...last);
  const e = last.map((v) => Math.exp(v - max));
  const z = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / z);
}

export function makeDptPolicy(o: { onDecision?: (d: DptDecision) => void } = {}): PolicyFactory {
  return {
    name: DPT_POLICY,
    decisionTransformer: true,
    description: 'Decision-Pretrained Transformer: a small transformer trained from scratch on the training tasks reads the support transitions and acts on the current observation and time step.',
    prepare({ view, support, dpt }) {
      if (!dpt) throw new Error('dpt: no trained model was given (the experiment runner trains one per sweep point)');
      const want = dptShape(view);
      const have = dpt.config.shape;
      if (want.env !== have.env || want.nActions !== have.nActions || want.obsSizes.join() !== have.obsSizes.join()) {
        throw new Error(`dpt: the model was trained on ${have.env} (observations ${have.obsSizes.join('×')}, ${have.nActions} actions), this task is ${want.env} (${want.obsSizes.join('×')}, ${want.nActions})`);
      }
      const context = contextVectors(have, support);
      // Positions past the trained context were never seen (the same rule as a language model's max_position_embeddings).
      const transitions = context.length / featureWidth(have);
      if (transitions > dpt.config.contextTransitions) {
        throw new Error(`dpt: this task's support has ${transitions} transitions, over the ${dpt.config.contextTransitions} the model was trained on (context_transitions); use as many support trajectories and as long a horizon as in training`);
      }
      return {
        async act(history, obs) {
          const t = history.length;
          const probabilities = await dptProbabilities(dpt, context, obs, t);
          const action = argmaxLowest(probabilities);
          o.onDecision?.({ t, probabilities, action });
          return action;
        },
      };
    },
  };
}

export const dptPolicy: PolicyFactory = makeDptPolicy();
