/**
 * The shipped model (public/models/<SHIPPED_MODEL_NAME>/), offline, from the repository alone:
 *  - it loads through the app's own loader (the local-folder path the Model tab uses), its
 *    tokenizer through @huggingface/transformers, and a forward runs on it;
 *  - it really copies in context: greedy accuracy on the second occurrence of random token
 *    sequences from its whole vocabulary (50, 300 and 650 tokens from the start of the context,
 *    300 at its end) must be ≥ 90 % (MIN_COPY_ACCURACY), and on the corpus's `copy: … again:` format too;
 *  - as the `icl` policy it beats the random policy on energy-mdp at H = 5, 10 and 20 (DESIGN §5),
 *    with non-overlapping 95 % intervals.
 *  A missing folder fails.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { CpuBackend } from '../../nn/cpu/index.ts';
import { copyEvalSet } from '../corpus/index.ts';
import { generate } from '../generate.ts';
import { asLanguageModel, type LoadedModel, loadModel } from '../loader/load.ts';
import { directoryReader } from '../loader/node.ts';
import { MIN_COPY_ACCURACY, SHIPPED_MODEL_NAME } from './card.ts';
import { corpusPerplexity, exampleAccuracy, lossByPosition, tokenCopyProbes } from './evaluate.ts';
import { collectExperiment } from '../../experiments/run.ts';
import { loadLabTokenizer } from '../tokenizer/index.ts';

const MODELS = join(import.meta.dirname, '../../../public/models');
const DIR = join(MODELS, SHIPPED_MODEL_NAME);
/**
 * Issue 8's gate: random-token copying at several lengths, reaching past position 1,000 (650
 * tokens written twice end at 1,300) and to the end of the trained context (300 tokens after
 * 1,440 random ones end at 2,040). On seeds 424,242 / 1 / 2 (6 sequences each) lab-lm-160k-v2
 * measured 98.6 / 98.3 / 97.6 % (50), 98.5 / 98.6 / 98.3 % (300), 94.1 / 94.2 / 93.8 % (650) and
 * 91.5 / 91.8 / 92.2 % (300 after 1,440). Not gated: short sequences late in the context (10 tokens
 * after 2,020 random ones: 56–66 % on its cards), which DESIGN §5 does not ask for.
 */
const TOKEN_COPY_GATES = [{ length: 50, offset: 0 }, { length: 300, offset: 0 }, { length: 650, offset: 0 }, { length: 300, offset: 1440 }] as const;
/** A seed used by no training run, the in-training evaluation or the model card's defaults. */
const TEST_SEED = 424_242;

describe(`shipped model public/models/${SHIPPED_MODEL_NAME}`, () => {
  it('is in the folder and listed in public/models/index.json', () => {
    for (const f of ['config.json', 'model.safetensors', 'tokenizer.json', 'tokenizer_config.json', 'README.md', 'pretrain.json']) {
      expect(existsSync(join(DIR, f)), `${f} in ${DIR}`).toBe(true);
    }
    const index = JSON.parse(readFileSync(join(MODELS, 'index.json'), 'utf8')) as { models: { name: string }[] };
    expect(index.models.map((m) => m.name)).toContain(SHIPPED_MODEL_NAME);
  });

  // Loaded once, through the app's own loader (the local-folder path the Model tab uses).
  const stages: string[] = [];
  let loaded: LoadedModel;
  beforeAll(async () => {
    loaded = await loadModel({ kind: 'local', location: DIR, name: SHIPPED_MODEL_NAME }, {
      backend: new CpuBackend(), folder: directoryReader, onEvent: (e) => {
        if (e.type === 'stage') stages.push(e.stage);
      },
    });
  });

  /**
   * Whole sequences by greedy generation, which feeds the model its own output: one wrong token
   * derails the rest, so this rate sits well below the per-token accuracy (99 % on the card).
   * lab-lm-160k-v2 copied 7 / 7 / 9 of 10 on seeds 424,242 / 1 / 2.
   */
  it('loads through the app loader offline; transformers.js tokenizes; greedy generation copies most fresh sequences whole', async () => {
    expect(loaded.tokenizer.constructor.name).toMatch(/Tokenizer/);
    expect(loaded.info.parameters).toBeGreaterThan(100_000);
    const copied: string[] = [];
    for (const e of copyEvalSet({ seed: TEST_SEED, examples: 10 })) {
      const [start] = e.spans[0]!;
      const head = e.text.slice(0, start);
      expect(loaded.tokenizer.encode(head, { add_special_tokens: false }).length).toBeGreaterThan(10);
      const out = await generate(loaded.model, loaded.tokenizer, head, { n: 60, contextLength: 2048 });
      expect(out.next[0]!.prob).toBeGreaterThan(0);
      expect(out.next[0]!.prob).toBeLessThanOrEqual(1);
      if (out.text.startsWith(e.text.slice(start))) copied.push(e.text.slice(start));
    }
    expect(copied.length, `copied whole: ${JSON.stringify(copied)}`).toBeGreaterThanOrEqual(5);
    expect(stages).toContain('ready');
  }, 60_000);

  it(`copies in context: second-occurrence accuracy ≥ ${100 * MIN_COPY_ACCURACY} % on fresh sequences`, async () => {
    const tok = await loadLabTokenizer(DIR);
    const r = await exampleAccuracy(loaded.model, tok, copyEvalSet({ seed: TEST_SEED, examples: 12 }), 256);
    expect(r.total).toBeGreaterThan(200);
    expect(r.accuracy, `copy accuracy ${(100 * r.accuracy).toFixed(1)} % on ${r.total} tokens (seed ${TEST_SEED})`).toBeGreaterThanOrEqual(MIN_COPY_ACCURACY);
  });

  it(`copies random token sequences ≥ ${100 * MIN_COPY_ACCURACY} %: ${TOKEN_COPY_GATES.map((g) => `${g.length} tokens after ${g.offset}`).join(', ')}`, async () => {
    const tok = await loadLabTokenizer(DIR);
    const probes = await tokenCopyProbes(loaded.model, tok.bos, { seed: TEST_SEED, examples: 6, probes: TOKEN_COPY_GATES });
    expect(Math.max(...probes.map((p) => p.lastPosition))).toBe(2040);
    for (const p of probes) {
      const r = p.result;
      expect(r.accuracy, `${p.length} random tokens at positions ${p.firstPosition}–${p.lastPosition}: ${(100 * r.accuracy).toFixed(1)} % of ${r.total}`).toBeGreaterThanOrEqual(MIN_COPY_ACCURACY);
    }
  }, 60_000);

  it('loss by position: ranges 1–127, 128–255 of 256-token rows, whose token-weighted mean is the corpus loss of the same rows', async () => {
    const tok = await loadLabTokenizer(DIR);
    const o = { seed: TEST_SEED, documents: 30, seqLen: 256 };
    const ranges = await lossByPosition(loaded.model, tok, { ...o, rows: 1000 });
    expect(ranges.map((r) => [r.from, r.to])).toEqual([[1, 128], [128, 256]]);
    const whole = await corpusPerplexity(loaded.model, tok, o);
    expect(ranges.reduce((a, r) => a + r.tokens, 0)).toBe(whole.tokens);
    expect(ranges.reduce((a, r) => a + r.loss * r.tokens, 0) / whole.tokens).toBeCloseTo(whole.loss, 5);
  });

  it('as icl, beats the random policy at H = 5, 10 and 20 on energy-mdp, with non-overlapping 95 % intervals', async () => {
    const lm = asLanguageModel(loaded);
    const spec = {
      name: 'shipped-icl', env: 'energy-mdp', params: { levels: 10, cost: 0.1 }, sweep: { param: 'horizon', values: [5, 10, 20] },
      policies: ['random', 'icl'], testTasks: 20, episodes: 3, seed: TEST_SEED,
    };
    const { rows } = await collectExperiment(spec, { loadLanguageModel: () => Promise.resolve(lm) });
    const pct = (x: number): string => (100 * x).toFixed(1);
    for (const h of [5, 10, 20]) {
      const random = rows.find((r) => r.policy === 'random' && r.point.horizon === h)!;
      const icl = rows.find((r) => r.policy === 'icl' && r.point.horizon === h)!;
      expect(icl.ciHigh, `H = ${h}: icl ${pct(icl.gap)} % [${pct(icl.ciLow)}, ${pct(icl.ciHigh)}] vs random ${pct(random.gap)} % [${pct(random.ciLow)}, ${pct(random.ciHigh)}]`).toBeLessThan(random.ciLow);
    }
  }, 300_000);
});
