/**
 * CPU kernels of the per-token Llama layers: RMSNorm, RoPE, embedding, cross-entropy.
 * Row reductions (mean square, log-sum-exp, the loss sum) run in f64 JS numbers.
 */
import { fastExp } from './fast-exp.ts';
import type { CrossEntropyParams, RmsNormParams, RopeParams } from '../backend.ts';
import type { Floats } from './storage.ts';

export function rmsnormForward(x: Floats, w: Floats, y: Floats, rstd: Floats, p: RmsNormParams): void {
  const { rows, dim, eps } = p;
  for (let r = 0; r < rows; r++) {
    const o = r * dim;
    let ss = 0;
    for (let j = 0; j < dim; j++) ss += x[o + j]! * x[o + j]!;
    const rs = 1 / Math.sqrt(ss / dim + eps);
    rstd[r] = rs;
    for (let j = 0; j < dim; j++) y[o + j] = x[o + j]! * rs * w[j]!;
  }
}

export function rmsnormBackward(dy: Floats, x: Floats, w: Floats, rstd: Floats, dx: Floats | null, dw: Floats | null, p: RmsNormParams): void {
  const { rows, dim } = p;
  for (let r = 0; r < rows; r++) {
    const o = r * dim;
    const rs = rstd[r]!;
    if (dw) for (let j = 0; j < dim; j++) dw[j] += dy[o + j]! * x[o + j]! * rs;
    if (dx) {
      // dx = rstd·(dy∘w − x·rstd²·mean(dy∘w∘x))
      let dot = 0;
      for (let j = 0; j < dim; j++) dot += dy[o + j]! * w[j]! * x[o + j]!;
      const c = (rs * rs * dot) / dim;
      for (let j = 0; j < dim; j++) dx[o + j] += rs * (dy[o + j]! * w[j]! - x[o + j]! * c);
    }
  }
}

/**
 * cos/sin per (position, frequency), rounded through f32 where Hugging Face computes in f32
 * (inv_freq and the angle), so long positions agree with the PyTorch reference.
 */
function ropeTable(p: RopeParams): { cos: Float64Array; sin: Float64Array } {
  const half = p.headDim / 2;
  const cos = new Float64Array(p.seq * half);
  const sin = new Float64Array(p.seq * half);
  for (let i = 0; i < half; i++) {
    const invFreq = Math.fround(1 / Math.pow(p.theta, (2 * i) / p.headDim));
    for (let t = 0; t < p.seq; t++) {
      const angle = Math.fround((p.posOffset + t) * invFreq);
      cos[t * half + i] = Math.cos(angle);
      sin[t * half + i] = Math.sin(angle);
    }
  }
  return { cos, sin };
}

function rope(src: Floats, dst: Floats, p: RopeParams, direction: 1 | -1, accumulate: boolean): void {
  const { batch, seq, heads, headDim } = p;
  if (headDim % 2 !== 0) throw new Error(`rope: headDim must be even, got ${headDim}`);
  const half = headDim / 2;
  const { cos, sin } = ropeTable(p);
  for (let b = 0; b < batch; b++) {
    for (let t = 0; t < seq; t++) {
      const to = t * half;
      for (let h = 0; h < heads; h++) {
        const o = ((b * seq + t) * heads + h) * headDim;
        for (let i = 0; i < half; i++) {
          const c = cos[to + i]!;
          const s = direction * sin[to + i]!;
          const x1 = src[o + i]!;
          const x2 = src[o + half + i]!;
          // rotate_half: (x1, x2) -> (x1 c − x2 s, x2 c + x1 s); the backward is the inverse rotation.
          const y1 = x1 * c - x2 * s;
          const y2 = x2 * c + x1 * s;
          if (accumulate) {
            dst[o + i] += y1;
            dst[o + half + i] += y2;
          } else {
            dst[o + i] = y1;
            dst[o + half + i] = y2;
          }
        }
      }
    }
  }
}

export function ropeForward(x: Floats, y: Floats, p: RopeParams): void {
  rope(x, y, p, 1, false);
}

export function ropeBackward(dy: Floats, dx: Floats, p: RopeParams): void {
  rope(dy, dx, p, -1, true);
}

function checkIds(ids: Uint32Array, vocab: number): void {
  for (let r = 0; r < ids.length; r++) {
    if (ids[r]! >= vocab) throw new Error(`token id ${ids[r]} at row ${r} is outside the vocabulary of ${vocab}`);
  }
}

export function embeddingForward(ids: Uint32Array, table: Floats, out: Floats, dim: number): void {
  checkIds(ids, table.length / dim);
  for (let r = 0; r < ids.length; r++) out.set(table.subarray(ids[r]! * dim, (ids[r]! + 1) * dim), r * dim);
}

export function embeddingBackward(ids: Uint32Array, dout: Floats, dtable: Floats, dim: number): void {
  checkIds(ids, dtable.length / dim);
  for (let r = 0; r < ids.length; r++) {
    const to = ids[r]! * dim;
    const o = r * dim;
    for (let j = 0; j < dim; j++) dtable[to + j] += dout[o + j]!;
  }
}

/** The effective denominator; an all-zero mask gives loss 0 and zero gradients rather than NaN. */
function denominatorOf(mask: Floats, p: CrossEntropyParams): number {
  if (p.denominator > 0) return p.denominator;
  let s = 0;
  for (let r = 0; r < p.rows; r++) s += mask[r]!;
  return s > 0 ? s : 1;
}

/** `fast`: the softmax's exp through fastExp (the 'fast' kernels, fast-exp.ts). */
export function crossEntropyForward(logits: Floats, targets: Uint32Array, mask: Floats, loss: Floats, lse: Floats, p: CrossEntropyParams, fast = false): void {
  const { rows, vocab } = p;
  checkIds(targets, vocab);
  let total = 0;
  for (let r = 0; r < rows; r++) {
    const o = r * vocab;
    let mx = -Infinity;
    for (let j = 0; j < vocab; j++) mx = Math.max(mx, logits[o + j]!);
    let s = 0;
    for (let j = 0; j < vocab; j++) s += fast ? fastExp(logits[o + j]! - mx) : Math.exp(logits[o + j]! - mx);
    const l = mx + Math.log(s);
    lse[r] = l;
    if (mask[r] !== 0) total += mask[r]! * (l - logits[o + targets[r]!]!);
  }
  loss[0] = total / denominatorOf(mask, p);
}

export function crossEntropyBackward(logits: Floats, targets: Uint32Array, mask: Floats, lse: Floats, dloss: Floats, dlogits: Floats, p: CrossEntropyParams, fast = false): void {
  const { rows, vocab } = p;
  const g = dloss[0]! / denominatorOf(mask, p);
  for (let r = 0; r < rows; r++) {
    if (mask[r] === 0) continue;
    const o = r * vocab;
    const c = g * mask[r]!;
    const l = lse[r]!;
    for (let j = 0; j < vocab; j++) dlogits[o + j] += c * (fast ? fastExp(logits[o + j]! - l) : Math.exp(logits[o + j]! - l));
    dlogits[o + targets[r]!] -= c;
  }
}
