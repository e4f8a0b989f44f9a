/**
 * The computation behind the CLI's `forward` (DESIGN §7), shared with tests: logits of a token
 * batch, and optionally the masked next-token loss and its gradient for every adapter tensor,
 * returned as named tensors ready for safetensors.
 */
import { shown } from '../core/spec/fields.ts';
import type { LlamaModel } from '../nn/llama.ts';
import { adapterEntries } from '../nn/lora.ts';
import { nextTokenTargets } from '../nn/ops.ts';
import { Tape } from '../nn/tape.ts';

/** Equal-length token rows and their optional loss mask (DESIGN §7's tokens JSON). */
export interface TokenBatch {
  ids: number[][];
  lossMask: number[][] | null;
}

/** A problem with one field of the tokens JSON; `field` is its path, e.g. input_ids[1][3]. */
export class TokenBatchError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
    this.name = 'TokenBatchError';
  }
}

function rows(raw: unknown, field: string): unknown[][] {
  if (!Array.isArray(raw) || raw.length === 0) throw new TokenBatchError(field, 'must be a non-empty array of rows');
  raw.forEach((row, b) => {
    if (!Array.isArray(row)) throw new TokenBatchError(`${field}[${b}]`, 'must be an array');
  });
  return raw as unknown[][];
}

/** Validates `{"input_ids": [[...]], "loss_mask": [[...]]}` against a vocabulary size. */
export function parseTokenBatch(raw: unknown, vocabSize: number): TokenBatch {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new TokenBatchError('tokens', 'must be a JSON object with input_ids and loss_mask');
  const obj = raw as Record<string, unknown>;
  for (const key of Object.keys(obj)) if (key !== 'input_ids' && key !== 'loss_mask') throw new TokenBatchError(key, 'unknown field (allowed: input_ids, loss_mask)');
  const ids = rows(obj.input_ids, 'input_ids');
  const T = ids[0]!.length;
  if (T === 0) throw new TokenBatchError('input_ids[0]', 'must hold at least one token');
  ids.forEach((row, b) => {
    if (row.length !== T) throw new TokenBatchError(`input_ids[${b}]`, `has ${row.length} tokens, input_ids[0] has ${T} (rows must have equal length)`);
    row.forEach((id, t) => {
      if (typeof id !== 'number' || !Number.isInteger(id) || id < 0 || id >= vocabSize) {
        throw new TokenBatchError(`input_ids[${b}][${t}]`, `must be a token id in [0, ${vocabSize - 1}] (vocab_size ${vocabSize}), got ${shown(id)}`);
      }
    });
  });
  if (obj.loss_mask === undefined || obj.loss_mask === null) return { ids: ids as number[][], lossMask: null };
  const mask = rows(obj.loss_mask, 'loss_mask');
  if (mask.length !== ids.length) throw new TokenBatchError('loss_mask', `has ${mask.length} rows, input_ids has ${ids.length}`);
  mask.forEach((row, b) => {
    if (row.length !== T) throw new TokenBatchError(`loss_mask[${b}]`, `has ${row.length} entries, input_ids rows have ${T}`);
    row.forEach((m, t) => {
      if (m !== 0 && m !== 1) throw new TokenBatchError(`loss_mask[${b}][${t}]`, `must be 0 or 1, got ${shown(m)}`);
    });
  });
  return { ids: ids as number[][], lossMask: mask as number[][] };
}

export interface NamedTensor {
  shape: number[];
  data: Float32Array;
}

/**
 * `logits` [B, T, V]; with `grad` also `loss` [1] and, when an adapter is attached, the gradient
 * of that loss for each adapter tensor under its PEFT key. Adapter dropout is off.
 */
export async function runForward(model: LlamaModel, batch: TokenBatch, o: { grad: boolean }): Promise<Map<string, NamedTensor>> {
  const be = model.backend;
  const B = batch.ids.length;
  const T = batch.ids[0]!.length;
  const V = model.config.vocabSize;
  const { targets, mask } = nextTokenTargets(batch.ids, batch.lossMask ?? undefined);
  const ids = be.uploadIndices(batch.ids.flat());
  const targetBuf = be.uploadIndices(targets);
  const maskBuf = be.upload(mask);
  const tape = new Tape(be);
  tape.gradEnabled = o.grad;
  const entries = model.adapter ? adapterEntries(model.adapter) : [];
  for (const { tensor } of entries) if (tensor.grad) be.fill(tensor.grad, 0);
  const { logits, loss } = model.loss(tape, ids, B, T, targetBuf, maskBuf, { dropout: false });
  const out = new Map<string, NamedTensor>([['logits', { shape: [B, T, V], data: await be.read(logits.buf) }]]);
  if (o.grad) {
    out.set('loss', { shape: [1], data: await be.read(loss.buf) });
    if (loss.requiresGrad) {
      tape.backward(loss);
      for (const { key, tensor } of entries) out.set(key, { shape: [...tensor.shape], data: await be.read(tensor.grad ?? be.alloc(tensor.size)) });
    }
  }
  tape.reset();
  for (const b of [ids, targetBuf, maskBuf]) be.free(b);
  return out;
}
