/**
 * `model-card --model DIR [--seed N] [--copy-examples N] [--kv-examples N] [--documents N] [--no-write] [--json]`:
 * measures a model folder's abilities on data generated now with fresh seeds (never training
 * data) — held-out corpus perplexity, second-occurrence copy accuracy, key-value recall — and
 * writes the folder's README.md model card with these figures and the run's pretrain.json.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CpuBackend } from '../../src/nn/cpu/index.ts';
import { parseLlamaConfig } from '../../src/nn/llama-config.ts';
import { loadLlama } from '../../src/nn/llama.ts';
import { renderModelCard, type CardMeasurements } from '../../src/models/pretrain/card.ts';
import { corpusPerplexity, measureAbilities } from '../../src/models/pretrain/evaluate.ts';
import { paramLayout } from '../../src/models/pretrain/params.ts';
import type { PretrainRecord } from '../../src/models/pretrain/run.ts';
import { loadLabTokenizer } from '../../src/models/tokenizer/index.ts';
import { collectExperiment, parseExperimentSpec } from '../../src/experiments/index.ts';
import type { ResultRow } from '../../src/experiments/types.ts';
import { contextLengthOf } from '../../src/models/loader/estimate.ts';
import { CARD_TOKEN_COPY_PROBES, tokenCopyProbes } from '../../src/models/pretrain/evaluate.ts';
import { CliError, positiveInt, printJson, readJsonFile, readSpecFile } from '../io.ts';
import { loadLanguageModelFolder, REPO_ROOT } from '../language-model.ts';
import { progressReporter } from '../progress.ts';
import { asCliError, folder, readBytes } from '../model-io.ts';
import { machineDescription } from './pretrain.ts';

export interface ModelCardArgs {
  model?: string;
  seed?: string;
  copyExamples?: string;
  kvExamples?: string;
  documents?: string;
  seq?: string;
  tokenExamples?: string;
  /** false skips the ICL experiment (quick checks of toy models). */
  icl: boolean;
  write: boolean;
  json: boolean;
}

/** The card's ICL spec (docs/examples/icl-vs-random.json), run on this model; also written to docs by whoever reruns the card. */
export const ICL_CARD_SPEC = 'docs/examples/icl-vs-random.json';

async function iclExperiment(dir: string): Promise<{ spec: string; rows: ResultRow[]; seconds: number }> {
  const spec = readSpecFile(join(REPO_ROOT, ICL_CARD_SPEC), '--icl-spec', parseExperimentSpec);
  const progress = progressReporter('model-card: icl');
  const { rows, summary } = await collectExperiment({ ...spec, model: dir }, {
    loadLanguageModel: (m) => loadLanguageModelFolder(m, '--model'),
    onProgress: (p) => progress.update(p.done, p.total, p.label),
  });
  progress.end();
  return { spec: ICL_CARD_SPEC, rows, seconds: summary.seconds };
}

export async function runModelCard(a: ModelCardArgs): Promise<void> {
  const dir = folder(a.model, '--model');
  const rawConfig = readJsonFile(join(dir, 'config.json'), '--model');
  const config = asCliError('--model', 'config.json', () => parseLlamaConfig(rawConfig));
  // Fresh by default: a seed no training run or earlier card used; --seed repeats a measurement.
  const seed = positiveInt(a.seed, '--seed', 0, 2 ** 30, 100_000 + Math.floor(Math.random() * 2 ** 29));
  const sizes = {
    copyExamples: positiveInt(a.copyExamples, '--copy-examples', 1, 100_000, 200),
    kvExamples: positiveInt(a.kvExamples, '--kv-examples', 1, 100_000, 200),
    corpusDocuments: positiveInt(a.documents, '--documents', 1, 100_000, 300),
    tokenExamples: positiveInt(a.tokenExamples, '--token-examples', 1, 10_000, 20),
  };
  const seqLen = positiveInt(a.seq, '--seq', 16, 8192, 256);
  const be = new CpuBackend();
  const weights = readBytes(dir, 'model.safetensors', '--model');
  const model = asCliError('--model', 'model.safetensors', () => loadLlama(be, config, weights));
  let tok;
  try {
    tok = await loadLabTokenizer(dir);
  } catch (e) {
    throw new CliError(`--model: cannot load the tokenizer of ${dir} (${(e as Error).message})`);
  }
  const seeds = { copy: seed, kv: seed + 1, corpus: seed + 2, tokens: seed + 3 };
  const abilities = await measureAbilities(model, tok, { copySeed: seeds.copy, kvSeed: seeds.kv, copyExamples: sizes.copyExamples, kvExamples: sizes.kvExamples, seqLen });
  const perplexity = await corpusPerplexity(model, tok, { seed: seeds.corpus, documents: sizes.corpusDocuments, seqLen });
  const maxPositions = contextLengthOf(rawConfig as Record<string, unknown>);
  const tokenCopy = await tokenCopyProbes(model, tok.bos, {
    seed: seeds.tokens, examples: sizes.tokenExamples, probes: CARD_TOKEN_COPY_PROBES.filter((p) => p.offset + 2 * p.length + 1 <= maxPositions),
  });
  const icl = a.icl ? await iclExperiment(dir) : null;
  const recordPath = join(dir, 'pretrain.json');
  const record = existsSync(recordPath) ? (JSON.parse(readFileSync(recordPath, 'utf8')) as PretrainRecord) : null;
  const m: CardMeasurements = {
    name: dir.replace(/\/+$/, '').split('/').pop() ?? dir,
    parameters: paramLayout(config).total,
    perplexity, abilities, seeds, sizes, tokenCopy, icl,
    measuredAt: new Date().toISOString().slice(0, 10),
    machine: machineDescription(),
  };
  if (a.write) writeFileSync(join(dir, 'README.md'), renderModelCard(m, rawConfig as Record<string, unknown>, record));
  const summary = {
    model: dir, parameters: m.parameters, seeds, ...sizes,
    perplexity: perplexity.perplexity, corpusLoss: perplexity.loss, corpusTokens: perplexity.tokens,
    copyAccuracy: abilities.copy.accuracy, copyTokens: abilities.copy.total, kvAccuracy: abilities.kv.accuracy, kvTokens: abilities.kv.total,
    tokenCopy: tokenCopy.map((p) => ({ length: p.length, offset: p.offset, accuracy: p.result.accuracy, tokens: p.result.total })),
    icl: icl?.rows.map((r) => ({ horizon: r.point.horizon, policy: r.policy, gap: r.gap, ciLow: r.ciLow, ciHigh: r.ciHigh })) ?? null,
    wrote: a.write ? join(dir, 'README.md') : null,
  };
  if (a.json) {
    printJson(summary);
    return;
  }
  console.log(
    `${m.name}: ${m.parameters} parameters; copy ${(100 * abilities.copy.accuracy).toFixed(1)}% of ${abilities.copy.total} tokens, ` +
      `kv ${(100 * abilities.kv.accuracy).toFixed(1)}% of ${abilities.kv.total}, random tokens ` +
      `${tokenCopy.map((p) => `${p.length}@${p.offset} ${(100 * p.result.accuracy).toFixed(1)}%`).join(' ')}, perplexity ${perplexity.perplexity.toFixed(3)} on ${perplexity.tokens} tokens (seed ${seed})` +
      (a.write ? `; wrote ${summary.wrote}` : ''),
  );
}
