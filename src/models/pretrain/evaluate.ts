/**
 * The measured abilities of a language model (the model card's figures and the training curve):
 * perplexity on held-out corpus text, second-occurrence copy accuracy and key-value recall on
 * freshly generated sets (corpus/eval.ts). Greedy accuracy is argmax of the next-token logits
 * at each measured position, scored by corpus/pack.ts's maskedAccuracy.
 */
import type { LlamaModel } from '../../nn/llama.ts';
import { nextTokenTargets } from '../../nn/ops.ts';
import { Tape } from '../../nn/tape.ts';
import {
  argmaxPredictions, copyEvalSet, corpusDocuments, type DocKind, type EvalExample, kvEvalSet, maskedAccuracy, packExamples, packStream,
  type TokenBatch, type TokenCodec, type TokenCopyRow, tokenCopyEvalRows, tokenStream,
} from '../corpus/index.ts';

/** Rows evaluated per forward pass (bounds the activation memory, not the result). */
const ROWS_PER_PASS = 8;

interface PassResult {
  /** Σ masked token losses (nats). */
  lossSum: number;
  predictions: number[][];
}

/** Logits of `batch` in chunks of rows; masked loss sum and greedy predictions. */
export async function runBatch(model: LlamaModel, batch: TokenBatch): Promise<PassResult> {
  const be = model.backend;
  const tape = new Tape(be);
  tape.gradEnabled = false;
  const T = batch.input_ids[0]!.length;
  const V = model.config.vocabSize;
  let lossSum = 0;
  const predictions: number[][] = [];
  for (let start = 0; start < batch.input_ids.length; start += ROWS_PER_PASS) {
    const ids = batch.input_ids.slice(start, start + ROWS_PER_PASS);
    const mask = batch.loss_mask.slice(start, start + ROWS_PER_PASS);
    const { targets, mask: m } = nextTokenTargets(ids, mask);
    const count = m.reduce((a, b) => a + b, 0);
    const idBuf = be.uploadIndices(ids.flat());
    const { logits, loss } = model.loss(tape, idBuf, ids.length, T, be.uploadIndices(targets), be.upload(m), { denominator: 1 });
    lossSum += count > 0 ? (await be.read(loss.buf))[0]! : 0;
    predictions.push(...argmaxPredictions(await be.read(logits.buf), ids.length, T, V));
    tape.reset();
  }
  return { lossSum, predictions };
}

export interface AccuracyResult {
  accuracy: number;
  correct: number;
  total: number;
  /** Mean cross-entropy on the measured tokens (nats). */
  loss: number;
}

/** Greedy next-token accuracy on the measured tokens of eval examples. */
export async function exampleAccuracy(model: LlamaModel, codec: TokenCodec, examples: readonly EvalExample[], seqLen: number): Promise<AccuracyResult> {
  const batch = packExamples(examples, codec, seqLen);
  const { lossSum, predictions } = await runBatch(model, batch);
  const acc = maskedAccuracy(batch, predictions);
  return { ...acc, loss: acc.total > 0 ? lossSum / acc.total : 0 };
}

/** Second-occurrence accuracy on random token sequences (corpus/token-repeats.ts); rows of one length run as one batch. */
export async function tokenCopyAccuracy(model: LlamaModel, rows: readonly TokenCopyRow[]): Promise<AccuracyResult> {
  const batch: TokenBatch = { input_ids: rows.map((r) => r.ids), loss_mask: rows.map((r) => r.mask) };
  const { lossSum, predictions } = await runBatch(model, batch);
  const acc = maskedAccuracy(batch, predictions);
  return { ...acc, loss: acc.total > 0 ? lossSum / acc.total : 0 };
}

/**
 * Where random-token copying is measured during training: short, long, long past position 1,000,
 * and the model card's hardest rows, 10 tokens at the start and after 2,020 random tokens.
 */
export const TOKEN_COPY_PROBES = [
  { length: 10, offset: 0 },
  { length: 10, offset: 2020 },
  { length: 24, offset: 0 },
  { length: 300, offset: 0 },
  { length: 650, offset: 420 },
] as const;

/**
 * The model card's grid: lengths 10 to 650 from the start of the context, and the same lengths
 * placed so that their second occurrence ends near position 2,048 (the trained context).
 */
export const CARD_TOKEN_COPY_PROBES: readonly { length: number; offset: number }[] = [
  ...[10, 50, 150, 300, 650].map((length) => ({ length, offset: 0 })),
  ...[10, 50, 150, 300, 650].map((length) => ({ length, offset: 2040 - 2 * length })),
];

export interface TokenCopyProbe {
  length: number;
  offset: number;
  /** the measured positions: from offset + length + 2 to offset + 2·length (BOS is position 0). */
  firstPosition: number;
  lastPosition: number;
  result: AccuracyResult;
}

/** Random-token copy accuracy at each probe (corpus/token-repeats.ts rows, seed-determined). */
export async function tokenCopyProbes(
  model: LlamaModel, bos: number, o: { seed: number; examples: number; probes?: readonly { length: number; offset: number }[] },
): Promise<TokenCopyProbe[]> {
  const out: TokenCopyProbe[] = [];
  for (const p of o.probes ?? CARD_TOKEN_COPY_PROBES) {
    const rows = tokenCopyEvalRows({ seed: o.seed, examples: o.examples, length: p.length, offset: p.offset, bos, vocab: model.config.vocabSize });
    out.push({ ...p, firstPosition: p.offset + p.length + 2, lastPosition: p.offset + 2 * p.length, result: await tokenCopyAccuracy(model, rows) });
  }
  return out;
}

export interface PerplexityResult {
  perplexity: number;
  /** Mean next-token cross-entropy (nats). */
  loss: number;
  tokens: number;
}

/** Perplexity on corpus documents of `seed` (pick one no run trained on), packed as in pretraining. */
export async function corpusPerplexity(
  model: LlamaModel, codec: TokenCodec, o: { seed: number; documents: number; seqLen: number; weights?: Record<DocKind, number> },
): Promise<PerplexityResult> {
  const texts = [...corpusDocuments({ seed: o.seed, documents: o.documents, ...(o.weights ? { weights: o.weights } : {}) })].map((d) => d.text);
  const batch = packStream(tokenStream(texts, codec), o.seqLen, codec.pad);
  const { lossSum } = await runBatch(model, batch);
  let tokens = 0;
  for (const row of batch.loss_mask) for (let t = 1; t < row.length; t++) tokens += row[t]!;
  const loss = tokens > 0 ? lossSum / tokens : 0;
  return { perplexity: Math.exp(loss), loss, tokens };
}

/** Mean next-token loss over one range of positions [from, to) of the rows. */
export interface PositionLoss {
  from: number;
  to: number;
  loss: number;
  tokens: number;
}

/**
 * Held-out corpus text packed into rows of `seqLen` tokens (as in pretraining), its next-token
 * loss by position range: how well the model reads each stretch of its context. A model used
 * past the row length it was pretrained on shows it here (the loss jumps where its training rows
 * ended). Ranges double from 128 (1–127, 128–255, 256–511, …) up to `seqLen`.
 */
export async function lossByPosition(model: LlamaModel, codec: TokenCodec, o: { seed: number; documents: number; seqLen: number; rows: number }): Promise<PositionLoss[]> {
  const texts = [...corpusDocuments({ seed: o.seed, documents: o.documents })].map((d) => d.text);
  const packed = packStream(tokenStream(texts, codec), o.seqLen, codec.pad);
  const rows = { input_ids: packed.input_ids.slice(0, o.rows), loss_mask: packed.loss_mask.slice(0, o.rows) };
  const out: PositionLoss[] = [];
  for (let from = 1, to = 128; from < o.seqLen; from = to, to = Math.min(2 * to, o.seqLen)) {
    const loss_mask = rows.loss_mask.map((m) => m.map((x, t) => (t >= from && t < to ? x : 0)));
    const tokens = loss_mask.reduce((a, m) => a + m.reduce((b, x) => b + x, 0), 0);
    const { lossSum } = await runBatch(model, { input_ids: rows.input_ids, loss_mask });
    out.push({ from, to, loss: tokens > 0 ? lossSum / tokens : NaN, tokens });
  }
  return out;
}

export interface AbilityOptions {
  /** Seeds of the generated sets; pick ones no training run used. */
  copySeed: number;
  kvSeed: number;
  copyExamples: number;
  kvExamples: number;
  seqLen: number;
}

export interface Abilities {
  copy: AccuracyResult;
  kv: AccuracyResult;
}

/** Second-occurrence copy accuracy and key-value recall on freshly generated sets. */
export async function measureAbilities(model: LlamaModel, codec: TokenCodec, o: AbilityOptions): Promise<Abilities> {
  const copy = await exampleAccuracy(model, codec, copyEvalSet({ seed: o.copySeed, examples: o.copyExamples }), o.seqLen);
  const kv = await exampleAccuracy(model, codec, kvEvalSet({ seed: o.kvSeed, examples: o.kvExamples }), o.seqLen);
  return { copy, kv };
}
