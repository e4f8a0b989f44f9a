/**
 * NF4 base weights on a backend (QLoRA): the frozen [out, in] projection lives as packed 4-bit
 * codes (u32 words, 8 codes each) plus one f32 absmax per 64-element block, 4.5 bits per weight
 * instead of 32. Quantization itself is nf4.ts (bit-exact with tools/make-fixtures.py).
 *
 * How the matmul sees it: each call DEQUANTIZES THE WHOLE WEIGHT INTO A POOLED TEMP BUFFER,
 * runs the ordinary tuned matmul, and returns the buffer to the pool at once (the backward
 * dequantizes again for dx). Why not dequantize block-wise inside the matmul: that would need
 * a second matmul kernel per backend (CPU and WGSL), each with its own tiling and tests, for a
 * saving of one weight's worth of f32 scratch. With the pooled temp the extra memory is a
 * single f32 copy of the largest projection however many layers there are (the pool hands the
 * same buffer to every layer of that shape), the dequantization is O(out·in) next to the
 * matmul's O(N·out·in), and the matmul stays the one already checked. Releasing the buffer right
 * after dispatch is safe on a GPU too: kernels run in dispatch order, so the next dequantization
 * into the same buffer happens after this matmul has read it.
 */
import type { Backend, Buf, IndexBuf } from './backend.ts';
import type { Nf4Weight } from './nf4.ts';
import type { Tape } from './tape.ts';

/** A frozen NF4-quantized [rows, cols] weight on a backend. Never requires a gradient. */
export class Nf4Param {
  readonly requiresGrad = false;
  constructor(
    readonly rows: number,
    readonly cols: number,
    readonly codes: IndexBuf,
    readonly absmax: Buf,
  ) {}

  get shape(): readonly [number, number] {
    return [this.rows, this.cols];
  }

  /** Backend bytes held (both buffer kinds are 4 bytes per element). */
  get byteLength(): number {
    return 4 * (this.codes.size + this.absmax.size);
  }
}

/** nf4.ts's byte packing regrouped as little-endian u32 words (see Backend.nf4Dequantize). */
export function packNf4Words(bytes: Uint8Array): Uint32Array {
  const words = new Uint32Array(Math.ceil(bytes.length / 4));
  for (let i = 0; i < bytes.length; i++) words[i >> 2]! |= bytes[i]! << (8 * (i & 3));
  return words;
}

export function uploadNf4(be: Backend, q: Nf4Weight): Nf4Param {
  if (!be.nf4Dequantize) throw new Error(`backend ${be.name} has no nf4Dequantize kernel, so it cannot hold NF4 weights`);
  return new Nf4Param(q.rows, q.cols, be.uploadIndices(packNf4Words(q.codes)), be.upload(q.absmax));
}

/** Run `kernels` on the dequantized weight in a pooled temp buffer, released as soon as they are dispatched. */
export function withDequantized(tape: Tape, w: Nf4Param, kernels: (dense: Buf) => void): void {
  const be = tape.backend;
  if (!be.nf4Dequantize) throw new Error(`backend ${be.name} has no nf4Dequantize kernel`);
  const dense = tape.pool.acquire(w.rows * w.cols);
  be.nf4Dequantize(w.codes, w.absmax, dense);
  kernels(dense);
  tape.pool.release(dense);
}
