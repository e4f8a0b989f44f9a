/**
 * A data-parallel worker thread (Node): holds a model replica over the SHARED weights and
 * computes the gradients of the shards the main thread sends, each into that shard's shared
 * gradient array. It never writes the weights; the main thread applies the update while every
 * worker waits for the next step, so no locking is needed beyond the message round trip.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { CpuBackend } from '../../nn/cpu/index.ts';
import type { LlamaConfig } from '../../nn/llama-config.ts';
import { modelOver, paramLayout } from './params.ts';
import { type PretrainOptions, pretrainBackend, ShardWorker, type ShardInput } from './trainer.ts';

export interface WorkerInit {
  entry: string;
  config: LlamaConfig;
  params: SharedArrayBuffer;
  /** Gradient arrays of the shards this worker computes, by shard index. */
  grads: Record<number, SharedArrayBuffer>;
  kernels: PretrainOptions['kernels'];
}

export interface StepRequest {
  jobs: { shard: number; input: ShardInput }[];
  denominator: number;
}

export type StepReply = { losses: { shard: number; loss: number }[] } | { error: string };

const init = workerData as WorkerInit;
const port = parentPort;
if (!port) throw new Error('shard-worker-node.ts must run in a worker thread');
const be = new CpuBackend(pretrainBackend(init));
const layout = paramLayout(init.config);
const params = new Float32Array(init.params);
const replicas = new Map<number, ShardWorker>();
for (const [shard, sab] of Object.entries(init.grads)) {
  const grads = new Float32Array(sab);
  replicas.set(Number(shard), new ShardWorker(modelOver(be, init.config, layout, params, grads), grads));
}

port.on('message', (req: StepRequest) => {
  void (async () => {
    try {
      const losses: { shard: number; loss: number }[] = [];
      for (const job of req.jobs) losses.push({ shard: job.shard, loss: await replicas.get(job.shard)!.run(job.input, req.denominator) });
      port.postMessage({ losses } satisfies StepReply);
    } catch (e) {
      port.postMessage({ error: (e as Error).stack ?? String(e) } satisfies StepReply);
    }
  })();
});
port.postMessage({ losses: [] } satisfies StepReply);
