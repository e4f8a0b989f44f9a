/**
 * ONNX export of a Llama model (docs/models.md): the folder layout transformers.js loads for a
 * causal LM — `config.json`, `generation_config.json`, `onnx/model.onnx` — with an attached LoRA
 * adapter merged into the base weights, W' = W + (alpha / r)·B·A, so the exported graph is a plain
 * Llama any runtime can run. Pure functions on a loaded model; file access is the caller's (the
 * CLI's export-onnx, or the app offering a download).
 */
import { shown } from '../../core/spec/fields.ts';
import { type LlamaConfig, llamaConfigJson, ModelFormatError, PROJECTIONS, projectionKey } from '../../nn/llama-config.ts';
import type { LlamaModel } from '../../nn/llama.ts';
import { Nf4Param } from '../../nn/nf4-linear.ts';
import type { Tensor } from '../../nn/tensor.ts';
import { llamaGraph } from './llama-graph.ts';

/** transformers' LlamaConfig default, used when config.json has no max_position_embeddings. */
export const DEFAULT_MAX_POSITIONS = 2048;

/** The files of an exported model folder, by relative path. */
export type ExportedFiles = Map<string, Uint8Array>;

/**
 * W + scale·B·A for W [out, in], A [r, in], B [out, r], summed in float64 and rounded once to f32,
 * so the merge adds no error beyond the f32 storage of the result.
 */
export function mergeLora(w: Float32Array, a: Float32Array, b: Float32Array, out: number, inF: number, r: number, scale: number): Float32Array {
  if (w.length !== out * inF || a.length !== r * inF || b.length !== out * r) throw new Error(`mergeLora: shapes do not fit [${out}, ${inF}] with rank ${r}`);
  const merged = new Float32Array(w.length);
  for (let o = 0; o < out; o++) {
    for (let i = 0; i < inF; i++) {
      let delta = 0;
      for (let k = 0; k < r; k++) delta += b[o * r + k]! * a[k * inF + i]!;
      merged[o * inF + i] = w[o * inF + i]! + scale * delta;
    }
  }
  return merged;
}

/** Every base weight by HF key (f32, HF layout), with the model's adapter merged in if it has one. */
export async function mergedWeights(model: LlamaModel): Promise<Map<string, Float32Array>> {
  if (model.nf4) throw new ModelFormatError('ONNX export of an NF4-quantized base is not supported (load the model without --nf4)');
  const be = model.backend;
  const read = (t: Tensor): Promise<Float32Array> => be.read(t.buf);
  const c = model.config;
  const weights = new Map<string, Float32Array>();
  weights.set('model.embed_tokens.weight', await read(model.embed));
  weights.set('model.norm.weight', await read(model.finalNorm));
  if (!c.tieWordEmbeddings) weights.set('lm_head.weight', await read(model.lmHead));
  const adapter = model.adapter;
  for (const [l, layer] of model.layers.entries()) {
    weights.set(`model.layers.${l}.input_layernorm.weight`, await read(layer.attnNorm));
    weights.set(`model.layers.${l}.post_attention_layernorm.weight`, await read(layer.mlpNorm));
    for (const p of PROJECTIONS) {
      const base = layer.proj[p];
      if (base instanceof Nf4Param) throw new ModelFormatError('ONNX export of an NF4-quantized base is not supported');
      let w = await read(base);
      const pair = adapter?.layers[l]?.[p];
      if (adapter && pair) {
        const [out, inF] = base.shape as [number, number];
        const { r, alpha } = adapter.settings;
        w = mergeLora(w, await read(pair.a), await read(pair.b), out, inF, r, alpha / r);
      }
      weights.set(projectionKey(l, p), w);
    }
  }
  return weights;
}

export interface OnnxExportOptions {
  /**
   * The source model's config.json as parsed JSON: its extra keys (bos/eos ids,
   * max_position_embeddings, …) are kept, the architecture keys are rewritten from `model.config`.
   */
  sourceConfig?: Record<string, unknown>;
  /** A line for the model's doc_string and metadata, e.g. the merged adapter's folder. */
  adapterNote?: string;
}

function maxPositions(raw: Record<string, unknown>): number {
  const v = raw.max_position_embeddings ?? DEFAULT_MAX_POSITIONS;
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v <= 0) {
    throw new ModelFormatError(`config.json: max_position_embeddings: must be a positive integer, got ${shown(v)}`);
  }
  return v;
}

/** generation_config.json as transformers' save_pretrained writes it from the config's token ids. */
export function generationConfigJson(raw: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of ['bos_token_id', 'eos_token_id', 'pad_token_id']) if (raw[key] !== undefined && raw[key] !== null) out[key] = raw[key];
  return out;
}

/** The exported config.json: source keys, our architecture keys, and the cache flag transformers.js reads. */
export function exportedConfigJson(c: LlamaConfig, raw: Record<string, unknown>): Record<string, unknown> {
  return { ...raw, ...llamaConfigJson(c), max_position_embeddings: maxPositions(raw), use_cache: true };
}

const utf8 = (v: unknown): Uint8Array => new TextEncoder().encode(`${JSON.stringify(v, null, 2)}\n`);

/** The files of the exported folder (tokenizer files are the caller's to copy alongside). */
export async function exportLlamaOnnx(model: LlamaModel, o: OnnxExportOptions = {}): Promise<ExportedFiles> {
  const raw = o.sourceConfig ?? {};
  const config = exportedConfigJson(model.config, raw);
  const weights = await mergedWeights(model);
  const lookup = (key: string): Float32Array => {
    const w = weights.get(key);
    if (!w) throw new Error(`onnx export: no weight ${key}`);
    return w;
  };
  const adapter = model.adapter;
  const merged = adapter ? `LoRA merged: r ${adapter.settings.r}, alpha ${adapter.settings.alpha}, targets ${adapter.targets.join(' ')}${o.adapterNote ? ` (${o.adapterNote})` : ''}` : 'no adapter';
  const onnx = llamaGraph(model.config, lookup, {
    maxPositions: config.max_position_embeddings as number,
    doc: `Llama causal LM exported by Decision Lab; ${merged}`,
    metadata: { adapter: merged },
  });
  return new Map([
    ['config.json', utf8(config)],
    ['generation_config.json', utf8(generationConfigJson(raw))],
    ['onnx/model.onnx', onnx],
  ]);
}

/** Tokenizer files copied beside the export when the source folder has them. */
export const TOKENIZER_FILES = ['tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json', 'tokenizer.model', 'chat_template.jinja'] as const;
