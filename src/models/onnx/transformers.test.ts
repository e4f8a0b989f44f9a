/**
 * The exported folder loaded by @huggingface/transformers itself (AutoModelForCausalLM, local
 * files only, never the network; in Node it runs the graph on onnxruntime-node): its forward
 * logits and its greedy generate() — which feeds the KV cache back step by step — against our
 * engine on the golden tiny Llama with the adapter merged.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AutoModelForCausalLM, env, Tensor } from '@huggingface/transformers';
import { describe, expect, it } from 'vitest';
import { relativeError } from '../../../tests/fixtures/compare.ts';
import { useLocalModels, writeOnnxExport } from '../../../tests/fixtures/onnx-folder.ts';
import { CpuBackend } from '../../nn/cpu/index.ts';
import { parseLlamaConfig } from '../../nn/llama-config.ts';
import { loadLlama, type LlamaModel } from '../../nn/llama.ts';
import { parseTokenBatch, runForward } from '../forward.ts';
import { loadPeftAdapter } from '../peft.ts';

const FIXTURE = join(import.meta.dirname, '../../../tests/fixtures/llama-tiny');
const TOLERANCE = 1e-4;

async function exportFixture(root: string, name: string): Promise<LlamaModel> {
  const raw = JSON.parse(readFileSync(join(FIXTURE, 'config.json'), 'utf8')) as Record<string, unknown>;
  const be = new CpuBackend();
  const config = parseLlamaConfig(raw);
  const model = loadLlama(be, config, readFileSync(join(FIXTURE, 'model.safetensors')));
  model.setAdapter(loadPeftAdapter(be, config, JSON.parse(readFileSync(join(FIXTURE, 'adapter_config.json'), 'utf8')), readFileSync(join(FIXTURE, 'adapter_model.safetensors')), { dropout: 0 }));
  await writeOnnxExport(root, name, model, raw);
  return model;
}

async function engineLogits(model: LlamaModel, ids: number[][]): Promise<Float32Array> {
  return (await runForward(model, parseTokenBatch({ input_ids: ids }, model.config.vocabSize), { grad: false })).get('logits')!.data;
}

const argmax = (xs: Float32Array, from: number, n: number): number => {
  let best = 0;
  for (let i = 1; i < n; i++) if (xs[from + i]! > xs[from + best]!) best = i;
  return best;
};

describe('the ONNX export loaded by @huggingface/transformers (local files only)', () => {
  it('AutoModelForCausalLM gives our logits, and greedy generate() (KV cache) our greedy tokens', async () => {
    const root = mkdtempSync(join(tmpdir(), 'lab-onnx-hf-'));
    const model = await exportFixture(root, 'tiny');
    useLocalModels(env, root);
    const hf = await AutoModelForCausalLM.from_pretrained('tiny', { dtype: 'fp32', device: 'cpu' });
    try {
      const ids = (JSON.parse(readFileSync(join(FIXTURE, 'tokens.json'), 'utf8')) as { input_ids: number[][] }).input_ids;
      const [B, T] = [ids.length, ids[0]!.length];
      const tensor = (rows: number[][]): Tensor => new Tensor('int64', BigInt64Array.from(rows.flat().map(BigInt)), [rows.length, rows[0]!.length]);
      const out = (await hf({ input_ids: tensor(ids), attention_mask: tensor(ids.map((r) => r.map(() => 1))) })) as { logits: Tensor };
      expect(out.logits.dims).toEqual([B, T, 32]);
      const err = relativeError(out.logits.data as Float32Array, await engineLogits(model, ids));
      console.log(`transformers.js forward vs engine: ${err.toExponential(2)}`);
      expect(err).toBeLessThanOrEqual(TOLERANCE);

      // Record what generate() feeds the session, to see that it really steps with the cache.
      const session = hf.sessions.model as { run: (feeds: Record<string, { dims: readonly number[] }>, ...rest: unknown[]) => Promise<unknown> };
      const fed: { ids: number; past: number }[] = [];
      const run = session.run.bind(session);
      session.run = (feeds, ...rest) => {
        fed.push({ ids: feeds.input_ids!.dims[1]!, past: feeds['past_key_values.0.key']!.dims[2]! });
        return run(feeds, ...rest);
      };
      const prompt = ids[0]!.slice(0, 3);
      const steps = 6;
      const generated = (await hf.generate({ inputs: tensor([prompt]), max_new_tokens: steps, do_sample: false, eos_token_id: -1 })) as Tensor;
      const hfTokens = Array.from(generated.data as BigInt64Array, Number);
      const ours = [...prompt];
      for (let s = 0; s < steps; s++) ours.push(argmax(await engineLogits(model, [ours]), (ours.length - 1) * 32, 32));
      expect(hfTokens).toEqual(ours);
      expect(fed).toEqual([{ ids: 3, past: 0 }, ...Array.from({ length: steps - 1 }, (_, s) => ({ ids: 1, past: 3 + s }))]);
    } finally {
      await hf.dispose();
    }
  });
});
