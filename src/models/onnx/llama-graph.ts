/**
 * Our Llama (src/nn/llama.ts, transformers' LlamaForCausalLM) as an ONNX graph with the I/O that
 * transformers.js and Optimum use for a decoder with a KV cache (docs/models.md):
 *
 *   in:  input_ids [batch_size, sequence_length] int64
 *        attention_mask [batch_size, total_sequence_length] int64 (1 = attend; padding 0)
 *        position_ids [batch_size, sequence_length] int64
 *        past_key_values.{i}.key / .value [batch_size, Hkv, past_sequence_length, D] float32
 *   out: logits [batch_size, sequence_length, vocab] float32
 *        present.{i}.key / .value [batch_size, Hkv, total_sequence_length, D] float32
 *
 * The dimension names matter: transformers.js creates the empty first-step cache from the
 * session's input metadata, resolving `batch_size` to the batch and every other symbol to 0.
 * Keys are cached after RoPE, as transformers does, so a cached step rotates only new tokens.
 *
 * Only default-domain ops of opset 17. The causal mask is built from index ranges (query i of
 * this call sits at cache index past + i) combined with attention_mask, not from position_ids:
 * with left padding positions and cache indices differ, and transformers masks by cache index.
 * GQA needs no Expand: queries are reshaped to [B, Hkv, H/Hkv, T, D] and keys/values unsqueezed
 * to [B, Hkv, 1, S, D], so MatMul's batch broadcasting pairs query head h with KV head
 * floor(h / (H/Hkv)), which is transformers' repeat_kv.
 */
import { type LlamaConfig, type Projection, projectionKey, projectionShape } from '../../nn/llama-config.ts';
import { floatTensor, GraphBuilder } from './graph-builder.ts';
import { DataType } from './onnx-proto.ts';

/** An f32 base weight by HF key, HF layout ([out, in] for linear layers). */
export type WeightLookup = (key: string) => Float32Array;

export interface LlamaGraphOptions {
  /** Rows of the RoPE cos/sin tables: position_ids must stay below this (config max_position_embeddings). */
  maxPositions: number;
  /** Free text stored as the model's doc_string (e.g. which adapter was merged). */
  doc?: string;
  metadata?: Record<string, string>;
}

export const OPSET = 17;
/** IR version 8 is the one that introduced opset 17; older runtimes accept it. */
export const IR_VERSION = 8;
/** torch.finfo(float32).min, what transformers adds for masked positions (finite, so no NaN rows). */
const MASKED = -3.4028234663852886e38;

/** The [in, out] transpose of an [out, in] matrix, so the graph needs only x·W (no Transpose node). */
function transpose(w: Float32Array, rows: number, cols: number): Float32Array {
  const t = new Float32Array(w.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) t[c * rows + r] = w[r * cols + c]!;
  return t;
}

/**
 * cos and sin tables [maxPositions, D] in rotate-half layout (frequency i at columns i and i + D/2),
 * rounded through f32 where transformers computes in f32 (inv_freq, the angle and the result).
 */
export function ropeTables(c: LlamaConfig, maxPositions: number): { cos: Float32Array; sin: Float32Array } {
  const D = c.headDim;
  const half = D / 2;
  const cos = new Float32Array(maxPositions * D);
  const sin = new Float32Array(maxPositions * D);
  for (let i = 0; i < half; i++) {
    const invFreq = Math.fround(1 / Math.pow(c.ropeTheta, (2 * i) / D));
    for (let p = 0; p < maxPositions; p++) {
      const angle = Math.fround(p * invFreq);
      cos[p * D + i] = cos[p * D + half + i] = Math.cos(angle);
      sin[p * D + i] = sin[p * D + half + i] = Math.sin(angle);
    }
  }
  return { cos, sin };
}

export function llamaGraph(c: LlamaConfig, weight: WeightLookup, o: LlamaGraphOptions): Uint8Array {
  const g = new GraphBuilder();
  const { numHeads: H, numKvHeads: Hkv, headDim: D, hiddenSize: h, vocabSize: V } = c;
  const rep = H / Hkv;

  const inputIds = g.input('input_ids', DataType.INT64, ['batch_size', 'sequence_length']);
  const mask = g.input('attention_mask', DataType.INT64, ['batch_size', 'total_sequence_length']);
  const positionIds = g.input('position_ids', DataType.INT64, ['batch_size', 'sequence_length']);
  const past = Array.from({ length: c.numLayers }, (_, l) => ({
    key: g.input(`past_key_values.${l}.key`, DataType.FLOAT, ['batch_size', Hkv, 'past_sequence_length', D]),
    value: g.input(`past_key_values.${l}.value`, DataType.FLOAT, ['batch_size', Hkv, 'past_sequence_length', D]),
  }));
  g.output('logits', DataType.FLOAT, ['batch_size', 'sequence_length', V]);
  for (let l = 0; l < c.numLayers; l++) {
    for (const kind of ['key', 'value']) g.output(`present.${l}.${kind}`, DataType.FLOAT, ['batch_size', Hkv, 'total_sequence_length', D]);
  }

  const param = (key: string, dims: number[], data: Float32Array = weight(key)): string => g.initializer(floatTensor(key, dims, data));
  const linearWeight = (l: number, p: Projection): string => {
    const [out, inF] = projectionShape(c, p);
    return param(projectionKey(l, p), [inF, out], transpose(weight(projectionKey(l, p)), out, inF));
  };

  // Additive attention bias [B, 1, 1, T, S] (broadcast over KV heads and the heads of a group).
  const seqLen = g.op('Shape', [inputIds], { start: { int: 1 }, end: { int: 2 } });
  const totalLen = g.op('Shape', [mask], { start: { int: 1 }, end: { int: 2 } });
  const zero = g.ints([0], true);
  const one = g.ints([1], true);
  const total = g.op('Squeeze', [totalLen, g.ints([0])]);
  const pastLen = g.op('Squeeze', [g.op('Sub', [totalLen, seqLen]), g.ints([0])]);
  const queryIndex = g.op('Unsqueeze', [g.op('Range', [pastLen, total, one]), g.ints([1])]); // [T, 1]
  const keyIndex = g.op('Unsqueeze', [g.op('Range', [zero, total, one]), g.ints([0])]); // [1, S]
  const causal = g.op('LessOrEqual', [keyIndex, queryIndex]); // [T, S]
  const notPadding = g.op('Unsqueeze', [g.op('Cast', [mask], { to: { int: DataType.BOOL } }), g.ints([1, 2, 3])]); // [B, 1, 1, 1, S]
  const allowed = g.op('And', [causal, notPadding]);
  const bias = g.op('Where', [allowed, g.scalar(0), g.scalar(MASKED)]);

  // RoPE factors [B, 1, T, D], gathered once and shared by every layer.
  const tables = ropeTables(c, o.maxPositions);
  const ropeFactor = (name: string, table: Float32Array): string =>
    g.op('Unsqueeze', [g.op('Gather', [param(name, [o.maxPositions, D], table), positionIds], { axis: { int: 0 } }), g.ints([1])]);
  const cos = ropeFactor('rope.cos', tables.cos);
  const sin = ropeFactor('rope.sin', tables.sin);
  const rotate = (x: string): string => {
    const first = g.op('Slice', [x, g.ints([0]), g.ints([D / 2]), g.ints([3])]);
    const second = g.op('Slice', [x, g.ints([D / 2]), g.ints([D]), g.ints([3])]);
    const rotated = g.op('Concat', [g.op('Neg', [second]), first], { axis: { int: 3 } });
    return g.op('Add', [g.op('Mul', [x, cos]), g.op('Mul', [rotated, sin])]);
  };

  const rmsnorm = (x: string, key: string): string => {
    const meanSquare = g.op('ReduceMean', [g.op('Mul', [x, x])], { axes: { ints: [-1] }, keepdims: { int: 1 } });
    const rms = g.op('Sqrt', [g.op('Add', [meanSquare, g.scalar(c.rmsNormEps)])]);
    return g.op('Mul', [g.op('Div', [x, rms]), param(key, [h])]);
  };
  /** [B, T, heads·D] → [B, heads, T, D]. */
  const splitHeads = (x: string, heads: number): string =>
    g.op('Transpose', [g.op('Reshape', [x, g.ints([0, 0, heads, D])])], { perm: { ints: [0, 2, 1, 3] } });

  let x = g.op('Gather', [param('model.embed_tokens.weight', [V, h]), inputIds], { axis: { int: 0 } });
  for (let l = 0; l < c.numLayers; l++) {
    const a = rmsnorm(x, `model.layers.${l}.input_layernorm.weight`);
    const q = rotate(splitHeads(g.op('MatMul', [a, linearWeight(l, 'q_proj')]), H));
    const kNew = rotate(splitHeads(g.op('MatMul', [a, linearWeight(l, 'k_proj')]), Hkv));
    const vNew = splitHeads(g.op('MatMul', [a, linearWeight(l, 'v_proj')]), Hkv);
    const k = g.op('Concat', [past[l]!.key, kNew], { axis: { int: 2 } }, `present.${l}.key`);
    const v = g.op('Concat', [past[l]!.value, vNew], { axis: { int: 2 } }, `present.${l}.value`);

    const qGroups = g.op('Reshape', [q, g.ints([0, Hkv, rep, -1, D])]); // [B, Hkv, rep, T, D]
    const kT = g.op('Transpose', [g.op('Unsqueeze', [k, g.ints([2])])], { perm: { ints: [0, 1, 2, 4, 3] } }); // [B, Hkv, 1, D, S]
    const scores = g.op('Add', [g.op('Mul', [g.op('MatMul', [qGroups, kT]), g.scalar(1 / Math.sqrt(D))]), bias]);
    const probs = g.op('Softmax', [scores], { axis: { int: -1 } });
    const ctx = g.op('MatMul', [probs, g.op('Unsqueeze', [v, g.ints([2])])]); // [B, Hkv, rep, T, D]
    const merged = g.op('Reshape', [g.op('Transpose', [g.op('Reshape', [ctx, g.ints([0, H, -1, D])])], { perm: { ints: [0, 2, 1, 3] } }), g.ints([0, 0, H * D])]);
    x = g.op('Add', [x, g.op('MatMul', [merged, linearWeight(l, 'o_proj')])]);

    const m = rmsnorm(x, `model.layers.${l}.post_attention_layernorm.weight`);
    const gate = g.op('MatMul', [m, linearWeight(l, 'gate_proj')]);
    const up = g.op('MatMul', [m, linearWeight(l, 'up_proj')]);
    const act = g.op('Mul', [g.op('Mul', [gate, g.op('Sigmoid', [gate])]), up]);
    x = g.op('Add', [x, g.op('MatMul', [act, linearWeight(l, 'down_proj')])]);
  }
  const final = rmsnorm(x, 'model.norm.weight');
  // A tied head reuses the embedding through a Transpose node (runtimes fold it at load) instead of
  // storing the matrix twice.
  const head = c.tieWordEmbeddings
    ? g.op('Transpose', ['model.embed_tokens.weight'], { perm: { ints: [1, 0] } })
    : param('lm_head.weight', [h, V], transpose(weight('lm_head.weight'), V, h));
  g.op('MatMul', [final, head], {}, 'logits');

  return g.encode({ name: 'llama', opset: OPSET, irVersion: IR_VERSION, producer: 'decision-lab', doc: o.doc ?? '', ...(o.metadata ? { metadata: o.metadata } : {}) });
}
