/**
 * `icl` and `sft` (DESIGN §1, §4) on the project's engine. The experiment's language model (for
 * sft with its fine-tuned adapter) reads the k support trajectories and the episode so far and
 * takes its most probable action, scoring only the action tokens. One KV-cached scorer per loaded model serves every
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

/**
 * Frees the scorer of `lm` (its KV cache's backend buffers) once nothing will score with it
 * again: the runner's adapted model of a finished sweep point. On WebGPU those are GPU buffers
 * that garbage collection would release late or never.
 */
export function releaseScorer(lm: LanguageModel): void {
  scorers.get(lm)?.dispose();
  scorers.delete(lm);
}

export const SFT_POLICY = 'sft';

const DESCRIPTIONS = {
  icl: 'In-context learning: the lab\'s language model reads the support trajectories and the episode so far and takes its most probable action (no training; runs the model on this device).',
  sft: 'The same language model after QLoRA fine-tuning on the training tasks\' oracle trajectories, prompted and scored exactly as icl.',
};

/**
 * `icl` (the model as loaded) or `sft` (the model with the adapter the runner trained): the same
 * prompt, the same scoring, the same cached path; only the weights differ.
 */
export function makeLmPolicy(name: typeof ICL_POLICY | typeof SFT_POLICY, o: { onDecision?: (d: IclDecision) => void } = {}): PolicyFactory {
  return {
    name,
    languageModel: name === SFT_POLICY ? 'adapter' : 'base',
    description: DESCRIPTIONS[name],
    prepare({ view, support, lm }) {
      if (!lm) throw new Error(`${name}: no language model was given (the experiment runner loads the spec's "model")`);
      return promptAgent(view, support, engineScorer(lm), o.onDecision);
    },
  };
}

export const iclPolicy: PolicyFactory = makeLmPolicy(ICL_POLICY);
export const sftPolicy: PolicyFactory = makeLmPolicy(SFT_POLICY);
