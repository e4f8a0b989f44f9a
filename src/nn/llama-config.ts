/**
 * The Llama architecture's hyper-parameters, read from a Hugging Face `config.json` (DESIGN §5).
 *
 * Defaults follow transformers' LlamaConfig so a config that omits a key means what it means
 * there. What this engine cannot run (rope_scaling, biases, another activation) is refused
 * rather than silently computed differently: a wrong model that runs is worse than an error.
 */
import { shown } from '../core/spec/fields.ts';

/** A user-fixable problem with a model or adapter folder; the message names the key or tensor. */
export class ModelFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ModelFormatError';
  }
}

/**
 * `data` when every value is finite; else a ModelFormatError naming the tensor and the first bad
 * value. A NaN or Inf in a weight would turn every logit into NaN and every loss into `null`
 * with exit 0; refused at load instead.
 */
export function finiteTensor<T extends ArrayLike<number>>(data: T, key: string, where: string): T {
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    if (!Number.isFinite(v)) throw new ModelFormatError(`${where}: tensor ${key} holds ${String(v)} at index ${i}; every weight must be a finite number`);
  }
  return data;
}

export interface LlamaConfig {
  vocabSize: number;
  hiddenSize: number;
  intermediateSize: number;
  numLayers: number;
  numHeads: number;
  numKvHeads: number;
  headDim: number;
  ropeTheta: number;
  rmsNormEps: number;
  tieWordEmbeddings: boolean;
}

export const PROJECTIONS = ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'] as const;
export type Projection = (typeof PROJECTIONS)[number];

const ATTENTION: ReadonlySet<Projection> = new Set(['q_proj', 'k_proj', 'v_proj', 'o_proj']);

/** `self_attn` or `mlp`: the module group of a projection in HF key names. */
export function projectionGroup(p: Projection): 'self_attn' | 'mlp' {
  return ATTENTION.has(p) ? 'self_attn' : 'mlp';
}

/** HF key of a base projection weight, e.g. model.layers.0.self_attn.q_proj.weight. */
export function projectionKey(layer: number, p: Projection): string {
  return `model.layers.${layer}.${projectionGroup(p)}.${p}.weight`;
}

/** [out, in] of each projection (the HF Linear layout). */
export function projectionShape(c: LlamaConfig, p: Projection): [number, number] {
  const q = c.numHeads * c.headDim;
  const kv = c.numKvHeads * c.headDim;
  const shapes: Record<Projection, [number, number]> = {
    q_proj: [q, c.hiddenSize],
    k_proj: [kv, c.hiddenSize],
    v_proj: [kv, c.hiddenSize],
    o_proj: [c.hiddenSize, q],
    gate_proj: [c.intermediateSize, c.hiddenSize],
    up_proj: [c.intermediateSize, c.hiddenSize],
    down_proj: [c.hiddenSize, c.intermediateSize],
  };
  return shapes[p];
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function parseLlamaConfig(raw: unknown, where = 'config.json'): LlamaConfig {
  if (!isObject(raw)) throw new ModelFormatError(`${where}: must be a JSON object`);
  const fail = (key: string, msg: string): never => {
    throw new ModelFormatError(`${where}: ${key}: ${msg}`);
  };
  // An explicit null is a value, not an absent key: it is refused, never replaced by the default.
  const valueOf = (key: string, fallback?: number): unknown => (raw[key] === undefined ? fallback : raw[key]);
  const int = (key: string, fallback?: number): number => {
    const v = valueOf(key, fallback);
    if (v === undefined) return fail(key, 'is required');
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v <= 0) return fail(key, `must be a positive integer, got ${shown(v)}`);
    return v;
  };
  const within = (key: string, fallback: number, lo: number, hi: number): number => {
    const v = valueOf(key, fallback);
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= lo || v > hi) return fail(key, `must be a number in (${lo}, ${hi}], got ${shown(v)}`);
    return v;
  };
  if (raw.model_type !== 'llama') fail('model_type', `must be "llama", got ${shown(raw.model_type)}`);
  const act = raw.hidden_act ?? 'silu';
  if (act !== 'silu') fail('hidden_act', `only "silu" is supported, got ${shown(act)}`);
  for (const key of ['attention_bias', 'mlp_bias']) {
    if (raw[key] !== undefined && raw[key] !== false) fail(key, 'biases are not supported (must be false)');
  }
  if (raw.rope_scaling !== undefined && raw.rope_scaling !== null) fail('rope_scaling', 'is not supported (must be null)');
  const tie = raw.tie_word_embeddings === undefined ? false : raw.tie_word_embeddings;
  if (typeof tie !== 'boolean') fail('tie_word_embeddings', `must be true or false, got ${shown(tie)}`);

  const hiddenSize = int('hidden_size');
  const numHeads = int('num_attention_heads');
  const numKvHeads = int('num_key_value_heads', numHeads);
  if (raw.head_dim === undefined && hiddenSize % numHeads !== 0) {
    fail('num_attention_heads', `hidden_size ${hiddenSize} is not a multiple of num_attention_heads ${numHeads}`);
  }
  const headDim = int('head_dim', hiddenSize / numHeads);
  if (numHeads % numKvHeads !== 0) fail('num_attention_heads', `${numHeads} is not a multiple of num_key_value_heads ${numKvHeads}`);
  if (headDim % 2 !== 0) fail('head_dim', `must be even for rotary embeddings, got ${headDim}`);
  return {
    vocabSize: int('vocab_size'),
    hiddenSize,
    intermediateSize: int('intermediate_size'),
    numLayers: int('num_hidden_layers'),
    numHeads,
    numKvHeads,
    headDim,
    // Below 1 (or above 1e12) the rotary angles overflow to Inf/NaN; eps above 1 swamps the norm.
    ropeTheta: within('rope_theta', 10000, 1, 1e12),
    rmsNormEps: within('rms_norm_eps', 1e-6, 0, 1),
    tieWordEmbeddings: tie as boolean,
  };
}

/** The HF config.json of a LlamaConfig (for models this project creates). */
export function llamaConfigJson(c: LlamaConfig): Record<string, unknown> {
  return {
    architectures: ['LlamaForCausalLM'],
    model_type: 'llama',
    vocab_size: c.vocabSize,
    hidden_size: c.hiddenSize,
    intermediate_size: c.intermediateSize,
    num_hidden_layers: c.numLayers,
    num_attention_heads: c.numHeads,
    num_key_value_heads: c.numKvHeads,
    head_dim: c.headDim,
    hidden_act: 'silu',
    rope_theta: c.ropeTheta,
    rms_norm_eps: c.rmsNormEps,
    tie_word_embeddings: c.tieWordEmbeddings,
    attention_bias: false,
    mlp_bias: false,
    torch_dtype: 'float32',
  };
}
