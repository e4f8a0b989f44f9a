/**
 * One SFT optimiser step's gradient, in two shards so that a second thread can take half of it.
 *
 * The step's micro-batches are split in two contiguous halves. Shard 1's gradient is computed
 * on its own (in a worker thread, or here before shard 0), rounded to f32 and added to shard 0's,
 * which accumulates in place. Both ways add the same two f32 arrays (and a + b = b + a exactly),
 * so one thread and two give byte-identical adapters. Each micro-batch's dropout seed is
 * step · MAX_MICRO + its index in the whole step, wherever it runs.
 */
import type { LlamaModel } from '../nn/llama.ts';
import { nextTokenTargets } from '../nn/ops.ts';
import { accumulateGradients, stepDenominator } from '../nn/optim.ts';
import type { Tape } from '../nn/tape.ts';
import type { Tensor } from '../nn/tensor.ts';
import type { SftRow } from './sft-data.ts';

/** Micro-batches per optimiser step at most: each gets its own dropout seed, step · MAX_MICRO + its index. */
export const MAX_MICRO = 64;

/** Rows of one micro-batch, right-padded to the longest (pads are never targets). */
export interface Micro {
  ids: number[][];
  mask: number[][];
  count: number;
  tokens: number;
}

export function microBatches(rows: readonly SftRow[], size: number): Micro[] {
  const out: Micro[] = [];
  for (let i = 0; i < rows.length; i += size) {
    const group = rows.slice(i, i + size);
    const T = Math.max(...group.map((r) => r.ids.length));
    const ids = group.map((r) => [...r.ids, ...new Array<number>(T - r.ids.length).fill(0)]);
    const mask = group.map((r) => [...r.mask, ...new Array<number>(T - r.mask.length).fill(0)]);
    out.push({ ids, mask, count: mask.flat().reduce((a, b) => a + b, 0), tokens: group.reduce((s, r) => s + r.ids.length, 0) });
  }
  return out;
}

/** Masked next-token loss of one micro-batch (dropout on while training). */
export function lossOf(model: LlamaModel, tape: Tape, mb: Micro, denominator: number, o: { dropout: boolean; seed: number }): Tensor {
  const { targets, mask } = nextTokenTargets(mb.ids, mb.mask);
  return model.loss(tape, tape.indices(mb.ids.flat()), mb.ids.length, mb.ids[0]!.length, tape.indices(targets), tape.values(mask), { denominator, dropout: o.dropout, seed: o.seed }).loss;
}

/** Half of a step: its micro-batches and the index of the first one in the whole step. */
export interface ShardRequest {
  /** the adapter's parameters, in adapterParams order, as they are before this step. */
  weights: Float32Array[];
  step: number;
  first: number;
  micro: Micro[];
  denominator: number;
}

export interface ShardReply {
  grads: Float32Array[];
  loss: number;
}

/** Computes shards elsewhere (sft-shards-node.ts: a Node worker thread). */
export interface SftShardRunner {
  run(req: ShardRequest): Promise<ShardReply>;
  close(): Promise<void>;
}

/** Accumulates `micro` (starting at index `first` of the step) into the parameters' gradients; returns their summed loss. */
function accumulate(model: LlamaModel, tape: Tape, step: number, first: number, micro: readonly Micro[], denominator: number): Promise<number> {
  const indexed = micro.map((mb, i) => ({ ...mb, index: first + i }));
  return accumulateGradients(tape, indexed, (tp, mb, d) => lossOf(model, tp, mb, d, { dropout: true, seed: step * MAX_MICRO + mb.index }), denominator);
}

function zeroGrads(model: LlamaModel, params: readonly Tensor[]): void {
  for (const p of params) if (p.grad) model.backend.fill(p.grad, 0);
}

/** One shard's gradient on its own: from zero, read out as f32 arrays (what a worker thread replies). */
export async function shardGradients(model: LlamaModel, tape: Tape, params: readonly Tensor[], req: Omit<ShardRequest, 'weights'>): Promise<ShardReply> {
  zeroGrads(model, params);
  const loss = await accumulate(model, tape, req.step, req.first, req.micro, req.denominator);
  const grads = await Promise.all(params.map((p) => model.backend.read(p.grad!)));
  return { grads, loss };
}

/**
 * The whole step's gradient in the parameters' `.grad`: shard 1 in `runner` (started first, so
 * it runs while this thread does shard 0) or here, shard 0 in place, then their sum. Returns
 * the step's summed loss.
 */
export async function stepGradients(model: LlamaModel, tape: Tape, params: readonly Tensor[], step: number, micro: readonly Micro[], runner?: SftShardRunner): Promise<number> {
  const be = model.backend;
  const denominator = stepDenominator(micro);
  const half = Math.ceil(micro.length / 2);
  const second = { step, first: half, micro: micro.slice(half), denominator };
  // Remote: started now, awaited after shard 0. Here: computed now, before shard 0 uses the same tape.
  const other: Promise<ShardReply> | ShardReply | null =
    second.micro.length === 0
      ? null
      : runner
        ? runner.run({ ...second, weights: await Promise.all(params.map((p) => be.read(p.buf))) })
        : await shardGradients(model, tape, params, second);
  zeroGrads(model, params);
  let loss = await accumulate(model, tape, step, 0, micro.slice(0, half), denominator);
  if (other) {
    const r = await other;
    params.forEach((p, i) => {
      const g = be.upload(r.grads[i]!);
      be.addInPlace(p.grad!, g);
      be.free(g);
    });
    loss += r.loss;
  }
  return loss;
}
