/**
 * `bench --only sft`: what one QLoRA training step costs on the engine (CPU backend, one
 * thread, the shipped model with an NF4 base and a rank-8 adapter on every projection, dropout
 * on: forward + backward + AdamW), per token, at the row length of an H = 20 prompt (1,536
 * tokens) and at the pretraining row length (256, the reference measured in the same run), with
 * the share of the step spent in attention (forward and backward) and in matmuls. Medians over
 * repeated steps; never gates anything. The training-stage issue's speed target (3× at 1,536)
 * is measured against this.
 */
import type { Backend } from '../../src/nn/backend.ts';
import { adapterParams, initLora } from '../../src/nn/lora.ts';
import { nextTokenTargets } from '../../src/nn/ops.ts';
import { AdamW, trainStep } from '../../src/nn/optim.ts';
import { Tape } from '../../src/nn/tape.ts';
import { loadLanguageModelFolder } from '../language-model.ts';
import { median } from '../../src/core/metrics.ts';

export interface SftBenchRow {
  rowTokens: number;
  stepMs: number;
  tokensPerSecond: number;
  /** shares of the step's time (backend calls timed one by one). */
  attentionShare: number;
  matmulShare: number;
}

export interface SftBench {
  model: string;
  threads: 1;
  repeats: number;
  rows: SftBenchRow[];
  /** tokens/s at 1,536 ÷ tokens/s at 256 (the reference). */
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
  for (const T of [256, 1536]) {
    if (T > lm.maxPositions) continue;
    const { backend, times } = timed(model.backend);
    const adapter = initLora(model.backend, model.config, { r: 8, alpha: 16, dropout: 0.1 }, 1);
    model.setAdapter(adapter);
    const opt = new AdamW(model.backend, adapterParams(adapter));
    const tape = new Tape(backend);
    const ids = [Array.from({ length: T }, (_, i) => 4 + ((i * 7919) % (model.config.vocabSize - 4)))];
    const { targets, mask } = nextTokenTargets(ids, [ids[0]!.map((_, i) => (i === 0 ? 0 : 1))]);
    const step = (s: number) =>
      trainStep(tape, opt, [{ count: T - 1 }], (tp, _mb, d) => model.loss(tp, tp.indices(ids.flat()), 1, T, tp.indices(targets), tp.values(mask), { denominator: d, dropout: true, seed: s }).loss, { lr: 1e-3, maxGradNorm: 1 });
    await step(0);
    times.clear();
    const ms: number[] = [];
    for (let s = 1; s <= repeats; s++) {
      const t0 = performance.now();
      await step(s);
      ms.push(performance.now() - t0);
    }
    const total = ms.reduce((a, b) => a + b, 0);
    const share = (names: string[]) => names.reduce((a, n) => a + (times.get(n) ?? 0), 0) / total;
    const stepMs = median(ms);
    rows.push({ rowTokens: T, stepMs, tokensPerSecond: (1000 * T) / stepMs, attentionShare: share(['attentionForward', 'attentionBackward']), matmulShare: share(['matmul']) });
  }
  model.setAdapter(null);
  const at = (T: number) => rows.find((r) => r.rowTokens === T)?.tokensPerSecond ?? NaN;
  return { model: lm.label, threads: 1, repeats, rows, longRowRatio: at(1536) / at(256) };
}

export function printSft(b: SftBench): void {
  console.log(`\nSFT step on the engine (CPU, ${b.threads} thread), ${b.model}, NF4 base, LoRA r=8 on every projection, batch 1, median of ${b.repeats}`);
  console.log('row tokens   step ms   tokens/s   attention   matmul');
  for (const r of b.rows) {
    console.log(`${String(r.rowTokens).padStart(10)}  ${r.stepMs.toFixed(0).padStart(8)}  ${r.tokensPerSecond.toFixed(0).padStart(9)}  ${(100 * r.attentionShare).toFixed(0).padStart(9)} %  ${(100 * r.matmulShare).toFixed(0).padStart(5)} %`);
  }
  console.log(`tokens/s at 1,536 ÷ at 256 (the reference, same run): ${b.longRowRatio.toFixed(2)}`);
}
