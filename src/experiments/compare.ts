/**
 * Several policies on one task, one episode, side by side (DESIGN §10: "watches ICL, SFT and DPT
 * act on the same task, seed and noise"). Every policy plays the same evaluation episode of the
 * one pipeline (task-context.ts: common random numbers, so the same initial state and the same
 * noise), and each decision is recorded with what the policy thought of every action and with
 * what the oracle would have done at that very point of that policy's own history.
 */
import type { Agent, Step, Task } from '../core/types.ts';
import { Rng } from '../core/rng.ts';
import { makeDptPolicy } from '../policies/dpt.ts';
import { makeLmPolicy, ICL_POLICY, SFT_POLICY } from '../policies/icl.ts';
import type { LanguageModel, PolicyFactory } from '../policies/types.ts';
import type { DptModel } from '../training/dpt-model.ts';
import { playEpisode, prepareAgent, type TaskContext } from './task-context.ts';

export interface ComparedStep {
  t: number;
  obs: number[];
  action: number;
  /** the policy's distribution over actions at this step; null for a rule that has none. */
  probabilities: number[] | null;
  /** the oracle's action at this step of this policy's history. */
  oracleAction: number;
  /** every action that does exactly what the oracle's does (energy's two charge actions are duplicates). */
  oracleEquivalents: number[];
  /** the policy's action is one of them. */
  agrees: boolean;
  reward: number;
  /** discounted return up to and including this step. */
  cumulative: number;
}

export interface ComparedEpisode {
  policy: string;
  steps: ComparedStep[];
  /** hidden states (energy) or positions (darkroom) the episode went through. */
  latent: number[];
  return: number;
}

export interface CompareEntry {
  factory: PolicyFactory;
  trained?: { lm?: LanguageModel; dpt?: DptModel };
}

/** Probabilities a policy states, by policy name: language models and the DPT report theirs; random is uniform. */
function recorded(factory: PolicyFactory, nActions: number, sink: (p: number[]) => void): PolicyFactory {
  if (factory.name === ICL_POLICY || factory.name === SFT_POLICY) {
    return makeLmPolicy(factory.name, {
      onDecision: (d) => {
        const max = Math.max(...d.logProbs);
        const e = d.logProbs.map((l) => Math.exp(l - max));
        const z = e.reduce((a, b) => a + b, 0);
        sink(e.map((v) => v / z));
      },
    });
  }
  if (factory.decisionTransformer) return makeDptPolicy({ onDecision: (d) => sink(d.probabilities) });
  if (factory.name === 'random') {
    return { ...factory, prepare: async (ctx) => {
      const agent = await factory.prepare(ctx);
      return { act: (h, o) => (sink(Array.from({ length: nActions }, () => 1 / nActions)), agent.act(h, o)) };
    } };
  }
  return factory;
}

/**
 * Each action's class: the lowest action with the same rewards and the same transitions under
 * every model. Two actions of one class are the same choice (energy's charge and its exact
 * duplicate), so taking either agrees with an oracle that took the other.
 */
export function actionClasses(task: Task): number[] {
  const A = task.nActions;
  if (task.kind !== 'energy') return Array.from({ length: A }, (_, a) => a);
  const S = task.nStates;
  const same = (a: number, b: number) => {
    for (let x = 0; x < S; x++) if (task.reward[x * A + a] !== task.reward[x * A + b]) return false;
    return task.models.every((m) => {
      for (let i = 0; i < S * S; i++) if (m.transition[a * S * S + i] !== m.transition[b * S * S + i]) return false;
      return true;
    });
  };
  const classes: number[] = [];
  for (let a = 0; a < A; a++) classes.push(classes.find((c) => same(c, a)) ?? a);
  return classes;
}

/** Episode `episode` (under ambiguity model `model`) of every entry's policy, with the oracle's choice at each step. */
export async function compareEpisodes(ctx: TaskContext, entries: readonly CompareEntry[], episode: number, model = 0): Promise<ComparedEpisode[]> {
  const { nActions } = ctx.task;
  const cls = actionClasses(ctx.task);
  const gamma = ctx.task.kind === 'energy' ? ctx.task.params.gamma : 1;
  const out: ComparedEpisode[] = [];
  for (const { factory, trained } of entries) {
    const probs: (number[] | null)[] = [];
    const oracleActions: number[] = [];
    let pending: number[] | null = null;
    const inner = await prepareAgent(ctx, recorded(factory, nActions, (p) => (pending = p)), trained ?? {}, ['policy', factory.name, episode]);
    // A fresh oracle per policy, asked at every step of this policy's own history (its stream is
    // separate, so asking it changes nothing the policy sees).
    const oracle = ctx.solution.agent(new Rng(ctx.seed, 'compare-oracle', factory.name, episode));
    const agent: Agent = {
      async act(history: readonly Step[], obs: readonly number[]) {
        pending = null;
        const a = await inner.act(history, obs);
        probs.push(pending);
        oracleActions.push(await oracle.act(history, obs));
        return a;
      },
    };
    const ep = await playEpisode(ctx, agent, episode, model);
    let acc = 0;
    out.push({
      policy: factory.name,
      latent: ep.latent,
      return: ep.return,
      steps: ep.steps.map((s, t) => ({
        t,
        obs: [...s.obs],
        action: s.action,
        probabilities: probs[t] ?? null,
        oracleAction: oracleActions[t]!,
        oracleEquivalents: cls.flatMap((c, a) => (c === cls[oracleActions[t]!] ? [a] : [])),
        agrees: cls[s.action] === cls[oracleActions[t]!],
        reward: s.reward,
        cumulative: (acc += gamma ** t * s.reward),
      })),
    });
  }
  return out;
}
