/**
 * Full-parameter pretraining of a Llama model on the CPU engine, deterministic by construction.
 *
 * A step's batch is split into a FIXED number of shards (`shards`, independent of how many
 * threads run them). Each shard's gradient is computed into its own flat array (every loss is
 * divided by the whole batch's target count, as optim.trainStep does for micro-batches), then
 * the arrays are summed in shard order, clipped by the global norm and applied with AdamW. So
 * the bytes of the result depend on (options, seed) only — not on whether one thread runs the
 * shards one after the other or several threads run them at once (parallel-node.ts).
 */
import { adamwStep } from '../../nn/cpu/elementwise.ts';
import type { CpuKernels } from '../../nn/cpu/fast-exp.ts';
import { CpuBackend, type CpuBackendOptions } from '../../nn/cpu/index.ts';
import type { LlamaConfig } from '../../nn/llama-config.ts';
import type { LlamaModel } from '../../nn/llama.ts';
import { clipFactor, scheduledLr } from '../../nn/optim.ts';
import { Tape } from '../../nn/tape.ts';
import type { DocKind } from '../corpus/index.ts';
import type { DataState } from './data.ts';
import { decays, type ParamLayout } from './params.ts';

export interface PretrainOptions {
  model: LlamaConfig;
  /** Optimiser steps of the whole run (the cosine schedule's length). */
  steps: number;
  /** Rows per step (all shards together). */
  batch: number;
  seq: number;
  /**
   * The first `warmSteps` steps use `warmBatch` rows of `warmSeq` tokens: copying forms after a
   * number of steps more than of tokens (docs/models.md), so many cheap short-row steps form it
   * soonest (attention grows with the row), and the rest of the run teaches the full context.
   */
  warmSeq: number;
  warmBatch: number;
  warmSteps: number;
  /** Peak learning rate. */
  lr: number;
  /** Linear warmup steps from 0 to lr. */
  warmup: number;
  /** The cosine ends at lr · minLrRatio. */
  minLrRatio: number;
  weightDecay: number;
  beta1: number;
  beta2: number;
  maxGradNorm: number;
  /** Seeds the initial weights and the corpus. */
  seed: number;
  /** The tokenizer's one-token step markers go up to this step (0: none; tokenizer/build.ts). */
  stepMarkers: number;
  mix: Record<DocKind, number>;
  /**
   * The warm phase's document mix (the same as `mix` unless given): long copying documents
   * cannot teach copying in short rows, since their repeats fall in another row.
   */
  warmMix: Record<DocKind, number>;
  /** Gradient shards per step; fixed, so results do not depend on the thread count. */
  shards: number;
  /**
   * The CPU kernels the shards run on; absent means 'reference' (f64 sums), the kernels every
   * recipe recorded before 2026-12-02 ran on, so their options — and checkpoints — are unchanged.
   * 'fast' (f32x4 matmul and attention, f32 sums) is about twice as fast and just as
   * deterministic: each shard runs on one thread, so its bytes depend on the options alone.
   */
  kernels?: CpuKernels;
}

/**
 * The CPU backend a run's shards train on: the reference kernels unless the options ask for the
 * fast ones, so a recipe recorded before the fast kernels landed keeps reproducing its weights.
 */
export function pretrainBackend(o: Pick<PretrainOptions, 'kernels'>): CpuBackendOptions {
  return { kernels: o.kernels ?? 'reference' };
}

/** Inference-only evaluation during pretraining: the reference kernels, whatever the run trains on (it never touches the weights). */
export const EVAL_BACKEND: CpuBackendOptions = { kernels: 'reference' };

/** Rows and row length of 0-based step `step` (the warm phase's short rows, then `seq`). */
export function stepShape(
  o: Pick<PretrainOptions, 'batch' | 'seq' | 'warmSeq' | 'warmBatch' | 'warmSteps' | 'mix' | 'warmMix'>, step: number,
): { rows: number; seq: number; mix: Record<DocKind, number> } {
  if (step < o.warmSteps) return { rows: o.warmBatch, seq: o.warmSeq, mix: o.warmMix };
  return { rows: o.batch, seq: o.seq, mix: o.mix };
}

/** lr at 0-based step `step`: the one schedule (nn/optim.ts), warming up from the first step, down to lr · minLrRatio. */
export function learningRate(o: Pick<PretrainOptions, 'lr' | 'warmup' | 'steps' | 'minLrRatio'>, step: number): number {
  return scheduledLr({ peak: o.lr, totalSteps: o.steps, warmupSteps: o.warmup, minRatio: o.minLrRatio, warmupFromFirstStep: true }, step);
}

/** Everything that changes during a run: what a checkpoint stores. */
export interface PretrainState {
  step: number;
  params: Float32Array;
  m: Float32Array;
  v: Float32Array;
  data: DataState;
  /** Training wall time so far (seconds; summed over resumed segments). */
  elapsedS: number;
  /** Tokens consumed so far (rows · seq per step). */
  tokens: number;
}

/** Storage for the flat arrays: plain arrays on one thread, SharedArrayBuffer views for workers. */
export type FloatAlloc = (n: number) => Float32Array;
export const plainAlloc: FloatAlloc = (n) => new Float32Array(n);

export function newState(layout: ParamLayout, alloc: FloatAlloc): PretrainState {
  return { step: 0, params: alloc(layout.total), m: alloc(layout.total), v: alloc(layout.total), data: { nextDoc: 0, carry: [] }, elapsedS: 0, tokens: 0 };
}

/** One shard of a step: `rows` rows of `seq` tokens and their next-token targets and mask. */
export interface ShardInput {
  rows: number;
  seq: number;
  ids: Uint32Array;
  targets: Uint32Array;
  mask: Float32Array;
}

/** Splits a step's rows into shards with next-token targets (the last position of a row has none). */
export function makeShards(ids: Uint32Array, batch: number, seq: number, shards: number): ShardInput[] {
  if (batch % shards !== 0) throw new Error(`batch ${batch} is not a multiple of shards ${shards}`);
  const rows = batch / shards;
  return Array.from({ length: shards }, (_, s) => {
    const part = ids.subarray(s * rows * seq, (s + 1) * rows * seq);
    const targets = new Uint32Array(part.length);
    const mask = new Float32Array(part.length);
    for (let r = 0; r < rows; r++) {
      for (let t = 0; t + 1 < seq; t++) {
        targets[r * seq + t] = part[r * seq + t + 1]!;
        mask[r * seq + t] = 1;
      }
    }
    return { rows, seq, ids: part.slice(), targets, mask };
  });
}

/** A model replica that computes one shard's gradient into its own (already attached) gradient views. */
export class ShardWorker {
  readonly tape: Tape;

  constructor(
    readonly model: LlamaModel,
    readonly grads: Float32Array,
  ) {
    this.tape = new Tape(model.backend);
  }

  /** Zeroes this replica's gradients, runs forward + backward; returns the shard's share of the loss. */
  async run(input: ShardInput, denominator: number): Promise<number> {
    const be = this.model.backend;
    this.grads.fill(0);
    const ids = be.uploadIndices(input.ids);
    const targets = be.uploadIndices(input.targets);
    const mask = be.upload(input.mask);
    const { loss } = this.model.loss(this.tape, ids, input.rows, input.seq, targets, mask, { denominator });
    this.tape.backward(loss);
    const [value] = await be.read(loss.buf);
    this.tape.reset();
    return value!;
  }
}

/** Runs the shards of a step and leaves shard s's gradient in grads[s]. */
export interface ShardRunner {
  readonly grads: readonly Float32Array[];
  readonly threads: number;
  run(shards: readonly ShardInput[], denominator: number): Promise<number[]>;
  close(): Promise<void>;
}

/** All shards on this thread, one after the other (browser, tests, fallback). */
export function localRunner(o: PretrainOptions, params: Float32Array, makeModel: (be: CpuBackend, grads: Float32Array) => LlamaModel): ShardRunner {
  const n = params.length;
  const workers = Array.from({ length: o.shards }, () => {
    const grads = new Float32Array(n);
    return new ShardWorker(makeModel(new CpuBackend(pretrainBackend(o)), grads), grads);
  });
  return {
    grads: workers.map((w) => w.grads),
    threads: 1,
    async run(shards, denominator) {
      const losses: number[] = [];
      for (let s = 0; s < shards.length; s++) losses.push(await workers[s]!.run(shards[s]!, denominator));
      return losses;
    },
    close: () => Promise.resolve(),
  };
}

export interface StepResult {
  loss: number;
  gradNorm: number;
  lr: number;
}

/**
 * One optimiser step on `state` with the next rows of `rows`: shard gradients, their sum in
 * shard order (into grads[0]), the global norm in f64, clipping folded into AdamW, weight decay
 * on matrices only.
 */
export async function pretrainStep(o: PretrainOptions, layout: ParamLayout, state: PretrainState, ids: Uint32Array, runner: ShardRunner): Promise<StepResult> {
  const shape = stepShape(o, state.step);
  const shards = makeShards(ids, shape.rows, shape.seq, o.shards);
  const denominator = shards.reduce((s, sh) => s + sh.mask.reduce((a, b) => a + b, 0), 0);
  const losses = await runner.run(shards, denominator);
  const g = runner.grads[0]!;
  for (let s = 1; s < runner.grads.length; s++) {
    const gs = runner.grads[s]!;
    for (let i = 0; i < g.length; i++) g[i] += gs[i]!;
  }
  let sq = 0;
  for (let i = 0; i < g.length; i++) sq += g[i]! * g[i]!;
  const gradNorm = Math.sqrt(sq);
  const lr = learningRate(o, state.step);
  const gradScale = clipFactor(gradNorm, o.maxGradNorm);
  const step = state.step + 1;
  for (const e of layout.entries) {
    const span = (a: Float32Array): Float32Array => a.subarray(e.offset, e.offset + e.size);
    adamwStep(span(state.params), span(g), span(state.m), span(state.v), {
      lr, beta1: o.beta1, beta2: o.beta2, eps: 1e-8, weightDecay: decays(e) ? o.weightDecay : 0, step, gradScale,
    });
  }
  state.step = step;
  state.tokens += shape.rows * shape.seq;
  return { loss: losses.reduce((a, b) => a + b, 0), gradNorm, lr };
}
