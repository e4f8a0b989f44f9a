/**
 * Token-id streams and fixed-length batches for pretraining and evaluation, in the tokens-file
 * layout of DESIGN §7 (`input_ids`, `loss_mask`; mask[b][t] = 1 when token t, t ≥ 1, is a
 * target predicted from the tokens before it).
 *
 * Pretraining concatenates documents, each opened by BOS, and cuts the stream into rows (no
 * padding except the last row). Evaluation keeps every example whole inside one row, packs rows
 * greedily, and masks only the measured tokens. Masks are aligned to characters through each
 * token's literal text, which is exact because the tokenizer's tokens concatenate back to the
 * input (checked here; a text with unknown characters is refused).
 */
import type { EvalExample } from './eval.ts';

/** What packing needs from a tokenizer (`LabTokenizer` satisfies it). */
export interface TokenCodec {
  encode(text: string): number[];
  tokenText(id: number): string;
  readonly bos: number;
  readonly pad: number;
}

export interface TokenBatch {
  input_ids: number[][];
  loss_mask: number[][];
}

/** [bos, ...doc₁, bos, ...doc₂, …]: the BOS both separates documents and tells the model a new one starts. */
export function tokenStream(texts: Iterable<string>, codec: TokenCodec): number[] {
  const out: number[] = [];
  for (const t of texts) out.push(codec.bos, ...codec.encode(t));
  return out;
}

/** Rows of `seqLen` tokens; every t ≥ 1 counts except padding in the last row. */
export function packStream(stream: readonly number[], seqLen: number, pad: number): TokenBatch {
  if (!Number.isInteger(seqLen) || seqLen < 2) throw new Error(`seqLen must be an integer ≥ 2, got ${seqLen}`);
  const batch: TokenBatch = { input_ids: [], loss_mask: [] };
  for (let start = 0; start < stream.length; start += seqLen) {
    const ids = stream.slice(start, start + seqLen);
    const mask = ids.map((_, t) => (t === 0 ? 0 : 1));
    while (ids.length < seqLen) {
      ids.push(pad);
      mask.push(0);
    }
    batch.input_ids.push(ids);
    batch.loss_mask.push(mask);
  }
  return batch;
}

/** The example's tokens (BOS first) and which of them fall in a measured span. */
export function measuredTokens(example: EvalExample, codec: TokenCodec): { ids: number[]; measured: boolean[] } {
  const body = codec.encode(example.text);
  const measured = [false];
  let pos = 0;
  for (const id of body) {
    const end = pos + codec.tokenText(id).length;
    measured.push(example.spans.some(([s, e]) => pos < e && end > s));
    pos = end;
  }
  if (body.map((id) => codec.tokenText(id)).join('') !== example.text) {
    throw new Error(`cannot align tokens with ${JSON.stringify(example.text.slice(0, 40))}: its tokens do not spell the text (unknown characters?)`);
  }
  return { ids: [codec.bos, ...body], measured };
}

/** Eval examples packed whole into rows of `seqLen`; mask = measured tokens. `targets` counts them. */
export function packExamples(examples: readonly EvalExample[], codec: TokenCodec, seqLen: number): TokenBatch & { targets: number } {
  const batch: TokenBatch = { input_ids: [], loss_mask: [] };
  let ids: number[] = [];
  let mask: number[] = [];
  let targets = 0;
  const flush = (): void => {
    if (ids.length === 0) return;
    while (ids.length < seqLen) {
      ids.push(codec.pad);
      mask.push(0);
    }
    batch.input_ids.push(ids);
    batch.loss_mask.push(mask);
    ids = [];
    mask = [];
  };
  examples.forEach((ex, i) => {
    const m = measuredTokens(ex, codec);
    if (m.ids.length > seqLen) throw new Error(`eval example ${i} has ${m.ids.length} tokens, more than seqLen ${seqLen}`);
    if (ids.length + m.ids.length > seqLen) flush();
    ids.push(...m.ids);
    for (const f of m.measured) {
      mask.push(f ? 1 : 0);
      if (f) targets++;
    }
  });
  flush();
  return { ...batch, targets };
}

/**
 * predictions[b][t] = the token a model predicts at position t from tokens < t (t ≥ 1). Returns
 * the share of masked positions predicted exactly.
 */
export function maskedAccuracy(batch: TokenBatch, predictions: readonly (readonly number[])[]): { correct: number; total: number; accuracy: number } {
  let correct = 0;
  let total = 0;
  batch.input_ids.forEach((row, b) => {
    row.forEach((id, t) => {
      if (t === 0 || batch.loss_mask[b]![t] !== 1) return;
      total++;
      if (predictions[b]?.[t] === id) correct++;
    });
  });
  return { correct, total, accuracy: total === 0 ? 0 : correct / total };
}

/** Greedy predictions aligned to targets from logits [B, T, V] (row-major): position t gets argmax of logits at t − 1. */
export function argmaxPredictions(logits: ArrayLike<number>, B: number, T: number, V: number): number[][] {
  if (logits.length !== B * T * V) throw new Error(`logits have ${logits.length} values, expected B·T·V = ${B * T * V}`);
  return Array.from({ length: B }, (_, b) => {
    const row = [-1];
    for (let t = 1; t < T; t++) {
      const off = (b * T + t - 1) * V;
      let best = 0;
      for (let v = 1; v < V; v++) if (logits[off + v]! > logits[off + best]!) best = v;
      row.push(best);
    }
    return row;
  });
}
