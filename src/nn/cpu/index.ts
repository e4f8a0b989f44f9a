/**
 * The CPU backend: typed arrays in this thread, kernels run at dispatch, `read` resolves at
 * once. `precision: 'f64'` stores Float64Array instead, for gradient checks that run the same
 * kernels in double precision; the engine itself uses 'f32' (what WebGPU will store).
 */
import type { AdamWParams, AttentionParams, Backend, Buf, CrossEntropyParams, IndexBuf, MatmulParams, RmsNormParams, RopeParams } from '../backend.ts';
import { attentionBackward, attentionForward } from './attention.ts';
import type { CpuKernels } from './fast-exp.ts';
import { addInPlace, adamwStep, dropoutMask, mul, scale, sumSquares, swigluBackward, swigluForward } from './elementwise.ts';
import { crossEntropyBackward, crossEntropyForward, embeddingBackward, embeddingForward, ropeBackward, ropeForward, rmsnormBackward, rmsnormForward } from './layers.ts';
import { matmul } from './matmul.ts';
import { matmul32 } from './matmul32.ts';
import { gemm32 } from './wasm-gemm32.ts';
import { nf4Dequantize } from './nf4.ts';
import { CpuBuf, CpuIndexBuf, f, ix, type Floats } from './storage.ts';

export interface CpuBackendOptions {
  precision?: 'f32' | 'f64';
  /** The kernel set (cpu/fast-exp.ts): 'fast' (default) or 'reference', which pretraining keeps for reproducibility. */
  kernels?: CpuKernels;
}

export class CpuBackend implements Backend {
  readonly name: string;
  readonly precision: 'f32' | 'f64';
  readonly kernels: CpuKernels;
  /** Buffers created so far (the pool test counts these). */
  allocations = 0;

  constructor(options: CpuBackendOptions = {}) {
    this.precision = options.precision ?? 'f32';
    this.kernels = options.kernels ?? 'fast';
    this.name = `cpu-${this.precision}`;
  }

  private make(size: number): Floats {
    if (!Number.isInteger(size) || size < 0) throw new Error(`buffer size must be a non-negative integer, got ${size}`);
    this.allocations++;
    return this.precision === 'f64' ? new Float64Array(size) : new Float32Array(size);
  }

  alloc(size: number): Buf {
    return new CpuBuf(this.make(size));
  }

  upload(data: ArrayLike<number>): Buf {
    const a = this.make(data.length);
    a.set(data);
    return new CpuBuf(a);
  }

  write(buf: Buf, data: ArrayLike<number>, offset = 0): void {
    f(buf).set(data, offset);
  }

  uploadIndices(data: ArrayLike<number>): IndexBuf {
    return new CpuIndexBuf(Uint32Array.from(data as ArrayLike<number>));
  }

  writeIndices(buf: IndexBuf, data: ArrayLike<number>): void {
    ix(buf).set(data);
  }

  read(buf: Buf): Promise<Float32Array> {
    return Promise.resolve(Float32Array.from(f(buf)));
  }

  /** Synchronous access to the storage (CPU only; tests and the CPU-side tools use it). */
  view(buf: Buf): Floats {
    return f(buf);
  }

  free(buf: Buf | IndexBuf): void {
    void buf; // garbage-collected; a GPU backend destroys the GPUBuffer here
  }

  fill(buf: Buf, value: number): void {
    f(buf).fill(value);
  }

  copy(src: Buf, dst: Buf): void {
    if (src.size !== dst.size) throw new Error(`copy: sizes differ (${src.size} vs ${dst.size})`);
    f(dst).set(f(src));
  }

  addInPlace(dst: Buf, src: Buf, alpha = 1): void {
    addInPlace(f(dst), f(src), alpha);
  }

  scale(buf: Buf, s: number): void {
    scale(f(buf), s);
  }

  mul(a: Buf, b: Buf, out: Buf, accumulate = false): void {
    mul(f(a), f(b), f(out), accumulate);
  }

  dropoutMask(out: Buf, seed: number, p: number): void {
    dropoutMask(f(out), seed, p);
  }

  matmul(a: Buf, b: Buf, out: Buf, p: MatmulParams): void {
    const [A, B, C] = [f(a), f(b), f(out)];
    if (this.kernels === 'fast' && A instanceof Float32Array && B instanceof Float32Array && C instanceof Float32Array && gemm32()) matmul32(A, B, C, p);
    else matmul(A, B, C, p);
  }

  rmsnormForward(x: Buf, w: Buf, y: Buf, rstd: Buf, p: RmsNormParams): void {
    rmsnormForward(f(x), f(w), f(y), f(rstd), p);
  }

  rmsnormBackward(dy: Buf, x: Buf, w: Buf, rstd: Buf, dx: Buf | null, dw: Buf | null, p: RmsNormParams): void {
    rmsnormBackward(f(dy), f(x), f(w), f(rstd), dx && f(dx), dw && f(dw), p);
  }

  ropeForward(x: Buf, y: Buf, p: RopeParams): void {
    ropeForward(f(x), f(y), p);
  }

  ropeBackward(dy: Buf, dx: Buf, p: RopeParams): void {
    ropeBackward(f(dy), f(dx), p);
  }

  attentionForward(q: Buf, k: Buf, v: Buf, out: Buf, lse: Buf, p: AttentionParams): void {
    attentionForward(f(q), f(k), f(v), f(out), f(lse), p, this.kernels);
  }

  attentionBackward(dout: Buf, q: Buf, k: Buf, v: Buf, out: Buf, lse: Buf, dq: Buf, dk: Buf, dv: Buf, p: AttentionParams): void {
    attentionBackward(f(dout), f(q), f(k), f(v), f(out), f(lse), f(dq), f(dk), f(dv), p, this.kernels);
  }

  swigluForward(gate: Buf, up: Buf, out: Buf): void {
    swigluForward(f(gate), f(up), f(out), this.kernels === 'fast');
  }

  swigluBackward(dout: Buf, gate: Buf, up: Buf, dgate: Buf, dup: Buf): void {
    swigluBackward(f(dout), f(gate), f(up), f(dgate), f(dup), this.kernels === 'fast');
  }

  embeddingForward(ids: IndexBuf, table: Buf, out: Buf, dim: number): void {
    embeddingForward(ix(ids), f(table), f(out), dim);
  }

  embeddingBackward(ids: IndexBuf, dout: Buf, dtable: Buf, dim: number): void {
    embeddingBackward(ix(ids), f(dout), f(dtable), dim);
  }

  crossEntropyForward(logits: Buf, targets: IndexBuf, mask: Buf, loss: Buf, lse: Buf, p: CrossEntropyParams): void {
    crossEntropyForward(f(logits), ix(targets), f(mask), f(loss), f(lse), p, this.kernels === 'fast');
  }

  crossEntropyBackward(logits: Buf, targets: IndexBuf, mask: Buf, lse: Buf, dloss: Buf, dlogits: Buf, p: CrossEntropyParams): void {
    crossEntropyBackward(f(logits), ix(targets), f(mask), f(lse), f(dloss), f(dlogits), p, this.kernels === 'fast');
  }

  nf4Dequantize(codes: IndexBuf, absmax: Buf, out: Buf): void {
    nf4Dequantize(ix(codes), f(absmax), f(out));
  }

  sumSquares(x: Buf, out: Buf, accumulate = false): void {
    sumSquares(f(x), f(out), accumulate);
  }

  adamwStep(param: Buf, grad: Buf, m: Buf, v: Buf, p: AdamWParams): void {
    adamwStep(f(param), f(grad), f(m), f(v), p);
  }
}
