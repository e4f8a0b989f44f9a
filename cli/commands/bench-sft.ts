/**
 * `bench --only sft`: what one QLoRA training step costs on the engine (CPU backend, the shipped
 * model with an NF4 base and a rank-8 adapter on every projection, dropout on: forward +
 * backward + AdamW, through the trainer's own `stepGradients`), per token, at the row length of
 * an H = 20 prompt (1,536 tokens) and at the pretraining row length (256):
 * - one thread, batch 1: the figure the training-stage issue started from ("today's");
 * - one thread, batch 2, and two threads, batch 2 (one row per thread, sft-step.ts's two shards):
 *   what the second core adds at equal work.
 * With the share of the one-thread step spent in attention (forward and backward) and in
 * matmuls. Medians over repeated steps, all in the same run; never gates anything.
 */
import { resolve } from 'node:path';
import type { Backend } from '../../src/nn/backend.ts';
import { adapterParams, initLora } from '../../src/nn/lora.ts';
import { AdamW, applyUpdate } from '../../src/nn/optim.ts';
import { Tape } from '../../src/nn/tape.ts';
import { nodeSftShards } from '../../src/training/sft-shards-node.ts';
import { type Micro, type SftShardRunner, stepGradients } from '../../src/training/sft-step.ts';
import { loadLanguageModelFolder, SHIPPED_MODEL_DIR } from '../language-model.ts';
import { median } from '../../src/core/metrics.ts';

const LORA = { r: 8, alpha: 16, dropout: 0.1 };

export interface SftBenchRow {
  rowTokens: number;
  /** rows per step (one micro-batch each). */
  batch: number;
  threads: 1 | 2;
  stepMs: number;
  tokensPerSecond: number;
  /** shares of the step's time (backend calls timed one by one); one-thread rows only. */
  attentionShare: number | null;
  matmulShare: number | null;
}

export interface SftBench {
  model: string;
  repeats: number;
  rows: SftBenchRow[];
  /** at 1,536 tokens: two threads (batch 2) ÷ one thread (batch 1), the "today". */
  speedupAt1536: number;
  /** at 1,536 tokens, batch 2: two threads ÷ one thread (what the second core adds). */
  threadRatioAt1536: number;
  /** one thread, batch 1: tokens/s at 1,536 ÷ at 256. */
  longRowRatio: number;
}

/** Wraps every backend method to add its wall time under its name (the engine is synchronous on the CPU). */
function timed(be: Backend): { backend: Backend; times: Map<string, number> } {
  const times = new Map<string, number>();
  const proxy = new Proxy(be, {
    get(target, prop, receiver) {
      const v: unknown = Reflect.get(target, prop, receiver);
      if (typeof v !== 'function' || typeof prop !== 'string') return v;
      return (...args: unknown[]) => {
        const t0 = performance.now();
        const out: unknown = (v as (...a: unknown[]) => unknown).apply(target, args);
        times.set(prop, (times.get(prop) ?? 0) + performance.now() - t0);
        return out;
      };
    },
  });
  return { backend: proxy, times };
}

export async function benchSft(o: { quick: boolean; model?: string }): Promise<SftBench> {
  const repeats = o.quick ? 2 : 5;
  const lm = await loadLanguageModelFolder(o.model, '--model', { nf4: true, adapter: true });
  const model = lm.model;
  const rows: SftBenchRow[] = [];
  const configs: { batch: number; threads: 1 | 2 }[] = [{ batch: 1, threads: 1 }, { batch: 2, threads: 1 }, { batch: 2, threads: 2 }];
  let shards: SftShardRunner | undefined;
  try {
    for (const { batch, threads } of configs) {
      if (threads === 2) shards ??= await nodeSftShards({ location: o.model === undefined ? SHIPPED_MODEL_DIR : resolve(o.model), nf4: true, lora: LORA });
      for (const T of [256, 1536]) {
        if (T > lm.maxPositions) continue;
        const { backend, times } = timed(model.backend);
        const adapter = initLora(model.backend, model.config, LORA, 1);
        model.setAdapter(adapter);
        const opt = new AdamW(model.backend, adapterParams(adapter));
        const tape = new Tape(backend);
        const micro: Micro[] = Array.from({ length: batch }, (_, b) => {
          const ids = Array.from({ length: T }, (_, i) => 4 + ((i * 7919 + b * 104729) % (model.config.vocabSize - 4)));
          return { ids: [ids], mask: [ids.map((_, i) => (i === 0 ? 0 : 1))], count: T - 1, tokens: T };
        });
        const step = async (s: number) => {
          await stepGradients(model, tape, opt.params, s, micro, threads === 2 ? shards : undefined);
          await applyUpdate(opt, { lr: 1e-3, maxGradNorm: 1 });
        };
        await step(0);
        times.clear();
        const ms: number[] = [];
        for (let s = 1; s <= repeats; s++) {
          const t0 = performance.now();
          await step(s);
          ms.push(performance.now() - t0);
        }
        const total = ms.reduce((a, b) => a + b, 0);
        const share = (names: string[]) => (threads === 1 ? names.reduce((a, n) => a + (times.get(n) ?? 0), 0) / total : null);
        const stepMs = median(ms);
        rows.push({
          rowTokens: T, batch, threads, stepMs, tokensPerSecond: (1000 * T * batch) / stepMs,
          attentionShare: share(['attentionForward', 'attentionBackward']), matmulShare: share(['matmul']),
        });
      }
    }
  } finally {
    model.setAdapter(null);
    await shards?.close();
  }
  const at = (T: number, batch: number, threads: number) => rows.find((r) => r.rowTokens === T && r.batch === batch && r.threads === threads)?.tokensPerSecond ?? NaN;
  return {
    model: lm.label, repeats, rows,
    speedupAt1536: at(1536, 2, 2) / at(1536, 1, 1), threadRatioAt1536: at(1536, 2, 2) / at(1536, 2, 1), longRowRatio: at(1536, 1, 1) / at(256, 1, 1),
  };
}

export function printSft(b: SftBench): void {
  console.log(`\nSFT step on the engine (CPU), ${b.model}, NF4 base, LoRA r=8 on every projection, one row per micro-batch, median of ${b.repeats}`);
  console.log('row tokens  batch  threads   step ms   tokens/s   attention   matmul');
  const share = (x: number | null) => (x === null ? '—' : `${(100 * x).toFixed(0)} %`);
  for (const r of b.rows) {
    console.log(
      `${String(r.rowTokens).padStart(10)}  ${String(r.batch).padStart(5)}  ${String(r.threads).padStart(7)}  ${r.stepMs.toFixed(0).padStart(8)}  ${r.tokensPerSecond.toFixed(0).padStart(9)}  ${share(r.attentionShare).padStart(10)}  ${share(r.matmulShare).padStart(7)}`,
    );
  }
  console.log(`at 1,536 tokens: two threads (batch 2) ÷ one thread (batch 1, the starting figure) = ${b.speedupAt1536.toFixed(2)}; two threads ÷ one at batch 2 = ${b.threadRatioAt1536.toFixed(2)}`);
  console.log(`one thread, batch 1: tokens/s at 1,536 ÷ at 256 = ${b.longRowRatio.toFixed(2)}`);
}
