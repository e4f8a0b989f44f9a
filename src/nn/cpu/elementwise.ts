/**
 * Element-wise CPU kernels: arithmetic, dropout masks, SwiGLU, and the optimiser's kernels.
 * Every loop is a single pass over flat arrays; sizes come from the buffers themselves.
 */
import { hashU32, type AdamWParams } from '../backend.ts';
import { fastExp } from './fast-exp.ts';
import type { Floats } from './storage.ts';

function sameSize(name: string, ...arrays: Floats[]): number {
  const n = arrays[0]!.length;
  for (const a of arrays) if (a.length !== n) throw new Error(`${name}: buffer sizes differ (${arrays.map((x) => x.length).join(', ')})`);
  return n;
}

export function addInPlace(dst: Floats, src: Floats, alpha: number): void {
  const n = sameSize('addInPlace', dst, src);
  for (let i = 0; i < n; i++) dst[i] += alpha * src[i]!;
}

export function scale(buf: Floats, s: number): void {
  for (let i = 0; i < buf.length; i++) buf[i] *= s;
}

export function mul(a: Floats, b: Floats, out: Floats, accumulate: boolean): void {
  const n = sameSize('mul', a, b, out);
  if (accumulate) for (let i = 0; i < n; i++) out[i] += a[i]! * b[i]!;
  else for (let i = 0; i < n; i++) out[i] = a[i]! * b[i]!;
}

export function dropoutMask(out: Floats, seed: number, p: number): void {
  if (!(p >= 0 && p < 1)) throw new Error(`dropout p must be in [0, 1), got ${p}`);
  // Compare integers so the GPU's u32 comparison gives the same mask.
  const threshold = Math.min(0xffffffff, Math.floor(p * 4294967296));
  const keep = 1 / (1 - p);
  for (let i = 0; i < out.length; i++) out[i] = hashU32(seed, i) >= threshold ? keep : 0;
}

const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));
// fastExp covers arguments up to 709; past that e^-x is Infinity either way and σ(x) = 0.
const fastSigmoid = (x: number): number => 1 / (1 + (x < -709 ? Infinity : fastExp(-x)));

/** `fast` (the 'fast' kernels, fast-exp.ts): σ through fastExp; the test is the same every iteration, so the branch is free. */
export function swigluForward(gate: Floats, up: Floats, out: Floats, fast = false): void {
  const n = sameSize('swiglu', gate, up, out);
  for (let i = 0; i < n; i++) {
    const g = gate[i]!;
    out[i] = g * (fast ? fastSigmoid(g) : sigmoid(g)) * up[i]!;
  }
}

export function swigluBackward(dout: Floats, gate: Floats, up: Floats, dgate: Floats, dup: Floats, fast = false): void {
  const n = sameSize('swigluBackward', dout, gate, up, dgate, dup);
  for (let i = 0; i < n; i++) {
    const g = gate[i]!;
    const s = fast ? fastSigmoid(g) : sigmoid(g);
    const d = dout[i]!;
    dup[i] += d * g * s;
    // d silu/dg = s + g·s·(1 − s)
    dgate[i] += d * up[i]! * s * (1 + g * (1 - s));
  }
}

export function sumSquares(x: Floats, out: Floats, accumulate: boolean): void {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i]! * x[i]!;
  out[0] = accumulate ? out[0]! + s : s;
}

/** PyTorch's AdamW update order: decay, moments, bias-corrected step (torch.optim.AdamW, foreach=False). */
export function adamwStep(param: Floats, grad: Floats, m: Floats, v: Floats, p: AdamWParams): void {
  const n = sameSize('adamwStep', param, grad, m, v);
  const { lr, beta1, beta2, eps, weightDecay, step } = p;
  if (!(step >= 1)) throw new Error(`adamwStep: step is 1-based, got ${step}`);
  const gs = p.gradScale ?? 1;
  const decay = 1 - lr * weightDecay;
  const bc1 = 1 - Math.pow(beta1, step);
  const bc2Sqrt = Math.sqrt(1 - Math.pow(beta2, step));
  const stepSize = lr / bc1;
  for (let i = 0; i < n; i++) {
    const g = grad[i]! * gs;
    const mi = beta1 * m[i]! + (1 - beta1) * g;
    const vi = beta2 * v[i]! + (1 - beta2) * g * g;
    m[i] = mi;
    v[i] = vi;
    param[i] = param[i]! * decay - (stepSize * mi) / (Math.sqrt(vi) / bc2Sqrt + eps);
  }
}
