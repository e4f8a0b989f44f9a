/**
 * `icl` (DESIGN §1, §4): in-context learning on the project's engine. The experiment's language
 * model reads the k support trajectories and the episode so far and takes its most probable
 * action, scoring only the action tokens. One KV-cached scorer per loaded model serves every
 * agent, so a decision costs the tokens of one step, and a new episode of the same task reuses
 * the support trajectories already in the cache.
 */
import { EngineScorer } from '../models/icl/engine-scorer.ts';
import { type IclDecision, promptAgent } from '../models/icl/policy.ts';
import type { LanguageModel, PolicyFactory } from './types.ts';

export const ICL_POLICY = 'icl';

const scorers = new WeakMap<LanguageModel, EngineScorer>();

/** The model's shared scorer (made on first use). */
export function engineScorer(lm: LanguageModel): EngineScorer {
  let s = scorers.get(lm);
  if (!s) {
    s = new EngineScorer(lm.model, lm.tokenizer, { maxPositions: lm.maxPositions });
    scorers.set(lm, s);
  }
  return s;
}

export function makeIclPolicy(o: { onDecision?: (d: IclDecision) => void } = {}): PolicyFactory {
  return {
    name: ICL_POLICY,
    languageModel: true,
    description: 'In-context learning: the language model reads the support trajectories and the episode so far and takes its most probable action (no training).',
    prepare({ view, support, lm }) {
      if (!lm) throw new Error('icl: no language model was given (the experiment runner loads the spec\'s "model")');
      return promptAgent(view, support, engineScorer(lm), o.onDecision);
    },
  };
}

export const iclPolicy: PolicyFactory = makeIclPolicy();
