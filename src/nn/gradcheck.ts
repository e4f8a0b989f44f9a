/**
 * Gradient checking for tests: analytic gradients from the tape against central finite
 * differences computed in float64.
 *
 * The same CPU kernels run twice: on a Float64Array backend (finite differences with h = 1e-5
 * have truncation error O(h²) ≈ 1e-10 and rounding error ≈ 1e-16/h ≈ 1e-11, so they are
 * accurate to ~1e-9 and can check the f64 analytic gradient tightly: that checks the MATH),
 * and on the Float32Array backend the engine uses (that checks the f32 pipeline, compared with a
 * tolerance that fits f32; see F32_RTOL). A non-scalar output is reduced to a scalar by a fixed
 * random projection L = Σ out·R, so every output element's gradient is exercised.
 */
import { Rng } from '../core/rng.ts';
import type { Buf } from './backend.ts';
import { CpuBackend } from './cpu/index.ts';
import { Tape } from './tape.ts';
import { Tensor, parameter } from './tensor.ts';

export interface GradInput {
  shape: number[];
  data: Float64Array;
  /** Default true. */
  requiresGrad?: boolean;
}

export interface GradCase {
  inputs: GradInput[];
  /** Build the op under test; non-differentiable inputs (ids, masks) are created from tape.backend here. */
  forward(tape: Tape, xs: Tensor[]): Tensor;
}

export interface GradReport {
  /** max |analytic_f64 − fd| / (max |fd| of that input + 1e-8), over all inputs. */
  err64: number;
  /** max |analytic_f32 − fd| / (max |fd| of that input + 1e-8). */
  err32: number;
  /** Entries compared. */
  checked: number;
  /** Largest |fd| seen (guards against a vacuous check where everything is 0). */
  maxAbs: number;
}

/**
 * f32 stores every activation and gradient with relative rounding 2^-24 ≈ 6e-8; a backward
 * pass chains a few dozen such roundings and sums over tens to hundreds of terms (the kernels
 * sum in f64 and round once on store, which keeps it there). Measured on the op tests: at most
 * 5e-7 of the gradient's scale. 1e-4 leaves a margin of 200 and still catches real bugs: a
 * wrong index or a missing term moves gradients by O(1) of their scale, and even a 0.1 % error
 * in one term of the attention backward fails it.
 */
export const F32_RTOL = 1e-4;
/** f64 analytic vs f64 finite differences: measured ≤ 5e-10, limited by the FD's own accuracy. */
export const F64_RTOL = 1e-7;

export function randomData(rng: Rng, n: number, scale = 1): Float64Array {
  const a = new Float64Array(n);
  for (let i = 0; i < n; i++) a[i] = rng.normal() * scale;
  return a;
}

function run(be: CpuBackend, c: GradCase, datas: Float64Array[], proj: Float64Array | null, withGrad: boolean): { loss: number; grads: Float64Array[]; outSize: number } {
  const tape = new Tape(be);
  const xs = c.inputs.map((inp, i) => parameter(be, inp.shape, datas[i]!, inp.requiresGrad ?? true));
  const out = c.forward(tape, xs);
  const o = be.view(out.buf);
  const r = proj ?? new Float64Array(o.length).fill(1);
  let loss = 0;
  for (let i = 0; i < o.length; i++) loss += o[i]! * r[i]!;
  const grads: Float64Array[] = [];
  if (withGrad) {
    const rBuf: Buf = be.upload(r);
    const scalar = tape.output([1], [out]);
    be.fill(scalar.buf, loss);
    tape.record('project', scalar, (d) => be.addInPlace(tape.grad(out), rBuf, be.view(d)[0]!));
    tape.backward(scalar);
    for (const x of xs) grads.push(Float64Array.from(x.grad ? be.view(x.grad) : new Float64Array(x.size)));
  }
  tape.reset();
  return { loss, grads, outSize: o.length };
}

/** Compare gradients of every differentiable input (at most maxEntries random entries each). */
export function gradCheck(c: GradCase, seed: number, maxEntries = 48, h = 1e-5): GradReport {
  const rng = new Rng(seed, 'gradcheck');
  const b64 = new CpuBackend({ precision: 'f64' });
  const b32 = new CpuBackend({ precision: 'f32' });
  const datas = c.inputs.map((i) => i.data);
  const outSize = run(b64, c, datas, null, false).outSize;
  const proj = randomData(rng, outSize);
  const a64 = run(b64, c, datas, proj, true).grads;
  const a32 = run(b32, c, datas, proj, true).grads;
  let err64 = 0;
  let err32 = 0;
  let checked = 0;
  let maxAbs = 0;
  c.inputs.forEach((inp, k) => {
    if (inp.requiresGrad === false) return;
    const n = inp.data.length;
    const idx = n <= maxEntries ? [...Array(n).keys()] : Array.from({ length: maxEntries }, () => rng.int(n));
    const fd: number[] = [];
    for (const i of idx) {
      const plus = datas.map((d) => Float64Array.from(d));
      const minus = datas.map((d) => Float64Array.from(d));
      plus[k]![i] += h;
      minus[k]![i] -= h;
      fd.push((run(b64, c, plus, proj, false).loss - run(b64, c, minus, proj, false).loss) / (2 * h));
    }
    const scale = Math.max(...fd.map(Math.abs)) + 1e-8;
    maxAbs = Math.max(maxAbs, scale);
    idx.forEach((i, j) => {
      err64 = Math.max(err64, Math.abs(a64[k]![i]! - fd[j]!) / scale);
      err32 = Math.max(err32, Math.abs(a32[k]![i]! - fd[j]!) / scale);
      checked++;
    });
  });
  return { err64, err32, checked, maxAbs };
}
