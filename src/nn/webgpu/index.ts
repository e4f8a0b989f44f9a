/**
 * The WebGPU backend: every kernel of backend.ts as a hand-written WGSL compute shader, f32 only.
 *
 * Hand-written because no maintained library trains on WebGPU (onnxruntime-web's training API
 * was CPU-only and was removed in 2024; the WebGPU inference runtimes have no backward passes),
 * and the engine needs only about a dozen fused forward/backward primitives (DESIGN §5).
 * No `shader-f16` is required: everything is stored and computed in f32, so it runs on any
 * adapter, including Chromium's software SwiftShader adapter used by the parity tests.
 *
 * Dispatch is synchronous (kernels are encoded and submitted at the next sync point) and `read`
 * is the only await; see device.ts for buffers, pipelines, uniforms and ordering.
 */
import type { AdamWParams, AttentionParams, Backend, Buf, CrossEntropyParams, IndexBuf, MatmulParams, RmsNormParams, RopeParams } from '../backend.ts';
import { GpuBuffer, GpuContext, type Kernel } from './device.ts';
import { MAX_HEAD_DIM, attentionDkvKernel, attentionDqKernel, attentionForwardKernel, attentionRowDotKernel } from './kernels-attention.ts';
import {
  EW, SS_GROUPS, adamwKernel, addKernel, copyKernel, dropoutKernel, fillKernel, mulKernel, scaleKernel, sumSquaresFinalKernel, sumSquaresPartialKernel, swigluBackwardKernel, swigluForwardKernel,
} from './kernels-elementwise.ts';
import {
  crossEntropyBackwardKernel, crossEntropyRowKernel, crossEntropyScaleKernel, crossEntropyTotalKernel, embeddingBackwardKernel, embeddingForwardKernel, ropeKernel, rmsnormBackwardDwKernel, rmsnormBackwardDxKernel, rmsnormForwardKernel,
} from './kernels-layers.ts';
import { TILE, matmulKernel } from './kernels-matmul.ts';
import { nf4DequantizeKernel } from './kernels-quant.ts';
import { NF4_BLOCK_SIZE } from '../nf4.ts';

class WebGpuBuf implements Buf {
  readonly dtype = 'f32' as const;
  constructor(readonly gpu: GpuBuffer, readonly size: number) {}
}

class WebGpuIndexBuf implements IndexBuf {
  readonly dtype = 'u32' as const;
  /** Largest id, kept on the host so out-of-vocabulary ids throw at dispatch like on the CPU. */
  maxId = 0;
  constructor(readonly gpu: GpuBuffer, readonly size: number) {}
}

function g(buf: Buf): GpuBuffer {
  if (!(buf instanceof WebGpuBuf)) throw new Error('buffer does not belong to the WebGPU backend');
  return buf.gpu;
}

function gi(buf: IndexBuf): WebGpuIndexBuf {
  if (!(buf instanceof WebGpuIndexBuf)) throw new Error('index buffer does not belong to the WebGPU backend');
  return buf;
}

function sameSize(name: string, ...bufs: Buf[]): number {
  const n = bufs[0]!.size;
  for (const b of bufs) if (b.size !== n) throw new Error(`${name}: buffer sizes differ (${bufs.map((x) => x.size).join(', ')})`);
  return n;
}

const groupsFor = (n: number): number => Math.ceil(n / EW);

function maxOf(data: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < data.length; i++) if (data[i]! > m) m = data[i]!;
  return m;
}

export interface WebGpuInfo {
  vendor: string;
  architecture: string;
  description: string;
  /** Whether the adapter offers `subgroups` (not used yet; reductions use workgroup memory). */
  subgroups: boolean;
}

export class WebGpuBackend implements Backend {
  readonly name = 'webgpu';
  readonly ctx: GpuContext;
  /** RoPE cos/sin tables per (headDim, theta), grown to the largest position seen. */
  private readonly ropeTables = new Map<string, { buf: GpuBuffer; positions: number }>();
  private readonly scratch = new Map<string, GpuBuffer>();

  constructor(
    readonly device: GPUDevice,
    readonly info: WebGpuInfo,
  ) {
    this.ctx = new GpuContext(device);
  }

  /** null when this browser has no WebGPU or no adapter (the caller says so to the user). */
  static async create(): Promise<WebGpuBackend | null> {
    if (typeof navigator === 'undefined' || !('gpu' in navigator)) return null;
    const adapter = await navigator.gpu.requestAdapter();
    if (!adapter) return null;
    const l = adapter.limits;
    // Ask for what the adapter has: big models need more than the 128 MiB binding default.
    const device = await adapter.requestDevice({
      requiredLimits: {
        maxStorageBufferBindingSize: l.maxStorageBufferBindingSize,
        maxBufferSize: l.maxBufferSize,
        maxStorageBuffersPerShaderStage: l.maxStorageBuffersPerShaderStage,
      },
    });
    const i = adapter.info;
    return new WebGpuBackend(device, { vendor: i.vendor, architecture: i.architecture, description: i.description, subgroups: adapter.features.has('subgroups') });
  }

  /** Release the device and everything on it (the bench makes one backend per run). */
  destroy(): void {
    this.ctx.flush();
    this.device.destroy();
  }

  private run(k: Kernel, params: readonly number[], bufs: readonly GpuBuffer[], groups: number | readonly [number, number]): void {
    this.ctx.dispatch(k, params, bufs, groups);
  }

  /** An internal scratch buffer (reused across calls: dispatches are ordered within the queue). */
  private scratchBuf(name: string, size: number): GpuBuffer {
    const have = this.scratch.get(name);
    if (have && have.bytes >= size * 4) return have;
    if (have) this.ctx.release(have);
    const b = this.ctx.acquire(size);
    this.scratch.set(name, b);
    return b;
  }

  // ----- memory -----

  alloc(size: number): Buf {
    if (!Number.isInteger(size) || size < 0) throw new Error(`buffer size must be a non-negative integer, got ${size}`);
    const b = new WebGpuBuf(this.ctx.acquire(size), size);
    this.fill(b, 0); // pooled buffers come back dirty
    return b;
  }

  upload(data: ArrayLike<number>): Buf {
    return new WebGpuBuf(this.ctx.createWith(Float32Array.from(data)), data.length);
  }

  write(buf: Buf, data: ArrayLike<number>, offset = 0): void {
    if (offset + data.length > buf.size) throw new Error(`write: ${data.length} values at ${offset} overflow a buffer of ${buf.size}`);
    this.ctx.write(g(buf), Float32Array.from(data), offset);
  }

  uploadIndices(data: ArrayLike<number>): IndexBuf {
    const b = new WebGpuIndexBuf(this.ctx.createWith(Uint32Array.from(data)), data.length);
    b.maxId = maxOf(data);
    return b;
  }

  writeIndices(buf: IndexBuf, data: ArrayLike<number>): void {
    const b = gi(buf);
    if (data.length > b.size) throw new Error(`writeIndices: ${data.length} ids overflow a buffer of ${b.size}`);
    this.ctx.write(b.gpu, Uint32Array.from(data));
    b.maxId = maxOf(data);
  }

  async read(buf: Buf): Promise<Float32Array> {
    return new Float32Array(await this.ctx.read(g(buf), buf.size));
  }

  free(buf: Buf | IndexBuf): void {
    this.ctx.release(buf instanceof WebGpuIndexBuf ? buf.gpu : g(buf as Buf));
  }

  // ----- element-wise -----

  fill(buf: Buf, value: number): void {
    this.run(fillKernel, [buf.size, value], [g(buf)], groupsFor(buf.size));
  }

  copy(src: Buf, dst: Buf): void {
    if (src.size !== dst.size) throw new Error(`copy: sizes differ (${src.size} vs ${dst.size})`);
    if (src !== dst) this.run(copyKernel, [src.size], [g(src), g(dst)], groupsFor(src.size));
  }

  addInPlace(dst: Buf, src: Buf, alpha = 1): void {
    const n = sameSize('addInPlace', dst, src);
    // A storage buffer cannot be bound writable and readable at once: x += a·x is a scale.
    if (g(dst) === g(src)) this.scale(dst, 1 + alpha);
    else this.run(addKernel, [n, alpha], [g(dst), g(src)], groupsFor(n));
  }

  scale(buf: Buf, s: number): void {
    this.run(scaleKernel, [buf.size, s], [g(buf)], groupsFor(buf.size));
  }

  mul(a: Buf, b: Buf, out: Buf, accumulate = false): void {
    const n = sameSize('mul', a, b, out);
    this.run(mulKernel, [n, accumulate ? 1 : 0], [g(a), g(b), g(out)], groupsFor(n));
  }

  dropoutMask(out: Buf, seed: number, p: number): void {
    if (!(p >= 0 && p < 1)) throw new Error(`dropout p must be in [0, 1), got ${p}`);
    const threshold = Math.min(0xffffffff, Math.floor(p * 4294967296));
    this.run(dropoutKernel, [out.size, seed >>> 0, threshold, 1 / (1 - p)], [g(out)], groupsFor(out.size));
  }

  // ----- linear algebra -----

  matmul(a: Buf, b: Buf, out: Buf, p: MatmulParams): void {
    const { m, n, k } = p;
    if (a.size < m * k || b.size < k * n || out.size < m * n) {
      throw new Error(`matmul: buffers too small for m=${m} n=${n} k=${k} (A ${a.size}, B ${b.size}, C ${out.size})`);
    }
    const [aI, aK] = p.transA ? [1, m] : [k, 1];
    const [bK, bJ] = p.transB ? [1, k] : [n, 1];
    this.run(matmulKernel, [m, n, k, aI, aK, bK, bJ, p.alpha ?? 1, p.accumulate ? 1 : 0], [g(a), g(b), g(out)], [Math.ceil(n / TILE), Math.ceil(m / TILE)]);
  }

  // ----- Llama blocks -----

  rmsnormForward(x: Buf, w: Buf, y: Buf, rstd: Buf, p: RmsNormParams): void {
    this.run(rmsnormForwardKernel, [p.rows, p.dim, p.eps], [g(x), g(w), g(y), g(rstd)], p.rows);
  }

  rmsnormBackward(dy: Buf, x: Buf, w: Buf, rstd: Buf, dx: Buf | null, dw: Buf | null, p: RmsNormParams): void {
    if (dw) this.run(rmsnormBackwardDwKernel, [p.dim, p.rows], [g(dy), g(x), g(rstd), g(dw)], groupsFor(p.dim));
    if (dx) this.run(rmsnormBackwardDxKernel, [p.rows, p.dim], [g(dy), g(x), g(w), g(rstd), g(dx)], p.rows);
  }

  /** cos/sin for positions 0..needed-1, built on the host once and grown by doubling. */
  private ropeTable(p: RopeParams): GpuBuffer {
    if (p.headDim % 2 !== 0) throw new Error(`rope: headDim must be even, got ${p.headDim}`);
    const key = `${p.headDim}:${p.theta}`;
    const needed = p.posOffset + p.seq;
    const have = this.ropeTables.get(key);
    if (have && have.positions >= needed) return have.buf;
    let positions = Math.max(256, have?.positions ?? 0);
    while (positions < needed) positions *= 2;
    const half = p.headDim / 2;
    const t = new Float32Array(positions * half * 2);
    for (let i = 0; i < half; i++) {
      const invFreq = Math.fround(1 / Math.pow(p.theta, (2 * i) / p.headDim));
      for (let pos = 0; pos < positions; pos++) {
        const angle = Math.fround(pos * invFreq);
        t[(pos * half + i) * 2] = Math.cos(angle);
        t[(pos * half + i) * 2 + 1] = Math.sin(angle);
      }
    }
    const buf = this.ctx.createWith(t);
    if (have) this.ctx.release(have.buf);
    this.ropeTables.set(key, { buf, positions });
    return buf;
  }

  private rope(src: Buf, dst: Buf, p: RopeParams, dir: 1 | -1): void {
    const half = p.headDim / 2;
    const n = p.batch * p.seq * p.heads * half;
    if (src.size !== 2 * n || dst.size !== 2 * n) throw new Error(`rope: buffers of ${src.size}/${dst.size} do not match [${p.batch}, ${p.seq}, ${p.heads}, ${p.headDim}]`);
    this.run(ropeKernel, [n, p.seq, p.heads, half, p.posOffset, dir, dir === 1 ? 0 : 1], [g(src), this.ropeTable(p), g(dst)], groupsFor(n));
  }

  ropeForward(x: Buf, y: Buf, p: RopeParams): void {
    this.rope(x, y, p, 1);
  }

  ropeBackward(dy: Buf, dx: Buf, p: RopeParams): void {
    this.rope(dy, dx, p, -1);
  }

  private attentionParams(p: AttentionParams, rows: number): number[] {
    if (p.numHeads % p.numKvHeads !== 0) throw new Error(`attention: numHeads ${p.numHeads} is not a multiple of numKvHeads ${p.numKvHeads}`);
    if (p.posOffset + p.seq > p.kvSeq) throw new Error(`attention: posOffset ${p.posOffset} + seq ${p.seq} exceeds kvSeq ${p.kvSeq}`);
    if (p.headDim > MAX_HEAD_DIM) throw new Error(`attention: headDim ${p.headDim} exceeds the WebGPU kernel's ${MAX_HEAD_DIM}`);
    return [rows, p.seq, p.kvSeq, p.numHeads, p.numKvHeads, p.headDim, p.posOffset, p.numHeads / p.numKvHeads, 1 / Math.sqrt(p.headDim)];
  }

  attentionForward(q: Buf, k: Buf, v: Buf, out: Buf, lse: Buf, p: AttentionParams): void {
    const rows = p.batch * p.numHeads * p.seq;
    this.run(attentionForwardKernel, this.attentionParams(p, rows), [g(q), g(k), g(v), g(out), g(lse)], rows);
  }

  attentionBackward(dout: Buf, q: Buf, k: Buf, v: Buf, out: Buf, lse: Buf, dq: Buf, dk: Buf, dv: Buf, p: AttentionParams): void {
    const rows = p.batch * p.numHeads * p.seq;
    const params = this.attentionParams(p, rows);
    const rowDot = this.scratchBuf('rowDot', rows);
    this.run(attentionRowDotKernel, [rows, p.seq, p.numHeads, p.headDim], [g(dout), g(out), rowDot], groupsFor(rows));
    this.run(attentionDqKernel, params, [g(q), g(k), g(v), g(dout), g(lse), rowDot, g(dq)], rows);
    const keyRows = p.batch * p.numKvHeads * p.kvSeq;
    params[0] = keyRows;
    this.run(attentionDkvKernel, params, [g(q), g(k), g(v), g(dout), g(lse), rowDot, g(dk), g(dv)], keyRows);
  }

  swigluForward(gate: Buf, up: Buf, out: Buf): void {
    const n = sameSize('swiglu', gate, up, out);
    this.run(swigluForwardKernel, [n], [g(gate), g(up), g(out)], groupsFor(n));
  }

  swigluBackward(dout: Buf, gate: Buf, up: Buf, dgate: Buf, dup: Buf): void {
    const n = sameSize('swigluBackward', dout, gate, up, dgate, dup);
    this.run(swigluBackwardKernel, [n], [g(dout), g(gate), g(up), g(dgate), g(dup)], groupsFor(n));
  }

  private checkIds(ids: WebGpuIndexBuf, vocab: number): void {
    if (ids.size > 0 && ids.maxId >= vocab) throw new Error(`token id ${ids.maxId} is outside the vocabulary of ${vocab}`);
  }

  embeddingForward(ids: IndexBuf, table: Buf, out: Buf, dim: number): void {
    const b = gi(ids);
    this.checkIds(b, table.size / dim);
    const n = ids.size * dim;
    this.run(embeddingForwardKernel, [n, dim], [b.gpu, g(table), g(out)], groupsFor(n));
  }

  embeddingBackward(ids: IndexBuf, dout: Buf, dtable: Buf, dim: number): void {
    const b = gi(ids);
    this.checkIds(b, dtable.size / dim);
    const n = ids.size * dim;
    this.run(embeddingBackwardKernel, [n, dim, ids.size], [b.gpu, g(dout), g(dtable)], groupsFor(n));
  }

  crossEntropyForward(logits: Buf, targets: IndexBuf, mask: Buf, loss: Buf, lse: Buf, p: CrossEntropyParams): void {
    const t = gi(targets);
    this.checkIds(t, p.vocab);
    const rowLoss = this.scratchBuf('rowLoss', p.rows);
    this.run(crossEntropyRowKernel, [p.rows, p.vocab], [g(logits), t.gpu, g(mask), g(lse), rowLoss], p.rows);
    this.run(crossEntropyTotalKernel, [p.rows, p.denominator], [rowLoss, g(mask), g(loss)], 1);
  }

  crossEntropyBackward(logits: Buf, targets: IndexBuf, mask: Buf, lse: Buf, dloss: Buf, dlogits: Buf, p: CrossEntropyParams): void {
    const scale = this.scratchBuf('ceScale', 1);
    this.run(crossEntropyScaleKernel, [p.rows, p.denominator], [g(mask), g(dloss), scale], 1);
    const n = p.rows * p.vocab;
    this.run(crossEntropyBackwardKernel, [n, p.vocab], [g(logits), gi(targets).gpu, g(mask), g(lse), scale, g(dlogits)], groupsFor(n));
  }

  // ----- quantized weights -----

  nf4Dequantize(codes: IndexBuf, absmax: Buf, out: Buf): void {
    const n = out.size;
    if (codes.size * 8 < n || absmax.size * NF4_BLOCK_SIZE < n) {
      throw new Error(`nf4Dequantize: ${n} outputs need ${Math.ceil(n / 8)} code words and ${Math.ceil(n / NF4_BLOCK_SIZE)} scales, got ${codes.size} and ${absmax.size}`);
    }
    this.run(nf4DequantizeKernel, [n], [gi(codes).gpu, g(absmax), g(out)], groupsFor(n));
  }

  // ----- optimisation -----

  sumSquares(x: Buf, out: Buf, accumulate = false): void {
    const groups = Math.max(1, Math.min(SS_GROUPS, Math.ceil(x.size / 256)));
    const partial = this.scratchBuf('sumSquares', SS_GROUPS);
    this.run(sumSquaresPartialKernel, [x.size], [g(x), partial], groups);
    this.run(sumSquaresFinalKernel, [groups, accumulate ? 1 : 0], [partial, g(out)], 1);
  }

  adamwStep(param: Buf, grad: Buf, m: Buf, v: Buf, p: AdamWParams): void {
    const n = sameSize('adamwStep', param, grad, m, v);
    if (!(p.step >= 1)) throw new Error(`adamwStep: step is 1-based, got ${p.step}`);
    const bc1 = 1 - Math.pow(p.beta1, p.step);
    const bc2Sqrt = Math.sqrt(1 - Math.pow(p.beta2, p.step));
    this.run(
      adamwKernel,
      [n, p.beta1, p.beta2, 1 - p.beta1, 1 - p.beta2, 1 - p.lr * p.weightDecay, p.lr / bc1, bc2Sqrt, p.eps, p.gradScale ?? 1],
      [g(param), g(grad), g(m), g(v)],
      groupsFor(n),
    );
  }
}
