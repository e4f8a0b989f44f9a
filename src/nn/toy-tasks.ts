/**
 * Toy sequence tasks and a training loop shared by the engine's end-to-end checks (CPU tests,
 * llama.ts tests and the WebGPU parity page), so all of them train on the same data the same way.
 */
import type { Rng } from '../core/rng.ts';
import type { Backend, Buf, IndexBuf } from './backend.ts';
import { nextTokenTargets } from './ops.ts';
import { type AdamW, scheduledLr, trainStep, warmupSteps } from './optim.ts';
import { Tape } from './tape.ts';
import type { Tensor } from './tensor.ts';
import type { ToyConfig } from './toy-decoder.ts';

/** The copy task: [BOS, s1..sL, SEP, s1..sL] over SYMBOLS symbols; only the copy after SEP counts. */
export const COPY_TASK = { bos: 0, sep: 1, symbols: 6, len: 4, seq: 2 * 4 + 2 } as const;

/** The toy decoder that learns the copy task (2 blocks, grouped KV heads, LoRA everywhere). */
export const TOY_COPY_CONFIG: ToyConfig = {
  vocab: 2 + COPY_TASK.symbols, dim: 32, layers: 2, heads: 4, kvHeads: 2, hidden: 48, rank: 8, alpha: 16, dropout: 0.05, theta: 10000, eps: 1e-5,
};

export interface TokenRows {
  ids: number[][];
  mask: number[][];
}

export function copyBatch(rng: Rng, batch: number): TokenRows {
  const { bos, sep, symbols, len } = COPY_TASK;
  const ids: number[][] = [];
  for (let b = 0; b < batch; b++) {
    const s = Array.from({ length: len }, () => 2 + rng.int(symbols));
    ids.push([bos, ...s, sep, ...s]);
  }
  return { ids, mask: ids.map((row) => row.map((_, t) => (t > len + 1 ? 1 : 0))) };
}

/** Device buffers for one batch of next-token training: ids, targets and the loss mask. */
export interface TrainBuffers {
  ids: IndexBuf;
  targets: IndexBuf;
  mask: Buf;
}

export function allocTrainBuffers(be: Backend, batch: number, seq: number): TrainBuffers {
  return { ids: be.uploadIndices(new Uint32Array(batch * seq)), targets: be.uploadIndices(new Uint32Array(batch * seq)), mask: be.alloc(batch * seq) };
}

/** Uploads a batch into `bufs`; returns the number of counted targets. */
export function writeBatch(be: Backend, bufs: TrainBuffers, rows: TokenRows): number {
  const t = nextTokenTargets(rows.ids, rows.mask);
  be.writeIndices(bufs.ids, rows.ids.flat());
  be.writeIndices(bufs.targets, t.targets);
  be.write(bufs.mask, t.mask);
  return t.mask.reduce((a, b) => a + b, 0);
}

/**
 * `steps` optimiser steps on fresh batches, peak learning rate `lr` with cosine decay after a 5 %
 * warmup, gradient clipping at norm 1; returns the loss of every step.
 */
export async function fitSteps(o: {
  be: Backend;
  opt: AdamW;
  batch: number;
  seq: number;
  steps: number;
  lr: number;
  next: (step: number) => TokenRows;
  loss: (tape: Tape, bufs: TrainBuffers, denominator: number, step: number) => Tensor;
}): Promise<number[]> {
  const tape = new Tape(o.be);
  const bufs = allocTrainBuffers(o.be, o.batch, o.seq);
  const losses: number[] = [];
  for (let step = 0; step < o.steps; step++) {
    const count = writeBatch(o.be, bufs, o.next(step));
    const lr = scheduledLr({ peak: o.lr, totalSteps: o.steps, warmupSteps: warmupSteps(0.05, o.steps) }, step);
    const r = await trainStep(tape, o.opt, [{ count }], (tp, _mb, denominator) => o.loss(tp, bufs, denominator, step), { lr, maxGradNorm: 1 });
    losses.push(r.loss);
  }
  return losses;
}
