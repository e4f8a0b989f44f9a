/**
 * Reverse-mode autodiff by a tape: every differentiable op run through a Tape appends a closure
 * that, given its output's gradient, adds into its inputs' gradients. `backward` runs them
 * newest first. Kernels accumulate (backend.ts), so gradient buffers are zeroed once when the
 * tape creates them and a tensor used several times simply collects every contribution.
 *
 * One tape = one forward/backward pass. `reset()` returns every activation and intermediate
 * gradient buffer to the pool; leaf gradients stay (they accumulate across micro-batches until
 * the optimiser zeroes them).
 */
import type { Backend, Buf, IndexBuf } from './backend.ts';
import { BufferPool, Tensor } from './tensor.ts';

interface Entry {
  readonly name: string;
  readonly out: Tensor;
  readonly backward: (dout: Buf) => void;
}

export class Tape {
  /** When false (inference) nothing is recorded and no output requires a gradient. */
  gradEnabled = true;
  private entries: Entry[] = [];
  private held: Buf[] = [];
  private withGrad: Tensor[] = [];
  private owned: IndexBuf[] = [];

  constructor(
    readonly backend: Backend,
    readonly pool: BufferPool = new BufferPool(backend),
  ) {}

  /** A pooled scratch buffer that lives until reset(); contents are stale. */
  temp(size: number): Buf {
    const b = this.pool.acquire(size);
    this.held.push(b);
    return b;
  }

  /** `data` on the backend until reset(): a pooled float buffer (a loss mask, input vectors). */
  values(data: ArrayLike<number>): Buf {
    const b = this.temp(data.length);
    this.backend.write(b, data);
    return b;
  }

  /** Token ids or targets on the backend until reset(), then freed (on WebGPU a GPU buffer each step otherwise). */
  indices(data: ArrayLike<number>): IndexBuf {
    const b = this.backend.uploadIndices(data);
    this.owned.push(b);
    return b;
  }

  /** A pooled, zero-filled scratch buffer. */
  zeros(size: number): Buf {
    const b = this.temp(size);
    this.backend.fill(b, 0);
    return b;
  }

  /** A fresh output tensor of an op; it needs a gradient when any input does. */
  output(shape: readonly number[], inputs: readonly Tensor[]): Tensor {
    const size = shape.reduce((a, b) => a * b, 1);
    const requiresGrad = this.gradEnabled && inputs.some((t) => t.requiresGrad);
    return new Tensor(shape, this.temp(size), requiresGrad, false);
  }

  /** t's gradient buffer, created zero-filled on first use. */
  grad(t: Tensor): Buf {
    if (t.grad) return t.grad;
    if (t.leaf) {
      t.grad = this.backend.alloc(t.size); // owned by the parameter, reused every step
    } else {
      t.grad = this.zeros(t.size);
      this.withGrad.push(t);
    }
    return t.grad;
  }

  /** The gradient to add into when t needs one, else a zeroed scratch buffer to be discarded. */
  gradOrScratch(t: Tensor): Buf {
    return t.requiresGrad ? this.grad(t) : this.zeros(t.size);
  }

  record(name: string, out: Tensor, backward: (dout: Buf) => void): void {
    if (out.requiresGrad) this.entries.push({ name, out, backward });
  }

  /** Names of the recorded ops, oldest first (for tests and debugging). */
  get recorded(): string[] {
    return this.entries.map((e) => e.name);
  }

  /** Back-propagate from a scalar: ∂(seed · loss)/∂x into every tensor that requires it. */
  backward(loss: Tensor, seed = 1): void {
    if (loss.size !== 1) throw new Error(`backward needs a scalar, got shape [${loss.shape.join(', ')}]`);
    if (!loss.requiresGrad) throw new Error('backward: the loss does not depend on anything that requires a gradient');
    this.backend.fill(this.grad(loss), seed);
    for (let i = this.entries.length - 1; i >= 0; i--) {
      const e = this.entries[i]!;
      if (e.out.grad) e.backward(e.out.grad); // no gradient reached this op: nothing to do
    }
    this.entries = [];
  }

  /** End of the pass: pooled buffers go back, intermediate tensors lose their gradients. */
  reset(): void {
    for (const b of this.held) this.pool.release(b);
    for (const t of this.withGrad) t.grad = null;
    for (const b of this.owned) this.backend.free(b);
    this.owned = [];
    this.held = [];
    this.withGrad = [];
    this.entries = [];
  }
}
