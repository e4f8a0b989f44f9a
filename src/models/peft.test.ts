// PEFT adapter interop: export → import reproduces the model's logits bit for bit, the files
// have PEFT's keys and config fields, and unsupported configs are refused naming the key.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Rng } from '../core/rng.ts';
import { CpuBackend } from '../nn/cpu/index.ts';
import type { LlamaConfig } from '../nn/llama-config.ts';
import { randomLlama, type LlamaModel } from '../nn/llama.ts';
import { adapterParams, initLora } from '../nn/lora.ts';
import { readSafetensors, writeSafetensors } from '../nn/safetensors.ts';
import { Tape } from '../nn/tape.ts';
import { loadPeftAdapter, parsePeftConfig, savePeftAdapter } from './peft.ts';

const config: LlamaConfig = {
  vocabSize: 19, hiddenSize: 16, intermediateSize: 24, numLayers: 2, numHeads: 4, numKvHeads: 2, headDim: 4,
  ropeTheta: 10000, rmsNormEps: 1e-6, tieWordEmbeddings: true,
};

async function logits(model: LlamaModel, ids: number[]): Promise<Float32Array> {
  const tape = new Tape(model.backend);
  tape.gradEnabled = false;
  return model.backend.read(model.forward(tape, model.backend.uploadIndices(ids), 1, ids.length).buf);
}

describe('PEFT adapters', () => {
  it('round-trips: saved and reloaded, the adapter gives exactly the same logits', async () => {
    const be = new CpuBackend();
    const model = randomLlama(be, config, 3);
    const adapter = initLora(be, config, { r: 2, alpha: 5, dropout: 0.05 }, 4, ['q_proj', 'v_proj', 'down_proj']);
    const rng = new Rng(1, 'b');
    for (const t of adapterParams(adapter)) be.write(t.buf, Array.from({ length: t.size }, () => 0.3 * rng.normal()));
    model.setAdapter(adapter);
    const ids = [1, 5, 18, 2, 2, 7];
    const before = await logits(model, ids);

    const files = await savePeftAdapter(be, adapter, 'decision-lab/tiny');
    expect(files.config).toMatchObject({
      peft_type: 'LORA', task_type: 'CAUSAL_LM', r: 2, lora_alpha: 5, lora_dropout: 0.05,
      target_modules: ['q_proj', 'v_proj', 'down_proj'], base_model_name_or_path: 'decision-lab/tiny',
    });
    const keys = [...readSafetensors(files.safetensors).tensors.keys()];
    expect(keys).toHaveLength(2 * 3 * 2);
    expect(keys).toContain('base_model.model.model.layers.1.self_attn.q_proj.lora_A.weight');
    expect(keys).toContain('base_model.model.model.layers.0.mlp.down_proj.lora_B.weight');
    expect(readSafetensors(files.safetensors).tensors.get('base_model.model.model.layers.0.mlp.down_proj.lora_B.weight')!.shape).toEqual([16, 2]);

    const reloaded = loadPeftAdapter(be, config, JSON.parse(JSON.stringify(files.config)), files.safetensors);
    model.setAdapter(reloaded);
    expect(Array.from(await logits(model, ids))).toEqual(Array.from(before));
    model.setAdapter(null);
    expect(Array.from(await logits(model, ids))).not.toEqual(Array.from(before));
  });

  it.each([Number.NaN, Number.POSITIVE_INFINITY])('refuses an adapter tensor holding %s, naming it', (value) => {
    const dir = join(import.meta.dirname, '../../tests/fixtures/llama-tiny');
    const c: LlamaConfig = { ...config, vocabSize: 32, tieWordEmbeddings: false };
    const tensors = readSafetensors(readFileSync(join(dir, 'adapter_model.safetensors'))).tensors;
    const key = [...tensors.keys()].find((k) => k.includes('lora_B'))!;
    const poisoned = new Map([...tensors].map(([k, t]) => [k, { shape: t.shape, data: k === key ? Float32Array.from(t.data, (v, i) => (i === 1 ? value : v)) : t.data }]));
    const config0 = JSON.parse(readFileSync(join(dir, 'adapter_config.json'), 'utf8'));
    expect(() => loadPeftAdapter(new CpuBackend(), c, config0, writeSafetensors(poisoned))).toThrow(`tensor ${key} holds ${String(value)} at index 1`);
  });

  it('re-exports the fixture adapter with identical tensors', async () => {
    const dir = join(import.meta.dirname, '../../tests/fixtures/llama-tiny');
    const be = new CpuBackend();
    const c: LlamaConfig = { ...config, vocabSize: 32, tieWordEmbeddings: false };
    const bytes = readFileSync(join(dir, 'adapter_model.safetensors'));
    const adapter = loadPeftAdapter(be, c, JSON.parse(readFileSync(join(dir, 'adapter_config.json'), 'utf8')), bytes);
    const original = readSafetensors(bytes).tensors;
    const again = readSafetensors((await savePeftAdapter(be, adapter)).safetensors).tensors;
    expect(new Set(again.keys())).toEqual(new Set(original.keys()));
    for (const [k, t] of original) expect(Array.from(again.get(k)!.data), k).toEqual(Array.from(t.data));
  });

  it('refuses configs and tensors it would compute differently, naming the key', () => {
    const good = { peft_type: 'LORA', task_type: 'CAUSAL_LM', r: 2, lora_alpha: 4, lora_dropout: 0, target_modules: ['q_proj'] };
    expect(parsePeftConfig({ ...good, target_modules: 'all-linear' }).targets).toHaveLength(7);
    expect(() => parsePeftConfig({ ...good, peft_type: 'IA3' })).toThrow('adapter_config.json: peft_type: must be "LORA"');
    expect(() => parsePeftConfig({ ...good, r: 0 })).toThrow('r: must be a positive integer, got 0');
    expect(() => parsePeftConfig({ ...good, use_rslora: true })).toThrow('use_rslora: is not supported');
    expect(() => parsePeftConfig({ ...good, target_modules: ['q_proj', 'lm_head'] })).toThrow('target_modules: unknown module "lm_head"');
    expect(() => parsePeftConfig({ ...good, lora_dropout: 1 })).toThrow('lora_dropout: must be a number in [0, 1)');
    for (const alpha of [-8, 0, 1e30, null]) expect(() => parsePeftConfig({ ...good, lora_alpha: alpha })).toThrow(`lora_alpha: must be a number in (0, 1000000], got ${JSON.stringify(alpha)}`);
    expect(() => parsePeftConfig({ ...good, use_dora: 'true' })).toThrow('use_dora: must be true or false, got "true"');
    expect(() => parsePeftConfig({ ...good, use_rslora: 'yes' })).toThrow('use_rslora: must be true or false, got "yes"');
    expect(() => parsePeftConfig({ ...good, fan_in_fan_out: 1 })).toThrow('fan_in_fan_out: must be true or false, got 1');
    const be = new CpuBackend();
    const adapter = initLora(be, config, { r: 2, alpha: 4, dropout: 0 }, 1, ['q_proj']);
    return savePeftAdapter(be, adapter).then((files) => {
      expect(() => loadPeftAdapter(be, config, { ...good, r: 3 }, files.safetensors)).toThrow(
        'adapter_model.safetensors: tensor base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight has shape [2, 16], expected [3, 16]',
      );
      expect(() => loadPeftAdapter(be, config, { ...good, target_modules: ['q_proj', 'k_proj'] }, files.safetensors)).toThrow(
        'missing tensor base_model.model.model.layers.0.self_attn.k_proj.lora_A.weight (expected shape [2, 16])',
      );
      expect(() => loadPeftAdapter(be, { ...config, numLayers: 1 }, good, files.safetensors)).toThrow('unexpected tensor base_model.model.model.layers.1');
    });
  });
});
