/**
 * SFT's second thread (Node): loads the same model folder with the same base (f32 or NF4) and a
 * LoRA adapter of the same shape, then for each request writes the adapter's current weights,
 * computes the gradient of its half of the step (sft-step.ts `shardGradients`) and sends it
 * back. The main thread owns the optimiser; this thread only ever holds a copy of the weights.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { asLanguageModel, loadModel } from '../models/loader/index.ts';
import { directoryReader } from '../models/loader/node.ts';
import { CpuBackend } from '../nn/cpu/index.ts';
import { adapterParams, initLora, type LoraSettings } from '../nn/lora.ts';
import { Tape } from '../nn/tape.ts';
import { type ShardReply, type ShardRequest, shardGradients } from './sft-step.ts';

export interface ShardWorkerInit {
  entry: string;
  /** the model folder on disk, as the main thread loaded it. */
  location: string;
  nf4: boolean;
  lora: LoraSettings;
}

export type ShardWorkerReply = ShardReply | { ready: true } | { error: string };

const init = workerData as ShardWorkerInit;
const port = parentPort;
if (!port) throw new Error('sft-shard-worker-node.ts must run in a worker thread');
const fail = (e: unknown) => port.postMessage({ error: e instanceof Error ? (e.stack ?? e.message) : String(e) } satisfies ShardWorkerReply);

try {
  const be = new CpuBackend();
  const { model } = asLanguageModel(await loadModel({ kind: 'local', location: init.location }, { backend: be, folder: directoryReader, nf4: init.nf4 }));
  // The initial values do not matter: every request brings the weights.
  const adapter = initLora(be, model.config, init.lora, 0);
  model.setAdapter(adapter);
  const params = adapterParams(adapter);
  const tape = new Tape(be);
  port.on('message', (req: ShardRequest) => {
    void (async () => {
      try {
        params.forEach((p, i) => be.write(p.buf, req.weights[i]!));
        const reply = await shardGradients(model, tape, params, req);
        port.postMessage(reply satisfies ShardWorkerReply, reply.grads.map((g) => g.buffer as ArrayBuffer));
      } catch (e) {
        fail(e);
      }
    })();
  });
  port.postMessage({ ready: true } satisfies ShardWorkerReply);
} catch (e) {
  fail(e);
}
