/**
 * In-context learning with an ONNX causal LM as a policy (DESIGN §4): at each step the prompt is
 * the task's support trajectories, one per line, then the episode so far ending with `<A_t> `;
 * the scorer gives each action's log-probability there, and the policy takes the most probable,
 * ties to the lowest index. Deterministic: the policy's rng is not used.
 *
 * Not registered in src/policies/registry.ts's built-ins: a factory holds a loaded model, so the
 * app's ICL worker (and any CLI command that loads a model) registers it at run time.
 */
import { serializePrompt } from '../../core/serialize.ts';
import type { Agent, AgentView, Step, Trajectory } from '../../core/types.ts';
import type { PolicyFactory } from '../../policies/types.ts';
import { type ActionScores, argmaxLowest } from './scorer.ts';

export const ICL_ONNX_POLICY = 'icl-onnx';

/** What the policy needs from a scorer (ActionScorer, or a stub in tests). */
export interface PromptScorer {
  score(prompt: string, actions: readonly string[]): Promise<Pick<ActionScores, 'logProbs'>>;
}

/** One decision, for display: the prompt, every action's log-probability and the choice. */
export interface IclDecision {
  t: number;
  prompt: string;
  logProbs: number[];
  action: number;
}

/** Actions print as their index (serializeStep: `<A_t> ${action}`). */
export function actionStrings(nActions: number): string[] {
  return Array.from({ length: nActions }, (_, a) => String(a));
}

export interface IclPolicyOptions {
  name?: string;
  description?: string;
  /** called after every decision (the UI shows the log-probabilities; progress counts steps). */
  onDecision?: (d: IclDecision) => void;
}

/**
 * The agent every language-model policy plays (icl-onnx, icl, sft): at each step the prompt of
 * DESIGN §4, the scorer's log-probability for each action there, the most probable action.
 */
export function promptAgent(view: AgentView, support: readonly Trajectory[], scorer: PromptScorer, onDecision?: (d: IclDecision) => void): Agent {
  const actions = actionStrings(view.nActions);
  return {
    async act(history: readonly Step[], obs: readonly number[]): Promise<number> {
      const prompt = serializePrompt(support, history, obs);
      const { logProbs } = await scorer.score(prompt, actions);
      if (logProbs.length !== actions.length) throw new Error(`ICL policy: the scorer gave ${logProbs.length} scores for ${actions.length} actions`);
      const action = argmaxLowest(logProbs);
      onDecision?.({ t: history.length + 1, prompt, logProbs: [...logProbs], action });
      return action;
    },
  };
}

export function iclOnnxPolicy(scorer: PromptScorer, o: IclPolicyOptions = {}): PolicyFactory {
  return {
    name: o.name ?? ICL_ONNX_POLICY,
    description: o.description ?? 'In-context learning: an ONNX causal LM reads the support trajectories and the episode so far and takes its most probable action.',
    prepare: ({ view, support }) => promptAgent(view, support, scorer, o.onDecision),
  };
}
