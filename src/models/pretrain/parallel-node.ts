/**
 * Data parallelism over Node worker_threads (Node-only; the app and the browser use localRunner).
 *
 * Shard s runs on thread s mod T (thread 0 is the main thread, which works too rather than idle
 * while waiting). Weights live in one SharedArrayBuffer that every replica reads; each shard
 * writes its gradient into its own shared array; the main thread sums them in shard order
 * (trainer.ts), so the result is byte-identical to a one-thread run with the same shard count.
 */
import { Worker } from 'node:worker_threads';
import { CpuBackend } from '../../nn/cpu/index.ts';
import type { LlamaConfig } from '../../nn/llama-config.ts';
import { modelOver, paramLayout } from './params.ts';
import type { StepReply, StepRequest, WorkerInit } from './shard-worker-node.ts';
import { type FloatAlloc, type PretrainOptions, pretrainBackend, type ShardInput, type ShardRunner, ShardWorker } from './trainer.ts';

/** Flat arrays backed by SharedArrayBuffer, visible to every worker. */
export const sharedAlloc: FloatAlloc = (n) => new Float32Array(new SharedArrayBuffer(4 * n));

interface Pending<R> {
  resolve: (reply: R) => void;
  reject: (e: Error) => void;
}

/** A worker thread with one request in flight at a time; its first message says it is ready. Shared with SFT's shard worker. */
export class WorkerHandle<R = StepReply> {
  private pending: Pending<R> | null = null;
  readonly ready: Promise<R>;

  constructor(readonly worker: Worker, private readonly what = 'pretrain worker') {
    this.ready = this.next();
    worker.on('message', (m: R) => {
      const p = this.pending;
      this.pending = null;
      p?.resolve(m);
    });
    worker.on('error', (e) => this.fail(e));
    worker.on('exit', (code) => this.fail(new Error(`${this.what} exited with code ${code}`)));
  }

  private fail(e: Error): void {
    const p = this.pending;
    this.pending = null;
    p?.reject(e);
  }

  /** The worker's next reply (one request in flight at a time). */
  next(): Promise<R> {
    return new Promise((resolve, reject) => (this.pending = { resolve, reject }));
  }
}

/**
 * A runner over `threads` threads (the main one included) for `shards` shards. `params` must come
 * from sharedAlloc. Falls back to nothing: callers choose localRunner for one thread.
 */
export async function parallelRunner(config: LlamaConfig, params: Float32Array, shards: number, threads: number, kernels: PretrainOptions['kernels']): Promise<ShardRunner> {
  if (!(params.buffer instanceof SharedArrayBuffer)) throw new Error('parallelRunner: params must live in a SharedArrayBuffer (sharedAlloc)');
  const T = Math.max(1, Math.min(threads, shards));
  const layout = paramLayout(config);
  const grads = Array.from({ length: shards }, () => sharedAlloc(layout.total));
  const be = new CpuBackend(pretrainBackend({ kernels }));
  const local = new Map<number, ShardWorker>();
  for (let s = 0; s < shards; s += T) local.set(s, new ShardWorker(modelOver(be, config, layout, params, grads[s]!), grads[s]!));
  const boot = new URL('./worker-boot.mjs', import.meta.url);
  const entry = new URL('./shard-worker-node.ts', import.meta.url).href;
  const handles = Array.from({ length: T - 1 }, (_, w) => {
    const mine: Record<number, SharedArrayBuffer> = {};
    for (let s = w + 1; s < shards; s += T) mine[s] = grads[s]!.buffer as SharedArrayBuffer;
    const init: WorkerInit = { entry, config, params: params.buffer as SharedArrayBuffer, grads: mine, kernels };
    return new WorkerHandle(new Worker(boot, { workerData: init }));
  });
  await Promise.all(handles.map((h) => h.ready));
  return {
    grads,
    threads: T,
    async run(inputs: readonly ShardInput[], denominator: number): Promise<number[]> {
      const replies = handles.map((h, w) => {
        const reply = h.next();
        const jobs: StepRequest['jobs'] = [];
        for (let s = w + 1; s < inputs.length; s += T) jobs.push({ shard: s, input: inputs[s]! });
        h.worker.postMessage({ jobs, denominator } satisfies StepRequest);
        return reply;
      });
      const losses = new Array<number>(inputs.length).fill(0);
      for (const [s, replica] of local) losses[s] = await replica.run(inputs[s]!, denominator);
      for (const reply of await Promise.all(replies)) {
        if ('error' in reply) throw new Error(`pretrain worker failed: ${reply.error}`);
        for (const { shard, loss } of reply.losses) losses[shard] = loss;
      }
      return losses;
    },
    async close() {
      for (const h of handles) h.worker.removeAllListeners('exit');
      await Promise.all(handles.map((h) => h.worker.terminate()));
    },
  };
}
