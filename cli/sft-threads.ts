/** `--threads` for the commands that train SFT adapters: 2 puts half of every step in a worker thread (byte-identical adapters). */
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import type { ExperimentSpec } from '../src/experiments/spec.ts';
import { nodeSftShards } from '../src/training/sft-shards-node.ts';
import type { SftShardRunner } from '../src/training/sft-step.ts';
import { positiveInt } from './io.ts';
import { SHIPPED_MODEL_DIR } from './language-model.ts';

/** SFT steps split in two shards, so at most two threads help. */
export const MAX_SFT_THREADS = 2;

export function sftThreads(arg: string | undefined): number {
  return positiveInt(arg, '--threads', 1, MAX_SFT_THREADS, Math.min(MAX_SFT_THREADS, availableParallelism()));
}

/** The second thread for the spec's model and adapter shape, or undefined on one thread. Close it when done. */
export async function sftShardsFor(spec: ExperimentSpec, threads: number): Promise<SftShardRunner | undefined> {
  if (threads < 2) return undefined;
  const t = spec.training;
  return nodeSftShards({ location: spec.model === undefined ? SHIPPED_MODEL_DIR : resolve(spec.model), nf4: t.nf4, lora: { r: t.rank, alpha: t.alpha, dropout: t.dropout } });
}
