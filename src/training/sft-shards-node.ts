/**
 * SFT on two threads in Node: half of every step's micro-batches go to a worker thread
 * (sft-shard-worker-node.ts) that holds its own copy of the model, while this thread does the
 * other half (sft-step.ts). The adapter is byte-identical to a one-thread run (tested).
 */
import { Worker } from 'node:worker_threads';
import type { LoraSettings } from '../nn/lora.ts';
import { WorkerHandle } from '../models/pretrain/parallel-node.ts';
import type { ShardWorkerInit, ShardWorkerReply } from './sft-shard-worker-node.ts';
import type { SftShardRunner } from './sft-step.ts';

export async function nodeSftShards(o: { location: string; nf4: boolean; lora: LoraSettings }): Promise<SftShardRunner> {
  const boot = new URL('../models/pretrain/worker-boot.mjs', import.meta.url);
  const init: ShardWorkerInit = { entry: new URL('./sft-shard-worker-node.ts', import.meta.url).href, ...o };
  const h = new WorkerHandle<ShardWorkerReply>(new Worker(boot, { workerData: init }), 'SFT worker thread');
  const first = await h.ready;
  if ('error' in first) {
    await h.worker.terminate();
    throw new Error(`SFT worker thread failed to start: ${first.error}`);
  }
  return {
    async run(req) {
      const reply = h.next();
      h.worker.postMessage(req);
      const r = await reply;
      if ('error' in r) throw new Error(`SFT worker thread failed: ${r.error}`);
      if ('ready' in r) throw new Error('SFT worker thread: unexpected reply');
      return r;
    },
    async close() {
      h.worker.removeAllListeners('exit');
      await h.worker.terminate();
    },
  };
}
