/**
 * The engine's ICL scorer and the `icl` policy on the tiny random model with the lab tokenizer
 * (tests/fixtures/test-model.ts): scores against the log-softmax of full forwards computed
 * independently, the cached path against recomputing, multi-token actions teacher-forced, the
 * context limit refused by name, and `icl` streaming rows through the experiment runner.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { buildTestModel, lastRowLogSoftmax, type TestModel } from '../../../tests/fixtures/test-model.ts';
import { serializePrompt } from '../../core/serialize.ts';
import { collectExperiment } from '../../experiments/run.ts';
import type { LanguageModel } from '../../policies/types.ts';
import { labTokenizerFromJson, type LabTokenizer, type TokenizerConfigJson, type TokenizerJson } from '../tokenizer/index.ts';
import { EngineScorer } from './engine-scorer.ts';

let tiny: TestModel;
let tok: LabTokenizer;
let lm: LanguageModel;

beforeAll(async () => {
  tiny = await buildTestModel({ config: { max_position_embeddings: 4096 } });
  const read = <T>(name: string): T => JSON.parse(new TextDecoder().decode(tiny.files.get(name))) as T;
  tok = labTokenizerFromJson(read<TokenizerJson>('tokenizer.json'), read<TokenizerConfigJson>('tokenizer_config.json'));
  lm = { label: 'tiny', model: tiny.model, tokenizer: tok.hf, maxPositions: 4096 };
});

const reference = (ids: number[]): Promise<Float64Array> => lastRowLogSoftmax(tiny.model, ids);

const support = [
  [{ obs: [3], action: 2, reward: 0.33 }, { obs: [2], action: 0, reward: -0.1 }, { obs: [3], action: 2, reward: 0.33 }],
  [{ obs: [7], action: 2, reward: 0.78 }, { obs: [6], action: 2, reward: 0.67 }, { obs: [5], action: 1, reward: -0.1 }],
];
const episode = [{ obs: [4], action: 2, reward: 0.44 }, { obs: [4], action: 0, reward: -0.1 }, { obs: [5], action: 2, reward: 0.56 }];

describe('EngineScorer', () => {
  it('gives each action the log-probability of a full forward, with and without the cache, feeding only new tokens when cached', async () => {
    const cached = new EngineScorer(tiny.model, tok.hf, { maxPositions: 4096 });
    const fresh = new EngineScorer(tiny.model, tok.hf, { maxPositions: 4096, cache: false });
    let promptTokens = 0;
    for (let t = 0; t < episode.length; t++) {
      const prompt = serializePrompt(support, episode.slice(0, t), episode[t]!.obs);
      const ids = [tok.bos, ...tok.encode(prompt)];
      const ref = await reference(ids);
      const a = await cached.score(prompt, ['0', '1', '2']);
      const b = await fresh.score(prompt, ['0', '1', '2']);
      expect(a.context).toEqual(ids);
      ['0', '1', '2'].forEach((d, i) => {
        const want = ref[tok.encode(d)[0]!]!;
        expect(Math.abs(a.logProbs[i]! - want)).toBeLessThan(1e-5);
        expect(Math.abs(b.logProbs[i]! - a.logProbs[i]!)).toBeLessThan(1e-6);
      });
      promptTokens += ids.length;
    }
    // Recomputing feeds every prompt whole; the cache feeds the first prompt, then each step's
    // new tokens: the length of the last prompt in all.
    expect(fresh.fedTokens).toBe(promptTokens);
    expect(cached.fedTokens).toBe([tok.bos, ...tok.encode(serializePrompt(support, episode.slice(0, 2), episode[2]!.obs))].length);
  });

  it('scores a multi-token action by teacher forcing from the shared context', async () => {
    const scorer = new EngineScorer(tiny.model, tok.hf, { maxPositions: 4096 });
    const prompt = serializePrompt(support, [], [4]);
    const ids = [tok.bos, ...tok.encode(prompt)];
    const [one, zero] = [tok.encode('1')[0]!, tok.encode('0')[0]!];
    const r = await scorer.score(prompt, ['10', '2']);
    expect(r.continuations[0]).toEqual([one, zero]);
    const want = (await reference(ids))[one]! + (await reference([...ids, one]))[zero]!;
    expect(Math.abs(r.logProbs[0]! - want)).toBeLessThan(1e-5);
    expect(Math.abs(r.logProbs[1]! - (await reference(ids))[tok.encode('2')[0]!]!)).toBeLessThan(1e-5);
  });

  it("refuses a prompt longer than the model's context, naming both lengths", async () => {
    const scorer = new EngineScorer(tiny.model, tok.hf, { maxPositions: 40 });
    await expect(scorer.score(serializePrompt(support, episode, [5]), ['0'])).rejects.toThrow(/the prompt is \d+ tokens long but the model reads at most 40 \(its max_position_embeddings\)/);
  });
});

describe('icl in the experiment runner', () => {
  it('streams rows like every other policy, from the model the runner loads for the spec', async () => {
    const asked: (string | undefined)[] = [];
    const spec = { name: 'icl', env: 'energy-mdp', params: { horizon: 3 }, policies: ['random', 'icl'], testTasks: 2, episodes: 2, model: 'some/folder' };
    const { rows } = await collectExperiment(spec, { loadLanguageModel: (m) => (asked.push(m), Promise.resolve(lm)) });
    expect(asked).toEqual(['some/folder']);
    expect(rows.map((r) => r.policy)).toEqual(['random', 'icl']);
    const icl = rows[1]!;
    expect(icl.taskGaps).toHaveLength(2);
    expect(Number.isFinite(icl.gap)).toBe(true);
    // Deterministic: the same spec gives the same row.
    const again = await collectExperiment(spec, { loadLanguageModel: () => Promise.resolve(lm) });
    expect(again.rows[1]!.taskGaps).toEqual(icl.taskGaps);
  });

  it('refuses to run icl without a way to load a model', async () => {
    await expect(collectExperiment({ name: 'x', env: 'energy-mdp', params: { horizon: 3 }, policies: ['icl'], testTasks: 1, episodes: 1 })).rejects.toThrow(
      /icl need a language model/,
    );
  });
});
