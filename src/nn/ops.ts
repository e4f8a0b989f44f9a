/**
 * Differentiable ops: a forward kernel call plus a tape entry whose closure calls the backward
 * kernels. Tensors are matrices [rows, features] with rows = batch·seq tokens (row-major,
 * token b·seq + t); attention heads are slices of the feature dimension ([B, T, H, D]), so no
 * op ever transposes activations. Linear weights are [out, in] (Hugging Face), LoRA A [r, in]
 * and B [out, r] (PEFT).
 */
import type { Buf, IndexBuf } from './backend.ts';
import { Nf4Param, withDequantized } from './nf4-linear.ts';
import type { Tape } from './tape.ts';
import { Tensor } from './tensor.ts';

function expect(cond: boolean, msg: string): void {
  if (!cond) throw new Error(msg);
}

/** out[r] = table[ids[r]]; table [vocab, dim]. */
export function embedding(tape: Tape, ids: IndexBuf, table: Tensor): Tensor {
  const dim = table.cols;
  const out = tape.output([ids.size, dim], [table]);
  tape.backend.embeddingForward(ids, table.buf, out.buf, dim);
  tape.record('embedding', out, (dout) => tape.backend.embeddingBackward(ids, dout, tape.grad(table), dim));
  return out;
}

export function add(tape: Tape, a: Tensor, b: Tensor): Tensor {
  expect(a.size === b.size, `add: sizes differ (${a.size} vs ${b.size})`);
  const out = tape.output(a.shape, [a, b]);
  tape.backend.copy(a.buf, out.buf);
  tape.backend.addInPlace(out.buf, b.buf);
  tape.record('add', out, (dout) => {
    if (a.requiresGrad) tape.backend.addInPlace(tape.grad(a), dout);
    if (b.requiresGrad) tape.backend.addInPlace(tape.grad(b), dout);
  });
  return out;
}

/** RMSNorm over the last dimension with a learned per-feature weight. */
export function rmsnorm(tape: Tape, x: Tensor, w: Tensor, eps: number): Tensor {
  const p = { rows: x.rows, dim: x.cols, eps };
  expect(w.size === p.dim, `rmsnorm: weight has ${w.size} elements, features ${p.dim}`);
  const out = tape.output(x.shape, [x, w]);
  const rstd = tape.temp(p.rows);
  tape.backend.rmsnormForward(x.buf, w.buf, out.buf, rstd, p);
  tape.record('rmsnorm', out, (dout) =>
    tape.backend.rmsnormBackward(dout, x.buf, w.buf, rstd, x.requiresGrad ? tape.grad(x) : null, w.requiresGrad ? tape.grad(w) : null, p),
  );
  return out;
}

export interface RopeConfig {
  batch: number;
  seq: number;
  heads: number;
  headDim: number;
  theta: number;
  posOffset?: number;
}

/** Rotary embedding of x [B, T, heads, headDim] (rotate-half, as Hugging Face Llama). */
export function rope(tape: Tape, x: Tensor, c: RopeConfig): Tensor {
  const p = { ...c, posOffset: c.posOffset ?? 0 };
  expect(x.size === p.batch * p.seq * p.heads * p.headDim, `rope: ${x.size} elements do not match [${p.batch}, ${p.seq}, ${p.heads}, ${p.headDim}]`);
  const out = tape.output(x.shape, [x]);
  tape.backend.ropeForward(x.buf, out.buf, p);
  tape.record('rope', out, (dout) => tape.backend.ropeBackward(dout, tape.grad(x), p));
  return out;
}

export interface AttentionConfig {
  batch: number;
  seq: number;
  numHeads: number;
  numKvHeads: number;
  headDim: number;
}

/** Causal self-attention: q [B·T, H·D], k and v [B·T, Hkv·D] → [B·T, H·D]. */
export function causalAttention(tape: Tape, q: Tensor, k: Tensor, v: Tensor, c: AttentionConfig): Tensor {
  const p = { ...c, kvSeq: c.seq, posOffset: 0, forBackward: tape.gradEnabled };
  const rows = c.batch * c.seq;
  expect(q.size === rows * c.numHeads * c.headDim, 'causalAttention: q does not match [B, T, H, D]');
  expect(k.size === rows * c.numKvHeads * c.headDim && v.size === k.size, 'causalAttention: k/v do not match [B, T, Hkv, D]');
  const out = tape.output(q.shape, [q, k, v]);
  const lse = tape.temp(c.batch * c.numHeads * c.seq);
  tape.backend.attentionForward(q.buf, k.buf, v.buf, out.buf, lse, p);
  tape.record('causalAttention', out, (dout) =>
    tape.backend.attentionBackward(dout, q.buf, k.buf, v.buf, out.buf, lse, tape.gradOrScratch(q), tape.gradOrScratch(k), tape.gradOrScratch(v), p),
  );
  return out;
}

/** silu(gate) · up, the Llama MLP's gating. */
export function swiglu(tape: Tape, gate: Tensor, up: Tensor): Tensor {
  expect(gate.size === up.size, 'swiglu: gate and up differ in size');
  const out = tape.output(gate.shape, [gate, up]);
  tape.backend.swigluForward(gate.buf, up.buf, out.buf);
  tape.record('swiglu', out, (dout) => tape.backend.swigluBackward(dout, gate.buf, up.buf, tape.gradOrScratch(gate), tape.gradOrScratch(up)));
  return out;
}

/** A frozen or trainable dense weight, or a frozen NF4 one (QLoRA; see nf4-linear.ts). */
export type BaseWeight = Tensor | Nf4Param;

/** out (+)= x Wᵀ for x [n, in] and the base weight W [out, in]. */
function baseForward(tape: Tape, x: Buf, w: BaseWeight, out: Buf, n: number): void {
  const p = { m: n, n: w.shape[0]!, k: w.shape[1]!, transB: true };
  if (w instanceof Nf4Param) withDequantized(tape, w, (dense) => tape.backend.matmul(x, dense, out, p));
  else tape.backend.matmul(x, w.buf, out, p);
}

/** dx += dout W; the only gradient an NF4 weight passes on (it is frozen). */
function baseBackwardDx(tape: Tape, dout: Buf, w: BaseWeight, dx: Buf, n: number): void {
  const p = { m: n, n: w.shape[1]!, k: w.shape[0]!, accumulate: true };
  if (w instanceof Nf4Param) withDequantized(tape, w, (dense) => tape.backend.matmul(dout, dense, dx, p));
  else tape.backend.matmul(dout, w.buf, dx, p);
}

function inputsOf(x: Tensor, w: BaseWeight, ...rest: Tensor[]): Tensor[] {
  return w instanceof Tensor ? [x, w, ...rest] : [x, ...rest];
}

/** y = x Wᵀ with x [N, in], W [out, in] (no bias: Llama has none). */
export function linear(tape: Tape, x: Tensor, w: BaseWeight): Tensor {
  const [outF, inF] = [w.shape[0]!, w.shape[1]!];
  expect(x.cols === inF, `linear: x has ${x.cols} features, W expects ${inF}`);
  const n = x.rows;
  const out = tape.output([...x.shape.slice(0, -1), outF], inputsOf(x, w));
  baseForward(tape, x.buf, w, out.buf, n);
  tape.record('linear', out, (dout) => {
    if (x.requiresGrad) baseBackwardDx(tape, dout, w, tape.grad(x), n);
    if (w instanceof Tensor && w.requiresGrad) tape.backend.matmul(dout, x.buf, tape.grad(w), { m: outF, n: inF, k: n, transA: true, accumulate: true });
  });
  return out;
}

export interface LoraConfig {
  /** LoRA alpha; the update is scaled by alpha / r (PEFT's `scaling`). */
  alpha: number;
  /** Dropout on the adapter's input; 0 disables it (evaluation, the CLI's forward). */
  dropout: number;
  /** Seed of the dropout mask; give every layer and step its own. */
  seed: number;
}

/** y = x Wᵀ + (alpha/r)·(dropout(x) Aᵀ) Bᵀ with A [r, in], B [out, r] (PEFT layout). */
export function loraLinear(tape: Tape, x: Tensor, w: BaseWeight, a: Tensor, b: Tensor, c: LoraConfig): Tensor {
  const be = tape.backend;
  const [outF, inF, r] = [w.shape[0]!, w.shape[1]!, a.shape[0]!];
  expect(x.cols === inF && a.cols === inF && b.shape[0] === outF && b.cols === r, 'loraLinear: shapes of x, W, A, B do not agree');
  const n = x.rows;
  const s = c.alpha / r;
  const out = tape.output([...x.shape.slice(0, -1), outF], inputsOf(x, w, a, b));
  baseForward(tape, x.buf, w, out.buf, n);
  let mask: Buf | null = null;
  let xd = x.buf;
  if (c.dropout > 0 && tape.gradEnabled) {
    mask = tape.temp(x.size);
    be.dropoutMask(mask, c.seed, c.dropout);
    xd = tape.temp(x.size);
    be.mul(x.buf, mask, xd);
  }
  const h = tape.temp(n * r);
  be.matmul(xd, a.buf, h, { m: n, n: r, k: inF, transB: true });
  be.matmul(h, b.buf, out.buf, { m: n, n: outF, k: r, transB: true, accumulate: true, alpha: s });
  tape.record('loraLinear', out, (dout) => {
    if (x.requiresGrad) baseBackwardDx(tape, dout, w, tape.grad(x), n);
    if (w instanceof Tensor && w.requiresGrad) be.matmul(dout, x.buf, tape.grad(w), { m: outF, n: inF, k: n, transA: true, accumulate: true });
    if (b.requiresGrad) be.matmul(dout, h, tape.grad(b), { m: outF, n: r, k: n, transA: true, accumulate: true, alpha: s });
    if (!a.requiresGrad && !x.requiresGrad) return;
    const dh = tape.temp(n * r);
    be.matmul(dout, b.buf, dh, { m: n, n: r, k: outF, alpha: s });
    if (a.requiresGrad) be.matmul(dh, xd, tape.grad(a), { m: r, n: inF, k: n, transA: true, accumulate: true });
    if (!x.requiresGrad) return;
    if (mask) {
      const dxd = tape.temp(x.size);
      be.matmul(dh, a.buf, dxd, { m: n, n: inF, k: r });
      be.mul(dxd, mask, tape.grad(x), true);
    } else {
      be.matmul(dh, a.buf, tape.grad(x), { m: n, n: inF, k: r, accumulate: true });
    }
  });
  return out;
}

export interface CrossEntropyOptions {
  /** Divide the masked loss sum by this instead of the mask's sum (gradient accumulation). */
  denominator?: number;
}

/**
 * Mean cross-entropy of logits [N, V] against targets [N] over rows with mask ≠ 0 → a scalar.
 * Row r predicts targets[r]; `nextTokenTargets` builds shifted targets from token ids.
 */
export function crossEntropy(tape: Tape, logits: Tensor, targets: IndexBuf, mask: Buf, opts: CrossEntropyOptions = {}): Tensor {
  const p = { rows: logits.rows, vocab: logits.cols, denominator: opts.denominator ?? 0 };
  expect(targets.size === p.rows && mask.size === p.rows, `crossEntropy: ${p.rows} rows but ${targets.size} targets and ${mask.size} mask entries`);
  const out = tape.output([1], [logits]);
  const lse = tape.temp(p.rows);
  tape.backend.crossEntropyForward(logits.buf, targets, mask, out.buf, lse, p);
  tape.record('crossEntropy', out, (dout) => tape.backend.crossEntropyBackward(logits.buf, targets, mask, lse, dout, tape.grad(logits), p));
  return out;
}

/**
 * Next-token targets for ids [B][T]: row b·T + t targets ids[b][t+1]; the last row of each
 * sequence has no target. lossMask[b][t] = 1 marks token t (t ≥ 1) as a counted target
 * (DESIGN §7); without it every t ≥ 1 counts.
 */
export function nextTokenTargets(ids: readonly (readonly number[])[], lossMask?: readonly (readonly number[])[]): { targets: number[]; mask: number[] } {
  const targets: number[] = [];
  const mask: number[] = [];
  ids.forEach((row, b) => {
    for (let t = 0; t < row.length; t++) {
      const last = t + 1 >= row.length;
      targets.push(last ? 0 : row[t + 1]!);
      mask.push(last ? 0 : (lossMask?.[b]?.[t + 1] ?? 1));
    }
  });
  return { targets, mask };
}
