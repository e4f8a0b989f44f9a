/**
 * Full-parameter gradients of a pretraining step against PyTorch (float64, tools/make-fixtures.py,
 * tests/fixtures/llama-pretrain-grad): every base tensor — embedding, norms, all projections —
 * at T = 256, the length pretraining runs at, where the op-level finite-difference checks (T ≤ 7)
 * and the adapter-gradient fixtures cannot reach blocked kernel paths. The tokens repeat a random
 * segment, so long-range attention carries much of the loss, as in the copy-heavy corpus.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CpuBackend } from '../../nn/cpu/index.ts';
import { parseLlamaConfig } from '../../nn/llama-config.ts';
import { readSafetensors } from '../../nn/safetensors.ts';
import { modelOver, paramLayout } from './params.ts';
import { ShardWorker } from './trainer.ts';

const DIR = join(import.meta.dirname, '../../../tests/fixtures/llama-pretrain-grad');

describe('pretraining gradients at T = 256 (PyTorch float64 reference)', () => {
  it('loss and the gradient of every parameter tensor match', async () => {
    const config = parseLlamaConfig(JSON.parse(readFileSync(join(DIR, 'config.json'), 'utf8')));
    const { input_ids: ids, loss_mask: mask } = JSON.parse(readFileSync(join(DIR, 'tokens.json'), 'utf8')) as { input_ids: number[][]; loss_mask: number[][] };
    const weights = readSafetensors(readFileSync(join(DIR, 'model.safetensors'))).tensors;
    const expected = readSafetensors(readFileSync(join(DIR, 'expected-grads.safetensors'))).tensors;
    const layout = paramLayout(config);
    const params = new Float32Array(layout.total);
    for (const e of layout.entries) params.set(weights.get(e.key)!.data, e.offset);
    const grads = new Float32Array(layout.total);
    const model = modelOver(new CpuBackend(), config, layout, params, grads);

    const [B, T] = [ids.length, ids[0]!.length];
    expect(T).toBe(256);
    const targets = new Uint32Array(B * T);
    const m = new Float32Array(B * T);
    for (let b = 0; b < B; b++) for (let t = 0; t + 1 < T; t++) {
      targets[b * T + t] = ids[b]![t + 1]!;
      m[b * T + t] = mask[b]![t + 1]!;
    }
    const denominator = m.reduce((a, x) => a + x, 0);
    const loss = await new ShardWorker(model, grads).run({ rows: B, seq: T, ids: Uint32Array.from(ids.flat()), targets, mask: m }, denominator);
    expect(loss).toBeCloseTo(expected.get('loss')!.data[0]!, 5);

    expect(layout.entries.length).toBe(expected.size - 1);
    for (const e of layout.entries) {
      const want = expected.get(e.key)!.data;
      const got = grads.subarray(e.offset, e.offset + e.size);
      let diff = 0;
      let norm = 0;
      for (let i = 0; i < e.size; i++) {
        diff += (got[i]! - want[i]!) ** 2;
        norm += want[i]! ** 2;
      }
      expect(norm, e.key).toBeGreaterThan(1e-12);
      expect(Math.sqrt(diff / norm), `${e.key}: relative error of the gradient`).toBeLessThan(1e-5);
    }
  });
});
