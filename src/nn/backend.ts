/**
 * The engine's kernel interface: what every backend implements (cpu/ in TypedArrays, webgpu/ in WGSL).
 *
 * Why kernels on opaque buffers rather than a generic tensor library: no maintained JS library
 * trains LoRA/QLoRA adapters on WebGPU (onnxruntime-web's training API was CPU-only and was
 * removed in 2024; DESIGN §5), and a general tensor library (broadcasting, views, dtype
 * promotion) would have to be written twice, once per backend. A Llama decoder with LoRA needs
 * only a dozen fused forward/backward primitives, each of which maps to one or two WGSL compute
 * shaders. Autograd (tape.ts) and the differentiable ops (ops.ts) are written once on top.
 *
 * Rules every backend follows, chosen so a GPU backend can implement them without stalls:
 * - Buffers are created and uploaded synchronously; kernels are dispatched synchronously (a GPU
 *   backend only enqueues); `read` is the only async call (the only GPU→CPU sync point).
 * - Buffers hold f32 (`Buf`) or u32 indices (`IndexBuf`); they are flat, row-major, and carry no
 *   shape: every kernel takes its dimensions explicitly.
 * - Backward kernels ADD into their gradient outputs (dx += ...). The tape zeroes a gradient
 *   buffer once when it is created, so a tensor used twice (residuals, tied weights) just
 *   receives two contributions and no kernel needs a separate accumulate pass.
 * - Buffers passed to one call do not alias unless the kernel says so (addInPlace, scale).
 *
 * Layouts (see docs/engine.md): activations are [N, features] with N = batch·seq tokens in
 * row-major order (token index = b·seq + t). Attention heads live inside the feature dimension,
 * so q is [B, T, H, D] and k, v are [B, S, Hkv, D] without any transpose; linear weights use the
 * Hugging Face layout [out, in].
 */

/** An f32 buffer owned by a backend. Opaque: only the backend that made it can use it. */
export interface Buf {
  readonly size: number;
  readonly dtype: 'f32';
}

/** A u32 index buffer (token ids, targets). */
export interface IndexBuf {
  readonly size: number;
  readonly dtype: 'u32';
}

export interface MatmulParams {
  /** Rows of op(A) and of out. */
  m: number;
  /** Columns of op(B) and of out. */
  n: number;
  /** The contracted dimension. */
  k: number;
  /** A is stored [k, m] and used transposed. */
  transA?: boolean;
  /** B is stored [n, k] and used transposed (the Hugging Face linear layout, x W^T). */
  transB?: boolean;
  /** out += alpha·op(A)·op(B) instead of out = alpha·op(A)·op(B). */
  accumulate?: boolean;
  /** Scale of the product (LoRA's alpha/r folds in here). Default 1. */
  alpha?: number;
}

export interface RmsNormParams {
  rows: number;
  dim: number;
  eps: number;
}

export interface RopeParams {
  batch: number;
  seq: number;
  heads: number;
  headDim: number;
  /** Base of the inverse frequencies (Llama: 10000; some checkpoints 500000). */
  theta: number;
  /** Position of token t is posOffset + t (KV-cache decoding). */
  posOffset: number;
}

export interface AttentionParams {
  batch: number;
  /** Query tokens per sequence. */
  seq: number;
  /** Key/value tokens per sequence (= seq in training; posOffset + seq with a KV cache). */
  kvSeq: number;
  numHeads: number;
  /** numHeads must be a multiple of numKvHeads; query head h reads KV head floor(h / (numHeads/numKvHeads)). */
  numKvHeads: number;
  headDim: number;
  /** Query t sits at absolute position posOffset + t and sees keys 0..posOffset + t. */
  posOffset: number;
  /**
   * The backward will follow this forward: a backend may keep what saves it work (the CPU keeps
   * the probabilities, within a memory budget). Results are the same either way, to rounding.
   */
  forBackward?: boolean;
}

export interface CrossEntropyParams {
  rows: number;
  vocab: number;
  /**
   * What the masked sum of token losses is divided by. 0 = the mask's own sum (mean over the
   * counted targets of this batch). Gradient accumulation passes the total count over all
   * micro-batches so the accumulated gradient equals the one of the full batch.
   */
  denominator: number;
}

export interface AdamWParams {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
  /** 1-based step count, for bias correction. */
  step: number;
  /** Gradients are multiplied by this first (global-norm clipping). Default 1. */
  gradScale?: number;
}

export interface Backend {
  readonly name: string;

  // ----- memory -----
  /** A zero-filled f32 buffer of `size` elements. */
  alloc(size: number): Buf;
  /** A f32 buffer holding a copy of `data`. */
  upload(data: ArrayLike<number>): Buf;
  /** Overwrite `buf` (or the part starting at `offset`) with `data`. */
  write(buf: Buf, data: ArrayLike<number>, offset?: number): void;
  uploadIndices(data: ArrayLike<number>): IndexBuf;
  writeIndices(buf: IndexBuf, data: ArrayLike<number>): void;
  /** The buffer's contents after every kernel dispatched before this call. */
  read(buf: Buf): Promise<Float32Array>;
  free(buf: Buf | IndexBuf): void;

  // ----- element-wise -----
  fill(buf: Buf, value: number): void;
  copy(src: Buf, dst: Buf): void;
  /** dst += alpha·src. */
  addInPlace(dst: Buf, src: Buf, alpha?: number): void;
  /** buf *= s. */
  scale(buf: Buf, s: number): void;
  /** out = a·b element-wise, or out += a·b with accumulate. */
  mul(a: Buf, b: Buf, out: Buf, accumulate?: boolean): void;
  /**
   * out[i] = keep ? 1/(1-p) : 0 with keep = hash(seed, i) ≥ p·2^32 (inverted dropout).
   * Counter-based (hashU32 below) so every backend draws the same mask for the same seed.
   */
  dropoutMask(out: Buf, seed: number, p: number): void;

  // ----- linear algebra -----
  /** out (m×n) (+)= alpha · op(A) (m×k) · op(B) (k×n). */
  matmul(a: Buf, b: Buf, out: Buf, p: MatmulParams): void;

  // ----- Llama blocks -----
  /** y = x · rstd · w per row, rstd = 1/sqrt(mean(x²) + eps); saves rstd [rows]. */
  rmsnormForward(x: Buf, w: Buf, y: Buf, rstd: Buf, p: RmsNormParams): void;
  /** dx += ∂L/∂x, dw += ∂L/∂w (either may be null when not needed). */
  rmsnormBackward(dy: Buf, x: Buf, w: Buf, rstd: Buf, dx: Buf | null, dw: Buf | null, p: RmsNormParams): void;
  /** Rotate-half RoPE as Hugging Face Llama: pairs (i, i + D/2), inv_freq_i = theta^(-2i/D). */
  ropeForward(x: Buf, y: Buf, p: RopeParams): void;
  /** dx += R(pos)ᵀ dy. */
  ropeBackward(dy: Buf, dx: Buf, p: RopeParams): void;
  /**
   * Causal softmax(q kᵀ / sqrt(D)) v with grouped KV heads. q/out [B, T, H, D], k/v [B, S, Hkv, D].
   * Saves the row log-sum-exp [B, H, T] so the backward recomputes the probabilities instead
   * of storing T×S of them (memory O(T) per head, like flash attention).
   */
  attentionForward(q: Buf, k: Buf, v: Buf, out: Buf, lse: Buf, p: AttentionParams): void;
  /** dq += .., dk += .., dv += .. (the KV gradients sum over the heads of their group). */
  attentionBackward(dout: Buf, q: Buf, k: Buf, v: Buf, out: Buf, lse: Buf, dq: Buf, dk: Buf, dv: Buf, p: AttentionParams): void;
  /** out = silu(gate) · up. */
  swigluForward(gate: Buf, up: Buf, out: Buf): void;
  swigluBackward(dout: Buf, gate: Buf, up: Buf, dgate: Buf, dup: Buf): void;
  /** out[r] = table[ids[r]], table [vocab, dim]. */
  embeddingForward(ids: IndexBuf, table: Buf, out: Buf, dim: number): void;
  /** dtable[ids[r]] += dout[r] (scatter-add; repeated ids accumulate). */
  embeddingBackward(ids: IndexBuf, dout: Buf, dtable: Buf, dim: number): void;
  /**
   * loss[0] = Σ_r mask[r]·(lse_r − logits[r, targets[r]]) / denominator; saves lse [rows].
   * mask is f32 so it can also weight targets.
   */
  crossEntropyForward(logits: Buf, targets: IndexBuf, mask: Buf, loss: Buf, lse: Buf, p: CrossEntropyParams): void;
  /** dlogits += dloss[0] · mask[r] · (softmax(logits[r]) − onehot(targets[r])) / denominator. */
  crossEntropyBackward(logits: Buf, targets: IndexBuf, mask: Buf, lse: Buf, dloss: Buf, dlogits: Buf, p: CrossEntropyParams): void;

  // ----- quantized weights -----
  /**
   * NF4 dequantization (nf4-linear.ts): out[i] = fround(NF4[code_i] · absmax[floor(i / 64)]) for
   * every i < out.size. `codes` holds 8 codes per u32: word j is bytes 4j..4j+3 (little-endian)
   * of nf4.ts's packing, so element e sits in word e >> 3 at bit 8·((e >> 1) & 3) + (e even ? 4 : 0).
   * Optional only so that a backend under construction still type-checks; nf4Linear refuses a
   * backend without it.
   */
  nf4Dequantize?(codes: IndexBuf, absmax: Buf, out: Buf): void;

  // ----- optimisation -----
  /** out[0] (+)= Σ x² (accumulated in f64 on CPU), for global-norm clipping. */
  sumSquares(x: Buf, out: Buf, accumulate?: boolean): void;
  /** Decoupled weight decay (Loshchilov & Hutter) with bias-corrected moments, in place. */
  adamwStep(param: Buf, grad: Buf, m: Buf, v: Buf, p: AdamWParams): void;
}

/**
 * The dropout hash: a 32-bit integer mix (lowbias32 by Chris Wellons) of seed and index. Only
 * u32 multiply/xor/shift, so WGSL reproduces it bit for bit.
 */
export function hashU32(seed: number, index: number): number {
  // Odd-constant multiplies spread seed and index over all bits; the added constant keeps
  // (seed 0, index 0) from hashing to 0 (which would always be dropped).
  let x = (Math.imul(index >>> 0, 0x9e3779b9) + Math.imul(seed >>> 0, 0x85ebca6b) + 0x632be5ab) >>> 0;
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b);
  x ^= x >>> 16;
  return x >>> 0;
}
