/**
 * One interface for every policy — baselines, the oracle and (later) the language-model
 * policies: a factory that, given what may be known about a task, returns an Agent.
 */
import type { Rng } from '../core/rng.ts';
import type { Agent, AgentView, OracleSolution, Trajectory } from '../core/types.ts';
import type { TokenizerLike } from '../models/icl/tokens.ts';
import type { LlamaModel } from '../nn/llama.ts';
import type { DptModel } from '../training/dpt-model.ts';

/** A loaded language model, as the language-model policies (icl, sft) use it. */
export interface LanguageModel {
  /** what the user named (a folder, a hub id), for messages and rows. */
  label: string;
  model: LlamaModel;
  tokenizer: TokenizerLike;
  /** the context length (config.json max_position_embeddings). */
  maxPositions: number;
}

export interface PolicyContext {
  view: AgentView;
  /** the k support trajectories of this task. */
  support: Trajectory[];
  /** the policy's own stream (ties, exploration); independent of the environment's stream. */
  rng: Rng;
  /** the task's oracle; given only to factories marked `privileged`. */
  solution?: OracleSolution;
  /** the experiment's language model (with the trained adapter for `adapter` policies); given only to factories marked `languageModel`. */
  lm?: LanguageModel;
  /** the Decision-Pretrained Transformer trained on the experiment's training tasks; given only to factories marked `decisionTransformer`. */
  dpt?: DptModel;
}

export interface PolicyFactory {
  name: string;
  /** true when the policy needs the task's oracle solution (the oracle itself). */
  privileged?: boolean;
  /**
   * The policy needs the experiment's language model (`"model"` in the spec): `base` as loaded
   * (icl), or `adapter`: with a LoRA adapter the runner trains on the experiment's training
   * tasks at each sweep point (sft).
   */
  languageModel?: 'base' | 'adapter';
  /** The policy needs a DPT that the runner trains on the experiment's training tasks at each sweep point. */
  decisionTransformer?: boolean;
  /** a one-line description for the UI. */
  description?: string;
  prepare(ctx: PolicyContext): Agent | Promise<Agent>;
}
