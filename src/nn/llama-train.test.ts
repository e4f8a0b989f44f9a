// End to end through llama.ts: LoRA (and QLoRA, NF4 base) fine-tuning of a tiny random Llama on
// a toy sequence task drives the masked loss down. Only the adapters train. Asserts on loss,
// never on time.
import { describe, expect, it } from 'vitest';
import { Rng } from '../core/rng.ts';
import { CpuBackend } from './cpu/index.ts';
import type { LlamaConfig } from './llama-config.ts';
import { randomLlama } from './llama.ts';
import { adapterParams, initLora } from './lora.ts';
import { AdamW } from './optim.ts';
import { fitSteps } from './toy-tasks.ts';

const V = 12;
const T = 10;

/** Rows counting up by a per-row step modulo V from a random start: the step is inferable from the first two tokens. */
function batchOf(rng: Rng, n: number): { ids: number[][]; mask: number[][] } {
  const ids: number[][] = [];
  for (let b = 0; b < n; b++) {
    const start = rng.int(V);
    const step = 1 + rng.int(2);
    ids.push(Array.from({ length: T }, (_, t) => (start + step * t) % V));
  }
  return { ids, mask: ids.map((row) => row.map((_, t) => (t >= 2 ? 1 : 0))) };
}

const config: LlamaConfig = {
  vocabSize: V, hiddenSize: 32, intermediateSize: 48, numLayers: 2, numHeads: 4, numKvHeads: 2, headDim: 8,
  ropeTheta: 10000, rmsNormEps: 1e-5, tieWordEmbeddings: false,
};

describe('LoRA fine-tuning through llama.ts', () => {
  it.each([false, true])('drives the loss down (nf4 base: %s)', async (nf4) => {
    const be = new CpuBackend();
    const model = randomLlama(be, config, 11, { nf4 });
    model.setAdapter(initLora(be, config, { r: 8, alpha: 16, dropout: 0.05 }, 12));
    const opt = new AdamW(be, adapterParams(model.adapter!), { weightDecay: 0.01 });
    const rng = new Rng(13, 'count');
    const batch = 16;
    const losses = await fitSteps({
      be, opt, batch, seq: T, steps: 150, lr: 1e-2,
      next: () => batchOf(rng, batch),
      loss: (tp, bf, denominator, step) => model.loss(tp, bf.ids, batch, T, bf.targets, bf.mask, { denominator, seed: step }).loss,
    });
    const mean = (a: number[]): number => a.reduce((s, x) => s + x, 0) / a.length;
    const first = mean(losses.slice(0, 5));
    const last = mean(losses.slice(-10));
    console.log(`count task${nf4 ? ' (QLoRA)' : ''}: loss ${first.toFixed(3)} -> ${last.toFixed(3)}`);
    expect(first).toBeGreaterThan(1.5);
    expect(last).toBeLessThan(0.2 * first);
  });
});
