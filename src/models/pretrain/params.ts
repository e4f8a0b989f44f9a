/**
 * The trainable parameters of a pretraining run, laid out in ONE flat Float32Array.
 *
 * Why flat: data-parallel workers share the weights through one SharedArrayBuffer (no copy per
 * step), each worker writes its gradient into its own flat array, the optimiser state is two
 * more flat arrays, and a checkpoint is these arrays written as they are. The engine needs no
 * change for this: a CPU `Buf` is a typed array, so every parameter is a view into the flat
 * storage and its gradient a view into a flat gradient array (the tape adds into a leaf's
 * existing `grad`).
 */
import { Rng } from '../../core/rng.ts';
import { CpuBuf } from '../../nn/cpu/storage.ts';
import type { CpuBackend } from '../../nn/cpu/index.ts';
import { type LlamaConfig, PROJECTIONS, type Projection, projectionKey, projectionShape } from '../../nn/llama-config.ts';
import { type LlamaLayer, LlamaModel } from '../../nn/llama.ts';
import { type TensorToWrite, writeSafetensors } from '../../nn/safetensors.ts';
import { Tensor } from '../../nn/tensor.ts';
import type { BaseWeight } from '../../nn/ops.ts';

export interface ParamEntry {
  /** Hugging Face key, e.g. model.layers.0.self_attn.q_proj.weight. */
  key: string;
  shape: [number] | [number, number];
  offset: number;
  size: number;
}

export interface ParamLayout {
  entries: ParamEntry[];
  total: number;
}

/** Every tensor of the model in a fixed order (HF keys); a tied lm_head is not stored twice. */
export function paramLayout(c: LlamaConfig): ParamLayout {
  const entries: ParamEntry[] = [];
  let offset = 0;
  const add = (key: string, shape: [number] | [number, number]): void => {
    const size = shape.reduce((a, b) => a * b, 1);
    entries.push({ key, shape, offset, size });
    offset += size;
  };
  add('model.embed_tokens.weight', [c.vocabSize, c.hiddenSize]);
  for (let l = 0; l < c.numLayers; l++) {
    add(`model.layers.${l}.input_layernorm.weight`, [c.hiddenSize]);
    for (const p of PROJECTIONS.slice(0, 4)) add(projectionKey(l, p), projectionShape(c, p));
    add(`model.layers.${l}.post_attention_layernorm.weight`, [c.hiddenSize]);
    for (const p of PROJECTIONS.slice(4)) add(projectionKey(l, p), projectionShape(c, p));
  }
  add('model.norm.weight', [c.hiddenSize]);
  if (!c.tieWordEmbeddings) add('lm_head.weight', [c.vocabSize, c.hiddenSize]);
  return { entries, total: offset };
}

/**
 * Fan-in initialisation: matrices N(0, 1/in) — the embedding N(0, 1/hidden), as its rows are
 * read back through the tied head — with the residual-output projections (o, down) scaled by
 * 1/√(2L) so the residual stream's variance does not grow with depth; norms 1. Drawn in layout
 * order from one seeded stream, so the initial weights depend on (seed, config) only.
 *
 * Why not GPT-2's fixed 0.02: that scale suits width 768; at width 64–128 it makes every q·k
 * tiny, attention uniform and the bilinear QK/OV circuits start next to a flat saddle, and a
 * 2-layer model then sat for thousands of steps without any induction head (attention to the
 * token after the previous occurrence stayed at 0.01, copy accuracy at ~21 %, docs/models.md).
 */
export function initParams(c: LlamaConfig, layout: ParamLayout, seed: number, into: Float32Array): void {
  const rng = new Rng(seed, 'pretrain-init');
  const residualScale = 1 / Math.sqrt(2 * c.numLayers);
  for (const e of layout.entries) {
    const view = into.subarray(e.offset, e.offset + e.size);
    if (e.shape.length === 1) {
      view.fill(1);
      continue;
    }
    const [rows, fanIn] = e.shape as [number, number];
    if (e.key === 'model.embed_tokens.weight') {
      // Half of every row's variance is one vector shared by all tokens: it gives q and k a
      // content-independent part, so RoPE can express purely relative-position attention
      // (previous-token heads) from the first step. A shared logit offset is softmax-invariant.
      const std = Math.sqrt(0.5 / fanIn);
      const shared = Array.from({ length: fanIn }, () => rng.normal() * std);
      for (let r = 0; r < rows; r++) for (let i = 0; i < fanIn; i++) view[r * fanIn + i] = shared[i]! + rng.normal() * std;
      continue;
    }
    const std = (1 / Math.sqrt(fanIn)) * (/\.(o_proj|down_proj)\.weight$/.test(e.key) ? residualScale : 1);
    for (let i = 0; i < e.size; i++) view[i] = rng.normal() * std;
  }
}

/** Whether AdamW's decoupled weight decay applies: matrices yes, norm gains no (as GPT/Llama recipes). */
export function decays(e: ParamEntry): boolean {
  return e.shape.length === 2;
}

/**
 * A LlamaModel whose every weight is a trainable view into `params`, with its gradient a view
 * into `grads` (same layout). Several replicas may share `params` and keep separate `grads`.
 */
export function modelOver(be: CpuBackend, c: LlamaConfig, layout: ParamLayout, params: Float32Array, grads: Float32Array | null): LlamaModel {
  const byKey = new Map<string, Tensor>();
  for (const e of layout.entries) {
    const t = new Tensor(e.shape, new CpuBuf(params.subarray(e.offset, e.offset + e.size)), grads !== null, true);
    if (grads) t.grad = new CpuBuf(grads.subarray(e.offset, e.offset + e.size));
    byKey.set(e.key, t);
  }
  const get = (key: string): Tensor => {
    const t = byKey.get(key);
    if (!t) throw new Error(`pretrain: no parameter ${key}`);
    return t;
  };
  const layers = Array.from({ length: c.numLayers }, (_, l): LlamaLayer => {
    const proj = {} as Record<Projection, BaseWeight>;
    for (const p of PROJECTIONS) proj[p] = get(projectionKey(l, p));
    return { attnNorm: get(`model.layers.${l}.input_layernorm.weight`), mlpNorm: get(`model.layers.${l}.post_attention_layernorm.weight`), proj };
  });
  const embed = get('model.embed_tokens.weight');
  return new LlamaModel(be, c, embed, layers, get('model.norm.weight'), c.tieWordEmbeddings ? embed : get('lm_head.weight'));
}

/** model.safetensors (F32, HF keys, layout order) of the flat parameters; byte-identical for identical values. */
export function modelSafetensors(layout: ParamLayout, params: Float32Array, metadata: Record<string, string> = { format: 'pt' }): Uint8Array {
  const tensors = new Map<string, TensorToWrite>();
  for (const e of layout.entries) tensors.set(e.key, { shape: e.shape, data: params.subarray(e.offset, e.offset + e.size) });
  return writeSafetensors(tensors, metadata);
}
