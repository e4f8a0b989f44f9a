/**
 * A Llama-architecture causal LM on any Backend (DESIGN §5), assembled from ops.ts exactly like
 * transformers' LlamaForCausalLM: embedding → per layer [RMSNorm → q/k/v → RoPE → causal GQA
 * attention → o, residual; RMSNorm → down(silu(gate)·up), residual] → final RMSNorm → lm_head
 * (or the tied embedding). Weights come from a Hugging Face model.safetensors (F32/F16/BF16,
 * HF key names) or are drawn at random for tests; the base is frozen, optionally NF4 (QLoRA:
 * only the 14·L projection weights, as transformers' bitsandbytes path, so embedding, norms and
 * lm_head stay f32). A LoRA adapter (lora.ts) may be attached; only it trains.
 */
import { Rng } from '../core/rng.ts';
import type { Backend, Buf, IndexBuf } from './backend.ts';
import { finiteTensor, type LlamaConfig, ModelFormatError, PROJECTIONS, type Projection, projectionKey, projectionShape } from './llama-config.ts';
import type { LoraAdapter } from './lora.ts';
import { quantizeNf4 } from './nf4.ts';
import { Nf4Param, uploadNf4 } from './nf4-linear.ts';
import { add, type BaseWeight, causalAttention, crossEntropy, embedding, linear, loraLinear, rmsnorm, rope, swiglu } from './ops.ts';
import { readTensor, parseSafetensors } from './safetensors.ts';
import type { Tape } from './tape.ts';
import { parameter, type Tensor } from './tensor.ts';

export interface LlamaLayer {
  attnNorm: Tensor;
  mlpNorm: Tensor;
  proj: Record<Projection, BaseWeight>;
}

export interface LoadOptions {
  /** Quantize the 14·L projection weights to NF4 on load (the f32 copies are never uploaded). */
  nf4?: boolean;
  /** Called after each weight is placed (done of total), so a UI can show a multi-second load. */
  onProgress?: (done: number, total: number) => void;
}

export interface ForwardOptions {
  /** Seed of this step's adapter dropout masks. */
  seed?: number;
  /** Apply the adapter's dropout (training). Off for evaluation and the CLI's forward. */
  dropout?: boolean;
}

export type BlockOptions = ForwardOptions & { posOffset?: number; attend?: Attend };

/**
 * How a layer attends, given its rotated q, its rotated k and its v (all [B·T, heads·D]).
 * The default is causal self-attention over this call's tokens; kv-cache.ts substitutes one
 * that appends k, v to a cache and attends over everything cached.
 */
export type Attend = (tape: Tape, layer: number, q: Tensor, k: Tensor, v: Tensor) => Tensor;

export class LlamaModel {
  adapter: LoraAdapter | null = null;

  constructor(
    readonly backend: Backend,
    readonly config: LlamaConfig,
    readonly embed: Tensor,
    readonly layers: readonly LlamaLayer[],
    readonly finalNorm: Tensor,
    /** The output projection [vocab, hidden]; the embedding itself when tied. */
    readonly lmHead: Tensor,
  ) {}

  get nf4(): boolean {
    return this.layers[0]?.proj.q_proj instanceof Nf4Param;
  }

  /** Attach (or with null detach) an adapter; its shapes must fit this model. */
  setAdapter(adapter: LoraAdapter | null): void {
    if (adapter && adapter.layers.length !== this.config.numLayers) {
      throw new ModelFormatError(`adapter has ${adapter.layers.length} layers, the model ${this.config.numLayers}`);
    }
    this.adapter = adapter;
  }

  /** Hidden states [B·T, hidden] after the last layer (before the final norm). */
  hidden(tape: Tape, ids: IndexBuf, batch: number, seq: number, o: BlockOptions = {}): Tensor {
    return this.blocks(tape, embedding(tape, ids, this.embed), batch, seq, o);
  }

  /**
   * The decoder layers on input vectors x [B·T, hidden]: the token embeddings for a language
   * model, a learned projection of transitions for the DPT (training/dpt-model.ts).
   */
  blocks(tape: Tape, input: Tensor, batch: number, seq: number, o: BlockOptions = {}): Tensor {
    const c = this.config;
    const posOffset = o.posOffset ?? 0;
    const attend: Attend =
      o.attend ?? ((tp, _l, q, k, v) => causalAttention(tp, q, k, v, { batch, seq, numHeads: c.numHeads, numKvHeads: c.numKvHeads, headDim: c.headDim }));
    const adapter = this.adapter;
    const dropout = (o.dropout ?? true) ? (adapter?.settings.dropout ?? 0) : 0;
    const seed = o.seed ?? 0;
    let x = input;
    this.layers.forEach((layer, l) => {
      const lin = (input: Tensor, p: Projection): Tensor => {
        const pair = adapter?.layers[l]?.[p];
        if (!pair) return linear(tape, input, layer.proj[p]);
        const dropSeed = (seed * 131 + l * 7 + PROJECTIONS.indexOf(p)) >>> 0;
        return loraLinear(tape, input, layer.proj[p], pair.a, pair.b, { alpha: adapter.settings.alpha, dropout, seed: dropSeed });
      };
      const h = rmsnorm(tape, x, layer.attnNorm, c.rmsNormEps);
      const ro = { batch, seq, headDim: c.headDim, theta: c.ropeTheta, posOffset };
      const q = rope(tape, lin(h, 'q_proj'), { ...ro, heads: c.numHeads });
      const k = rope(tape, lin(h, 'k_proj'), { ...ro, heads: c.numKvHeads });
      x = add(tape, x, lin(attend(tape, l, q, k, lin(h, 'v_proj')), 'o_proj'));
      const g = rmsnorm(tape, x, layer.mlpNorm, c.rmsNormEps);
      x = add(tape, x, lin(swiglu(tape, lin(g, 'gate_proj'), lin(g, 'up_proj')), 'down_proj'));
    });
    return x;
  }

  /** Logits [rows, vocab] of hidden states [rows, hidden]. */
  head(tape: Tape, hidden: Tensor): Tensor {
    return linear(tape, rmsnorm(tape, hidden, this.finalNorm, this.config.rmsNormEps), this.lmHead);
  }

  /** Logits [B·T, vocab] (row b·T + t) for ids [B·T]. */
  forward(tape: Tape, ids: IndexBuf, batch: number, seq: number, o: ForwardOptions = {}): Tensor {
    return this.head(tape, this.hidden(tape, ids, batch, seq, o));
  }

  /**
   * Masked mean next-token cross-entropy (DESIGN §7); targets and mask from ops.nextTokenTargets.
   * `denominator` replaces the mask's own count (gradient accumulation, optim.trainStep).
   */
  loss(tape: Tape, ids: IndexBuf, batch: number, seq: number, targets: IndexBuf, mask: Buf, o: ForwardOptions & { denominator?: number } = {}): { logits: Tensor; loss: Tensor } {
    const logits = this.forward(tape, ids, batch, seq, o);
    return { logits, loss: crossEntropy(tape, logits, targets, mask, o.denominator === undefined ? {} : { denominator: o.denominator }) };
  }

  /** Bytes of the frozen base on the backend, split into the projections and the rest. */
  frozenBytes(): { projections: number; other: number } {
    let projections = 0;
    for (const layer of this.layers) for (const p of PROJECTIONS) projections += weightBytes(layer.proj[p]);
    const others = [this.embed, this.finalNorm, ...this.layers.flatMap((l) => [l.attnNorm, l.mlpNorm])];
    if (this.lmHead !== this.embed) others.push(this.lmHead);
    return { projections, other: others.reduce((s, t) => s + weightBytes(t), 0) };
  }
}

/** Backend bytes of a weight: f32 and u32 buffers are both 4 bytes per element. */
function weightBytes(w: BaseWeight): number {
  return w instanceof Nf4Param ? w.byteLength : 4 * w.size;
}

/** Every base weight by HF key, as raw values; built into a model by `assemble`. */
export type WeightSource = (key: string, shape: readonly number[]) => ArrayLike<number>;

function assemble(be: Backend, c: LlamaConfig, source: WeightSource, o: LoadOptions): LlamaModel {
  const total = 2 + 9 * c.numLayers + (c.tieWordEmbeddings ? 0 : 1);
  let done = 0;
  const get: WeightSource = (key, shape) => {
    const w = source(key, shape);
    o.onProgress?.(++done, total);
    return w;
  };
  const frozen = (key: string, shape: number[]): Tensor => parameter(be, shape, get(key, shape), false);
  const h = c.hiddenSize;
  const embed = frozen('model.embed_tokens.weight', [c.vocabSize, h]);
  const layers = Array.from({ length: c.numLayers }, (_, l): LlamaLayer => {
    const proj = {} as Record<Projection, BaseWeight>;
    for (const p of PROJECTIONS) {
      const [rows, cols] = projectionShape(c, p);
      const key = projectionKey(l, p);
      proj[p] = o.nf4 ? uploadNf4(be, quantizeNf4(get(key, [rows, cols]), rows, cols)) : frozen(key, [rows, cols]);
    }
    return { attnNorm: frozen(`model.layers.${l}.input_layernorm.weight`, [h]), mlpNorm: frozen(`model.layers.${l}.post_attention_layernorm.weight`, [h]), proj };
  });
  const finalNorm = frozen('model.norm.weight', [h]);
  const lmHead = c.tieWordEmbeddings ? embed : frozen('lm_head.weight', [c.vocabSize, h]);
  return new LlamaModel(be, c, embed, layers, finalNorm, lmHead);
}

/**
 * A model from the bytes of a Hugging Face model.safetensors. Missing or misshaped tensors are
 * refused naming the key and the expected shape; extra tensors (e.g. rotary inv_freq buffers,
 * an lm_head.weight of a tied model, as transformers also ignores) are ignored.
 */
export function loadLlama(be: Backend, c: LlamaConfig, bytes: Uint8Array | ArrayBuffer, o: LoadOptions = {}, where = 'model.safetensors'): LlamaModel {
  const tensors = checkedTensors(bytes, where);
  const model = assemble(be, c, tensors.get, o);
  // A tensor the config does not use means config and weights disagree (a layer count too small,
  // tie_word_embeddings set on a model with its own lm_head): running would silently drop weights.
  tensors.refuseUnused('check num_hidden_layers and tie_word_embeddings');
  return model;
}

/**
 * The tensors of a weights file as a model assembles them: a tensor that is missing, misshaped
 * or holds a non-finite value is refused naming its key; `refuseUnused` refuses a file with
 * tensors nothing asked for (with `hint` on what to check). Used for Llama and DPT folders.
 */
export function checkedTensors(bytes: Uint8Array | ArrayBuffer, where: string): { get: WeightSource; refuseUnused: (hint: string) => void } {
  const file = parseSafetensors(bytes);
  const used = new Set<string>();
  return {
    get(key, shape) {
      used.add(key);
      const info = file.tensors.get(key);
      if (!info) throw new ModelFormatError(`${where}: missing tensor ${key} (expected shape [${shape.join(', ')}])`);
      if (info.shape.length !== shape.length || info.shape.some((d, i) => d !== shape[i])) {
        throw new ModelFormatError(`${where}: tensor ${key} has shape [${info.shape.join(', ')}], expected [${shape.join(', ')}]`);
      }
      return finiteTensor(readTensor(file, key).data, key, where);
    },
    refuseUnused(hint) {
      const unused = [...file.tensors.keys()].filter((k) => !used.has(k));
      if (unused.length === 0) return;
      const list = unused.slice(0, 3).join(', ') + (unused.length > 3 ? ` and ${unused.length - 3} more` : '');
      throw new ModelFormatError(`${where}: holds tensors config.json does not use (${list}); ${hint}`);
    },
  };
}

/**
 * A random model for tests and toy training, drawn from a seed: linear weights N(0, 1/in),
 * embedding N(0, 1), norms 1 (larger than HF's 0.02 init so a tiny model is not near-uniform).
 */
export function randomLlama(be: Backend, c: LlamaConfig, seed: number, o: LoadOptions = {}): LlamaModel {
  const rng = new Rng(seed, 'llama-init');
  return assemble(
    be,
    c,
    (key, shape) => {
      const n = shape.reduce((a, b) => a * b, 1);
      if (key.endsWith('norm.weight')) return new Float64Array(n).fill(1);
      const std = key === 'model.embed_tokens.weight' ? 1 : 1 / Math.sqrt(shape[1]!);
      return Float64Array.from({ length: n }, () => rng.normal() * std);
    },
    o,
  );
}
