/**
 * `bench --only sft`: what one QLoRA training step costs on the engine (CPU backend, the shipped
 * model with an NF4 base and a rank-8 adapter on every projection, dropout on: forward +
 * backward + AdamW, through the trainer's own `stepGradients`), per token, at three row lengths:
 * 256 (pretraining's short rows), the longest SFT row of an energy-mdp H = 20 training set with
 * the shipped tokenizer (≈ 760 tokens since the step markers are one token each), and 1,536 (an
 * H = 20 row with the earlier tokenizer, where the training-stage issue measured "today").
 * - the reference kernels, one thread, batch 1: the engine as the issue found it;
 * - the fast kernels (cpu/fast-exp.ts: f32x4 attention for training, a table exp in the
 *   softmaxes and SiLU), one thread, batch 1: what the kernels add;
 * - fast, one thread, batch 2, and two threads, batch 2 (one row per thread, sft-step.ts's two
 *   shards): what the second core adds at equal work.
 * With the share of the one-thread step spent in attention (forward and backward) and in
 * matmuls. Medians over repeated steps, the configurations interleaved step by step in the same
 * run (so the ratios survive the machine's slow spells); never gates anything.
 */
import { resolve } from 'node:path';
import type { Backend } from '../../src/nn/backend.ts';
import type { LanguageModel } from '../../src/policies/types.ts';
import { adapterParams, initLora } from '../../src/nn/lora.ts';
import { AdamW, applyUpdate } from '../../src/nn/optim.ts';
import { Tape } from '../../src/nn/tape.ts';
import { nodeSftShards } from '../../src/training/sft-shards-node.ts';
import { type Micro, type SftShardRunner, stepGradients } from '../../src/training/sft-step.ts';
import { buildSftDataset } from '../../src/training/sft-data.ts';
import type { CpuKernels } from '../../src/nn/cpu/fast-exp.ts';
import { loadLanguageModelFolder, SHIPPED_MODEL_DIR } from '../language-model.ts';
import { median } from '../../src/core/metrics.ts';

const LORA = { r: 8, alpha: 16, dropout: 0.1 };

export interface SftBenchRow {
  kernel: CpuKernels;
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
  /** the longest row of an energy-mdp H = 20 SFT training set with this model's tokenizer. */
  h20Tokens: number;
  rows: SftBenchRow[];
  /** tokens/s, fast kernel with two threads (batch 2) ÷ reference kernel with one thread (batch 1), at 1,536 tokens and at the H = 20 row. */
  speedupAt1536: number;
  speedupAtH20: number;
  /** one thread, batch 1: fast ÷ reference kernel at 1,536 tokens. */
  kernelRatioAt1536: number;
  /** at 1,536 tokens, fast, batch 2: two threads ÷ one thread (what the second core adds). */
  threadRatioAt1536: number;
  /** one thread, batch 1, fast: tokens/s at 1,536 ÷ at 256. */
  longRowRatio: number;
}

/** The longest SFT row of a small energy-mdp H = 20 training set (the shipped tokenizer puts it near 760 tokens). */
async function h20RowTokens(lm: LanguageModel): Promise<number> {
  const spec = { name: 'bench-sft', env: 'energy-mdp', params: { horizon: 20 }, policies: ['sft'], testTasks: 1, episodes: 1, seed: 0 };
  return (await buildSftDataset(spec, lm.tokenizer, { tasks: 3 })).longest;
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
  const repeats = o.quick ? 2 : 9;
  const models: Record<CpuKernels, LanguageModel> = {
    reference: await loadLanguageModelFolder(o.model, '--model', { nf4: true, adapter: true }, { kernels: 'reference' }),
    fast: await loadLanguageModelFolder(o.model, '--model', { nf4: true, adapter: true }, { kernels: 'fast' }),
  };
  const lm = models.fast;
  const h20Tokens = await h20RowTokens(lm);
  const lengths = [256, h20Tokens, 1536].filter((T) => T <= lm.maxPositions);
  const rows: SftBenchRow[] = [];
  const configs: { kernel: CpuKernels; batch: number; threads: 1 | 2 }[] = [
    { kernel: 'reference', batch: 1, threads: 1 }, { kernel: 'fast', batch: 1, threads: 1 }, { kernel: 'fast', batch: 2, threads: 1 }, { kernel: 'fast', batch: 2, threads: 2 },
  ];
  let shards: SftShardRunner | undefined;
  try {
    // The shard threads load the model on the default (fast) backend, as training does.
    shards = await nodeSftShards({ location: o.model === undefined ? SHIPPED_MODEL_DIR : resolve(o.model), nf4: true, lora: LORA });
    for (const T of lengths) {
      // Every configuration gets its own adapter, optimizer and timed backend; their steps are
      // interleaved (step s of each in turn), so a slow spell of the machine slows all alike and
      // the ratios hold even when the absolute figures drift (they did by 1.5× between runs).
      const runs = configs.map(({ kernel, batch, threads }) => {
        const model = models[kernel].model;
        const { backend, times } = timed(model.backend);
        const adapter = initLora(model.backend, model.config, LORA, 1);
        const opt = new AdamW(model.backend, adapterParams(adapter));
        const tape = new Tape(backend);
        const micro: Micro[] = Array.from({ length: batch }, (_, b) => {
          const ids = Array.from({ length: T }, (_, i) => 4 + ((i * 7919 + b * 104729) % (model.config.vocabSize - 4)));
          return { ids: [ids], mask: [ids.map((_, i) => (i === 0 ? 0 : 1))], count: T - 1, tokens: T };
        });
        const step = async (s: number): Promise<number> => {
          model.setAdapter(adapter);
          const t0 = performance.now();
          await stepGradients(model, tape, opt.params, s, micro, threads === 2 ? shards : undefined);
          await applyUpdate(opt, { lr: 1e-3, maxGradNorm: 1 });
          return performance.now() - t0;
        };
        return { kernel, batch, threads, times, step, ms: [] as number[] };
      });
      for (const r of runs) {
        await r.step(0);
        r.times.clear();
      }
      for (let s = 1; s <= repeats; s++) for (const r of runs) r.ms.push(await r.step(s));
      for (const { kernel, batch, threads, times, ms } of runs) {
        const total = ms.reduce((a, b) => a + b, 0);
        const share = (names: string[]) => (threads === 1 ? names.reduce((a, n) => a + (times.get(n) ?? 0), 0) / total : null);
        const stepMs = median(ms);
        rows.push({
          kernel, rowTokens: T, batch, threads, stepMs, tokensPerSecond: (1000 * T * batch) / stepMs,
          attentionShare: share(['attentionForward', 'attentionBackward']), matmulShare: share(['matmul']),
        });
      }
    }
  } finally {
    models.reference.model.setAdapter(null);
    models.fast.model.setAdapter(null);
    await shards?.close();
  }
  const at = (kernel: CpuKernels, T: number, batch: number, threads: number) =>
    rows.find((r) => r.kernel === kernel && r.rowTokens === T && r.batch === batch && r.threads === threads)?.tokensPerSecond ?? NaN;
  return {
    model: lm.label, repeats, h20Tokens, rows,
    speedupAt1536: at('fast', 1536, 2, 2) / at('reference', 1536, 1, 1),
    speedupAtH20: at('fast', h20Tokens, 2, 2) / at('reference', h20Tokens, 1, 1),
    kernelRatioAt1536: at('fast', 1536, 1, 1) / at('reference', 1536, 1, 1),
    threadRatioAt1536: at('fast', 1536, 2, 2) / at('fast', 1536, 2, 1),
    longRowRatio: at('fast', 1536, 1, 1) / at('fast', 256, 1, 1),
  };
}

export function printSft(b: SftBench): void {
  console.log(`\nSFT step on the engine (CPU), ${b.model}, NF4 base, LoRA r=8 on every projection, one row per micro-batch, median of ${b.repeats}`);
  console.log('kernel     row tokens  batch  threads   step ms   tokens/s   attention   matmul');
  const share = (x: number | null) => (x === null ? '—' : `${(100 * x).toFixed(0)} %`);
  for (const r of b.rows) {
    console.log(
      `${r.kernel.padEnd(9)}  ${String(r.rowTokens).padStart(10)}  ${String(r.batch).padStart(5)}  ${String(r.threads).padStart(7)}  ${r.stepMs.toFixed(0).padStart(8)}  ${r.tokensPerSecond.toFixed(0).padStart(9)}  ${share(r.attentionShare).padStart(10)}  ${share(r.matmulShare).padStart(7)}`,
    );
  }
  console.log(`fast kernel, two threads (batch 2) ÷ reference kernel, one thread (batch 1, the starting figure): ${b.speedupAt1536.toFixed(2)} at 1,536 tokens, ${b.speedupAtH20.toFixed(2)} at the H = 20 row (${b.h20Tokens} tokens)`);
  console.log(`at 1,536 tokens: fast ÷ reference kernel (one thread, batch 1) = ${b.kernelRatioAt1536.toFixed(2)}; two threads ÷ one (fast, batch 2) = ${b.threadRatioAt1536.toFixed(2)}`);
  console.log(`fast kernel, one thread, batch 1: tokens/s at 1,536 ÷ at 256 = ${b.longRowRatio.toFixed(2)}`);
}
