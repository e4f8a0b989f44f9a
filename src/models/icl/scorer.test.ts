/**
 * The ICL scorer and policy on an ONNX export run by @huggingface/transformers (local files,
 * onnxruntime-node), against our engine's logits on the same weights: the tiny random Llama of
 * tests/fixtures with the lab tokenizer, and with a GPT-2 style variant whose ` 1` is one token.
 * Prompts are real serialized prompts of every env (random rollouts, 0–2 support lines).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { AutoModelForCausalLM, AutoTokenizer, env, type PreTrainedModel, type PreTrainedTokenizer } from '@huggingface/transformers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useLocalModels, writeOnnxExport } from '../../../tests/fixtures/onnx-folder.ts';
import { buildTestModel, spaceDigitTokenizer, type TestModel } from '../../../tests/fixtures/test-model.ts';
import { Rng } from '../../core/rng.ts';
import { serializePrompt } from '../../core/serialize.ts';
import { simulateEpisode, simulateEpisodeSync } from '../../core/simulate.ts';
import { parseTaskSpec } from '../../core/spec/task-spec.ts';
import { createTask } from '../../core/tasks.ts';
import type { Step, Task, Trajectory } from '../../core/types.ts';
import { publicView } from '../../core/view.ts';
import type { LlamaModel } from '../../nn/llama.ts';
import { parseTokenBatch, runForward } from '../forward.ts';
import { actionStrings, type IclDecision, iclOnnxPolicy } from './policy.ts';
import { ActionScorer, logSoftmaxAt } from './scorer.ts';

const TOL = 1e-4;
const LONG = { max_position_embeddings: 4096 };

interface Loaded {
  test: TestModel;
  hf: PreTrainedModel;
  tok: PreTrainedTokenizer;
}

let root: string;
let lab: Loaded;
let glued: Loaded;

async function exportAndLoad(name: string, test: TestModel): Promise<Loaded> {
  await writeOnnxExport(root, name, test.model, test.config, test.files);
  const hf = await AutoModelForCausalLM.from_pretrained(name, { dtype: 'fp32', device: 'cpu' });
  const tok = await AutoTokenizer.from_pretrained(name);
  return { test, hf, tok };
}

beforeAll(async () => {
  root = mkdtempSync(`${tmpdir()}/lab-icl-`);
  useLocalModels(env, root);
  lab = await exportAndLoad('lab', await buildTestModel({ config: LONG, seed: 5 }));
  glued = await exportAndLoad('glued', await buildTestModel({ config: LONG, seed: 6, tokenizer: spaceDigitTokenizer() }));
});

afterAll(async () => {
  await lab?.hf.dispose();
  await glued?.hf.dispose();
  rmSync(root, { recursive: true, force: true });
});

/** log-softmax (float64) of our engine's logits at each position of `ids`. */
async function engineRows(model: LlamaModel, ids: number[]): Promise<(at: number, id: number) => number> {
  const logits = (await runForward(model, parseTokenBatch({ input_ids: [ids] }, model.config.vocabSize), { grad: false })).get('logits')!.data;
  const V = model.config.vocabSize;
  return (at, id) => logSoftmaxAt(logits, at, V, [id])[0]!;
}

const TASKS: [string, Record<string, unknown>][] = [
  ['energy-mdp', { p: 0.6, horizon: 8 }],
  ['energy-pomdp', { p: 0.5, q: 0.7, horizon: 7, cost: 0.25 }],
  ['energy-apomdp', { p: 0.7, q: 0.8, horizon: 6, K: 2 }],
  ['darkroom', { goal: [3, 2], size: 5, horizon: 9 }],
];

function rollouts(task: Task, n: number, seed: number): Trajectory[] {
  return Array.from({ length: n }, (_, e) => {
    const rng = new Rng(seed, 'icl-test', e);
    return simulateEpisodeSync(task, { act: () => rng.int(task.nActions) }, { seed, taskIndex: 0, episode: e }).steps;
  });
}

/** Real prompts: every env, support 0/1/2 lines, query at the first, a middle and the last step. */
function realPrompts(): { env: string; prompt: string; nActions: number }[] {
  const out: { env: string; prompt: string; nActions: number }[] = [];
  TASKS.forEach(([env, params], i) => {
    const task = createTask(parseTaskSpec({ env, params, seed: 30 + i }));
    const [s1, s2, ep] = rollouts(task, 3, 40 + i) as [Trajectory, Trajectory, Trajectory];
    const support = [[], [s1], [s1, s2]][i % 3]!;
    for (const t of [0, Math.floor(ep.length / 2), ep.length - 1]) out.push({ env, prompt: serializePrompt(support, ep.slice(0, t), ep[t]!.obs), nActions: task.nActions });
  });
  return out;
}

describe('action log-probabilities = log-softmax of our engine at the action tokens', () => {
  it('lab tokenizer: one forward of the prompt, every action one token after it', async () => {
    const scorer = new ActionScorer(lab.hf, lab.tok, { chunk: 4096 });
    let worst = 0;
    for (const { env, prompt, nActions } of realPrompts()) {
      const actions = actionStrings(nActions);
      const r = await scorer.score(prompt, actions);
      // The context is the whole prompt (BOS first), each action exactly one token.
      expect(r.context).toEqual(lab.tok.encode(prompt));
      expect(r.continuations.every((c) => c.length === 1)).toBe(true);
      expect(r.forwards).toBe(1);
      const at = await engineRows(lab.test.model, r.context);
      const want = r.continuations.map((c) => at(r.context.length - 1, c[0]!));
      for (const [a, lp] of r.logProbs.entries()) {
        worst = Math.max(worst, Math.abs(lp - want[a]!));
        expect(lp, `${env} action ${a}`).toBeCloseTo(want[a]!, 4);
      }
    }
    console.log(`lab tokenizer: worst |scorer − engine| = ${worst.toExponential(2)}`);
    expect(worst).toBeLessThanOrEqual(TOL);
  });

  it('a chunked cache fill (32 tokens per forward) gives the same numbers', async () => {
    const one = new ActionScorer(lab.hf, lab.tok, { chunk: 4096 });
    const chunked = new ActionScorer(lab.hf, lab.tok, { chunk: 32 });
    const { prompt, nActions } = realPrompts().at(-1)!;
    const a = await one.score(prompt, actionStrings(nActions));
    const b = await chunked.score(prompt, actionStrings(nActions));
    expect(b.forwards).toBe(Math.ceil(b.context.length / 32));
    expect(b.forwards).toBeGreaterThan(2);
    for (const [i, lp] of b.logProbs.entries()) expect(Math.abs(lp - a.logProbs[i]!)).toBeLessThanOrEqual(TOL);
  });

  it('GPT-2 style tokenizer (` 1` is one token): scores ` a` after `>`, not `a` after a lone space', async () => {
    const scorer = new ActionScorer(glued.hf, glued.tok);
    const space = glued.tok.encode(' ', { add_special_tokens: false });
    expect(space).toHaveLength(1);
    let gap = 0;
    for (const { prompt, nActions } of realPrompts()) {
      const actions = actionStrings(nActions);
      const promptIds = glued.tok.encode(prompt);
      expect(promptIds.at(-1)).toBe(space[0]); // the prompt ends with the lone-space token
      const r = await scorer.score(prompt, actions);
      expect(r.context).toEqual(promptIds.slice(0, -1));
      expect(r.continuations).toEqual(actions.map((a) => glued.tok.encode(` ${a}`, { add_special_tokens: false })));
      expect(r.continuations.every((c) => c.length === 1)).toBe(true);
      const at = await engineRows(glued.test.model, promptIds);
      for (const [a, lp] of r.logProbs.entries()) {
        expect(Math.abs(lp - at(r.context.length - 1, r.continuations[a]![0]!))).toBeLessThanOrEqual(TOL);
        // Control: the naive reading (after the lone space) is a different distribution.
        gap = Math.max(gap, Math.abs(lp - at(promptIds.length - 1, r.continuations[a]![0]!)));
      }
    }
    expect(gap).toBeGreaterThan(1e-3);
  });

  it('refuses a prompt longer than the model reads, naming both lengths', async () => {
    const { prompt, nActions } = realPrompts().at(-1)!;
    const n = lab.tok.encode(prompt).length;
    await expect(new ActionScorer(lab.hf, lab.tok, { maxPositions: n }).score(prompt, actionStrings(nActions))).resolves.toBeDefined();
    await expect(new ActionScorer(lab.hf, lab.tok, { maxPositions: n - 1 }).score(prompt, actionStrings(nActions))).rejects.toThrow(`the prompt is ${n} tokens long but the model reads at most ${n - 1}`);
  });
});

describe('multi-token actions: teacher forcing', () => {
  const ACTIONS = ['10', '11', '2', '123'];

  async function direct(model: LlamaModel, context: number[], cont: number[]): Promise<number> {
    const at = await engineRows(model, [...context, ...cont]);
    return cont.reduce((s, id, j) => s + at(context.length - 1 + j, id), 0);
  }

  for (const useCache of [true, false]) {
    it(`${useCache ? 'from the context cache, candidate by candidate' : 'full sequences, right-padded and batched'} = the engine's teacher-forced sum`, async () => {
      const scorer = new ActionScorer(lab.hf, lab.tok, { useCache, chunk: 100, maxBatch: 3 });
      expect(scorer.usesCache).toBe(useCache);
      for (const { prompt } of realPrompts().slice(0, 6)) {
        const r = await scorer.score(prompt, ACTIONS);
        expect(r.context).toEqual(lab.tok.encode(prompt));
        // Digits are single tokens: '10' and '11' share their first token, which is still scored.
        expect(r.continuations.map((c) => c.length)).toEqual([2, 2, 1, 3]);
        expect(r.continuations[0]![0]).toBe(r.continuations[1]![0]);
        expect(r.forwards).toBe(useCache ? Math.ceil(r.context.length / 100) + 3 : 2);
        for (const [a, c] of r.continuations.entries()) {
          const want = await direct(lab.test.model, r.context, c);
          expect(Math.abs(r.logProbs[a]! - want), `action ${ACTIONS[a]}`).toBeLessThanOrEqual(TOL);
        }
      }
    });
  }
});

describe('the icl-onnx policy', () => {
  it('acts by the argmax of the engine log-probabilities over whole episodes of every env', async () => {
    const scorer = new ActionScorer(lab.hf, lab.tok);
    const chosen = new Set<number>();
    let decisions = 0;
    for (const [i, [env, params]] of TASKS.entries()) {
      const task = createTask(parseTaskSpec({ env, params, seed: 60 + i }));
      const support = rollouts(task, 2, 70 + i);
      const seen: IclDecision[] = [];
      const agent = await iclOnnxPolicy(scorer, { onDecision: (d) => seen.push(d) }).prepare({ view: publicView(task), support, rng: new Rng(1, 'unused') });
      const ep = await simulateEpisode(task, agent, { seed: 80 + i, taskIndex: 0, episode: 0 });
      expect(seen).toHaveLength(ep.steps.length);
      for (const [t, d] of seen.entries()) {
        expect(d.prompt).toBe(serializePrompt(support, ep.steps.slice(0, t), ep.steps[t]!.obs));
        const ids = lab.tok.encode(d.prompt);
        const at = await engineRows(lab.test.model, ids);
        const engine = actionStrings(task.nActions).map((a) => at(ids.length - 1, lab.tok.encode(a, { add_special_tokens: false })[0]!));
        const best = engine.indexOf(Math.max(...engine));
        expect(ep.steps[t]!.action, `${env} step ${t + 1}`).toBe(best);
        chosen.add(best);
        decisions++;
      }
    }
    expect(decisions).toBeGreaterThan(20);
    // Not a constant policy: the comparison above could catch a wrong choice.
    expect(chosen.size).toBeGreaterThan(1);
  });

  it('breaks ties by the lowest index and serializes support + history + observation', async () => {
    const prompts: string[] = [];
    const table = [[-1, -0.5, -0.5], [-0.2, -0.2, -0.2], [-3, -2, -1], [-0.5, -0.7, -0.5]];
    const stub = { score: async (prompt: string) => ({ logProbs: table[prompts.push(prompt) - 1]! }) };
    const support: Trajectory[] = [[{ obs: [2], action: 1, reward: -0.25 }]];
    const view = { env: 'energy-mdp' as const, nActions: 3, horizon: 4, gamma: 1, known: {} };
    const agent = await iclOnnxPolicy(stub).prepare({ view, support, rng: new Rng(1, 'unused') });
    const history: Step[] = [];
    const got: number[] = [];
    for (let t = 0; t < table.length; t++) {
      const a = await agent.act(history, [t]);
      got.push(a);
      history.push({ obs: [t], action: a, reward: 0.5 });
    }
    expect(got).toEqual([1, 0, 2, 0]);
    expect(prompts).toEqual(table.map((_, t) => serializePrompt(support, history.slice(0, t), [t])));
  });
});
