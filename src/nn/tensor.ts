/**
 * Tensors and the buffer pool.
 *
 * A Tensor is a shape over one backend buffer plus an optional gradient buffer. It owns no
 * storage policy: parameters (leaves) get long-lived buffers from the backend directly;
 * activations and their gradients come from a BufferPool through the tape and go back to it at
 * the end of the step. Training steps repeat the same shapes, so after the first step every
 * request is served from the pool and the backend allocates nothing (on WebGPU, creating
 * buffers per step is the main source of stutter and leaks).
 */
import type { Backend, Buf } from './backend.ts';

export class Tensor {
  /** ∂loss/∂this, created by the tape on first use (leaves: kept across steps). */
  grad: Buf | null = null;

  constructor(
    readonly shape: readonly number[],
    readonly buf: Buf,
    readonly requiresGrad: boolean,
    /** Leaves (parameters, inputs) outlive a step; everything else belongs to one tape. */
    readonly leaf: boolean,
  ) {
    const size = shape.reduce((a, b) => a * b, 1);
    if (size !== buf.size) throw new Error(`tensor shape [${shape.join(', ')}] needs ${size} elements, buffer has ${buf.size}`);
  }

  get size(): number {
    return this.buf.size;
  }

  /** Rows of the tensor seen as a matrix [rows, last dim]. */
  get rows(): number {
    return this.size / this.cols;
  }

  get cols(): number {
    return this.shape[this.shape.length - 1] ?? 1;
  }
}

/** A leaf tensor holding `data` (zeros if omitted). Frozen weights pass requiresGrad = false. */
export function parameter(backend: Backend, shape: readonly number[], data?: ArrayLike<number>, requiresGrad = true): Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  if (data && data.length !== size) throw new Error(`parameter [${shape.join(', ')}] needs ${size} values, got ${data.length}`);
  const buf = data ? backend.upload(data) : backend.alloc(size);
  return new Tensor(shape, buf, requiresGrad, true);
}

/** Free lists keyed by element count. Buffers come back with stale contents. */
export class BufferPool {
  private readonly free = new Map<number, Buf[]>();
  /** Buffers this pool asked the backend for. */
  created = 0;
  /** Requests served from a free list. */
  reused = 0;

  constructor(readonly backend: Backend) {}

  acquire(size: number): Buf {
    const list = this.free.get(size);
    const buf = list?.pop();
    if (buf) {
      this.reused++;
      return buf;
    }
    this.created++;
    return this.backend.alloc(size);
  }

  release(buf: Buf): void {
    let list = this.free.get(buf.size);
    if (!list) {
      list = [];
      this.free.set(buf.size, list);
    }
    list.push(buf);
  }

  /** Give every idle buffer back to the backend (e.g. when the model changes). */
  clear(): void {
    for (const list of this.free.values()) for (const b of list) this.backend.free(b);
    this.free.clear();
  }
}
