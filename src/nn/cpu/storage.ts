/**
 * Storage of the CPU backend. A buffer is a plain typed array; Float64Array storage exists so
 * gradient checks can run the very same kernels in double precision (finite differences in
 * f32 would drown in rounding), Float32Array is what the engine runs on.
 */
import type { Buf, IndexBuf } from '../backend.ts';

export type Floats = Float32Array | Float64Array;

export class CpuBuf implements Buf {
  readonly dtype = 'f32' as const;
  constructor(readonly data: Floats) {}
  get size(): number {
    return this.data.length;
  }
}

export class CpuIndexBuf implements IndexBuf {
  readonly dtype = 'u32' as const;
  constructor(readonly data: Uint32Array) {}
  get size(): number {
    return this.data.length;
  }
}

/** The typed array behind a buffer of this backend (a foreign buffer is a programming error). */
export function f(buf: Buf): Floats {
  if (!(buf instanceof CpuBuf)) throw new Error('buffer does not belong to the CPU backend');
  return buf.data;
}

export function ix(buf: IndexBuf): Uint32Array {
  if (!(buf instanceof CpuIndexBuf)) throw new Error('index buffer does not belong to the CPU backend');
  return buf.data;
}
