// The Llama model: config validation, strict weight loading, KV-cache scoring against the full
// forward, and the NF4 base's memory. Numeric agreement with PyTorch is tests/fixtures/golden.test.ts.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Rng } from '../core/rng.ts';
import { CpuBackend } from './cpu/index.ts';
import { KvCache, scoreNextTokens } from './kv-cache.ts';
import { type LlamaConfig, llamaConfigJson, parseLlamaConfig, PROJECTIONS, projectionKey, projectionShape } from './llama-config.ts';
import { loadLlama, randomLlama } from './llama.ts';
import { adapterParams, initLora } from './lora.ts';
import { CpuBuf, CpuIndexBuf } from './cpu/storage.ts';
import { Nf4Param } from './nf4-linear.ts';
import { readSafetensors, writeSafetensors } from './safetensors.ts';
import { Tape } from './tape.ts';

const tiny: LlamaConfig = {
  vocabSize: 29, hiddenSize: 24, intermediateSize: 40, numLayers: 2, numHeads: 6, numKvHeads: 2, headDim: 4,
  ropeTheta: 1000, rmsNormEps: 1e-5, tieWordEmbeddings: false,
};

describe('parseLlamaConfig', () => {
  const good = llamaConfigJson(tiny);

  it('reads an HF config and round-trips llamaConfigJson', () => {
    expect(parseLlamaConfig(good)).toEqual(tiny);
    const defaults = { ...good };
    delete defaults.head_dim;
    delete defaults.num_key_value_heads;
    expect(parseLlamaConfig(defaults)).toMatchObject({ headDim: 4, numKvHeads: 6 });
  });

  it.each([
    [{ num_attention_heads: 5 }, 'num_attention_heads: 5 is not a multiple of num_key_value_heads 2'],
    [{ hidden_size: 0 }, 'hidden_size: must be a positive integer, got 0'],
    [{ vocab_size: undefined }, 'vocab_size: is required'],
    [{ model_type: 'mistral' }, 'model_type: must be "llama"'],
    [{ rope_scaling: { type: 'llama3' } }, 'rope_scaling: is not supported'],
    [{ head_dim: 3 }, 'head_dim: must be even'],
    [{ rms_norm_eps: -1 }, 'rms_norm_eps: must be a number in (0, 1], got -1'],
    // An explicit null is refused, not replaced by the default; thetas that overflow the rotary angles too.
    [{ rope_theta: null }, 'rope_theta: must be a number in (1, 1000000000000], got null'],
    [{ rms_norm_eps: null }, 'rms_norm_eps: must be a number in (0, 1], got null'],
    [{ rope_theta: 1e-300 }, 'rope_theta: must be a number in (1, 1000000000000], got 1e-300'],
    [{ tie_word_embeddings: null }, 'tie_word_embeddings: must be true or false, got null'],
    [{ tie_word_embeddings: 'yes' }, 'tie_word_embeddings: must be true or false'],
    [{ hidden_act: 'gelu' }, 'hidden_act: only "silu"'],
  ])('refuses %j naming the key', (patch, message) => {
    expect(() => parseLlamaConfig({ ...good, ...patch })).toThrow(message);
  });
});

function weightsFile(c: LlamaConfig, drop?: string, reshape?: string, poison?: { key: string; value: number }): Uint8Array {
  const tensors = new Map<string, { shape: number[]; data: Float32Array }>();
  const put = (key: string, shape: number[]): void => {
    if (key === drop) return;
    const s = key === reshape ? [shape[0]! + 1, ...shape.slice(1)] : shape;
    const data = new Float32Array(s.reduce((a, b) => a * b, 1)).fill(0.01);
    if (key === poison?.key) data[3] = poison.value;
    tensors.set(key, { shape: s, data });
  };
  put('model.embed_tokens.weight', [c.vocabSize, c.hiddenSize]);
  for (let l = 0; l < c.numLayers; l++) {
    put(`model.layers.${l}.input_layernorm.weight`, [c.hiddenSize]);
    put(`model.layers.${l}.post_attention_layernorm.weight`, [c.hiddenSize]);
    for (const p of PROJECTIONS) put(projectionKey(l, p), projectionShape(c, p));
  }
  put('model.norm.weight', [c.hiddenSize]);
  put('lm_head.weight', [c.vocabSize, c.hiddenSize]);
  return writeSafetensors(tensors);
}

describe('loadLlama', () => {
  it('loads a complete file and refuses a missing or misshaped tensor naming key and shape', () => {
    const be = new CpuBackend();
    expect(loadLlama(be, tiny, weightsFile(tiny)).layers).toHaveLength(2);
    expect(() => loadLlama(be, tiny, weightsFile(tiny, 'model.layers.1.mlp.up_proj.weight'))).toThrow(
      'model.safetensors: missing tensor model.layers.1.mlp.up_proj.weight (expected shape [40, 24])',
    );
    expect(() => loadLlama(be, tiny, weightsFile(tiny, undefined, 'model.layers.0.self_attn.k_proj.weight'))).toThrow(
      'model.safetensors: tensor model.layers.0.self_attn.k_proj.weight has shape [9, 24], expected [8, 24]',
    );
    expect(() => loadLlama(be, tiny, weightsFile(tiny, 'lm_head.weight'))).toThrow('missing tensor lm_head.weight');
    expect(() => loadLlama(be, { ...tiny, tieWordEmbeddings: true }, weightsFile(tiny, 'lm_head.weight'))).not.toThrow();
    // Config and weights that disagree are refused instead of silently dropping weights.
    expect(() => loadLlama(be, { ...tiny, numLayers: 1 }, weightsFile(tiny))).toThrow(
      /model\.safetensors: holds tensors config\.json does not use \(model\.layers\.1\.input_layernorm\.weight, .* and \d+ more\); check num_hidden_layers/,
    );
    expect(() => loadLlama(be, { ...tiny, tieWordEmbeddings: true }, weightsFile(tiny))).toThrow(/does not use \(lm_head\.weight\)/);
  });

  it.each([Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY])('refuses a weight of %s naming the tensor and the index', (value) => {
    const key = 'model.layers.0.self_attn.q_proj.weight';
    expect(() => loadLlama(new CpuBackend(), tiny, weightsFile(tiny, undefined, undefined, { key, value }))).toThrow(
      `model.safetensors: tensor ${key} holds ${String(value)} at index 3; every weight must be a finite number`,
    );
    expect(() => loadLlama(new CpuBackend(), tiny, weightsFile(tiny, undefined, undefined, { key, value }), { nf4: true })).toThrow(/holds .* at index 3/);
  });

  it.each(['F16', 'BF16'] as const)('loads %s weights as the f32 values they hold', async (dtype) => {
    const fixture = readSafetensors(readFileSync(join(import.meta.dirname, '../../tests/fixtures/llama-tiny/model.safetensors'))).tensors;
    const asHalf = writeSafetensors(new Map([...fixture].map(([k, t]) => [k, { ...t, dtype }])));
    const half = readSafetensors(asHalf).tensors;
    expect([...half.values()][0]!.dtype).toBe(dtype);
    const c = parseLlamaConfig(JSON.parse(readFileSync(join(import.meta.dirname, '../../tests/fixtures/llama-tiny/config.json'), 'utf8')));
    const run = async (bytes: Uint8Array): Promise<number[]> => {
      const be = new CpuBackend();
      const tape = new Tape(be);
      tape.gradEnabled = false;
      return Array.from(await be.read(loadLlama(be, c, bytes).forward(tape, be.uploadIndices([1, 7, 30, 12]), 1, 4).buf));
    };
    const asF32 = writeSafetensors(new Map([...half].map(([k, t]) => [k, { shape: t.shape, data: t.data }])));
    expect(await run(asHalf)).toEqual(await run(asF32));
  });
});

/** A random model with a random (non-zero) adapter, so the adapter path is exercised. */
function adaptedModel(nf4: boolean) {
  const be = new CpuBackend();
  const model = randomLlama(be, tiny, 5, { nf4 });
  const adapter = initLora(be, tiny, { r: 3, alpha: 6, dropout: 0.1 }, 6);
  const rng = new Rng(7, 'b');
  for (const t of adapterParams(adapter)) be.write(t.buf, Array.from({ length: t.size }, () => 0.2 * rng.normal()));
  model.setAdapter(adapter);
  return { be, model };
}

async function fullLogProbs(nf4: boolean, ids: number[]): Promise<Float64Array> {
  const { be, model } = adaptedModel(nf4);
  const tape = new Tape(be);
  tape.gradEnabled = false;
  const logits = await be.read(model.forward(tape, be.uploadIndices(ids), 1, ids.length, { dropout: false }).buf);
  const row = logits.subarray((ids.length - 1) * tiny.vocabSize, ids.length * tiny.vocabSize);
  const mx = Math.max(...row);
  const lse = mx + Math.log(row.reduce((s, v) => s + Math.exp(v - mx), 0));
  return Float64Array.from(row, (v) => v - lse);
}

describe('KV cache and scoreNextTokens', () => {
  const prompt = [3, 17, 4, 4, 28, 0, 9, 11, 2, 21, 7];
  const candidates = [5, 6, 7, 28];

  for (const nf4 of [false, true]) {
    it(`equals the full forward's log-softmax at the last position${nf4 ? ' (NF4 base)' : ''}`, async () => {
      const full = await fullLogProbs(nf4, prompt);
      const want = candidates.map((id) => full[id]!);
      const once = await scoreNextTokens(adaptedModel(nf4).model, prompt, candidates);
      for (let i = 0; i < want.length; i++) expect(Math.abs(once[i]! - want[i]!)).toBeLessThan(1e-5);
      // Incremental: a shorter prompt first, then the extension, then a diverging prompt.
      const cache = new KvCache(adaptedModel(nf4).model, 32);
      const shortFull = await fullLogProbs(nf4, prompt.slice(0, 4));
      const short = await cache.scoreNextTokens(prompt.slice(0, 4), candidates);
      candidates.forEach((id, i) => expect(Math.abs(short[i]! - shortFull[id]!)).toBeLessThan(1e-5));
      const extended = await cache.scoreNextTokens(prompt, candidates);
      expect(cache.tokens).toEqual(prompt);
      for (let i = 0; i < want.length; i++) expect(Math.abs(extended[i]! - want[i]!)).toBeLessThan(1e-5);
      const again = await cache.scoreNextTokens(prompt.slice(0, 4), candidates); // shorter: rewinds to 3 tokens, recomputes the 4th
      for (let i = 0; i < want.length; i++) expect(Math.abs(again[i]! - short[i]!)).toBeLessThan(1e-6);
      expect(cache.tokens).toEqual(prompt.slice(0, 4));
    });

    it(`rewinds to the shared prefix of a diverging prompt and matches a full forward of it${nf4 ? ' (NF4 base)' : ''}`, async () => {
      const cache = new KvCache(adaptedModel(nf4).model, 32);
      await cache.scoreNextTokens(prompt, candidates);
      // Same first 6 tokens, then other ones (a new episode after the same support prefix).
      const other = [...prompt.slice(0, 6), 14, 1, 27, 27, 5, 13];
      const got = await cache.scoreNextTokens(other, candidates);
      expect(cache.tokens).toEqual(other);
      const full = await fullLogProbs(nf4, other);
      candidates.forEach((id, i) => expect(Math.abs(got[i]! - full[id]!)).toBeLessThan(1e-5));
      // Stale rows past the shared prefix would change these: a fresh cache must agree exactly.
      const fresh = await new KvCache(adaptedModel(nf4).model, 32).scoreNextTokens(other, candidates);
      candidates.forEach((_, i) => expect(Math.abs(got[i]! - fresh[i]!)).toBeLessThan(1e-6));
    });
  }

  it('refuses an overlong prompt and out-of-range ids', async () => {
    const cache = new KvCache(adaptedModel(false).model, 4);
    await expect(cache.scoreNextTokens([1, 2, 3, 4, 5], [0])).rejects.toThrow('exceed maxSeq 4');
    await expect(cache.scoreNextTokens([1, 99], [0])).rejects.toThrow('token id 99 is outside [0, 28]');
    await expect(cache.scoreNextTokens([1], [29])).rejects.toThrow('candidate 29 is outside');
  });
});

describe('NF4 base memory', () => {
  it('holds the 14·L projection weights in about 1/4 of f16 (4.5 bits per weight), measured from the buffers', () => {
    const c: LlamaConfig = { ...tiny, vocabSize: 64, hiddenSize: 128, intermediateSize: 320, numHeads: 4, numKvHeads: 2, headDim: 32 };
    const be = new CpuBackend();
    // Actual bytes of the typed arrays behind every frozen projection.
    const bytes = (nf4: boolean): number => {
      const m = randomLlama(be, c, 1, { nf4 });
      let total = 0;
      for (const layer of m.layers) {
        for (const p of PROJECTIONS) {
          const w = layer.proj[p];
          if (w instanceof Nf4Param) total += (w.codes as CpuIndexBuf).data.byteLength + (w.absmax as CpuBuf).data.byteLength;
          else total += (w.buf as CpuBuf).data.byteLength;
        }
      }
      expect(m.frozenBytes().projections).toBe(total);
      return total;
    };
    const params = c.numLayers * PROJECTIONS.reduce((s, p) => s + projectionShape(c, p)[0] * projectionShape(c, p)[1], 0);
    const f32 = bytes(false);
    const nf4 = bytes(true);
    expect(f32).toBe(4 * params);
    const f16 = 2 * params;
    console.log(`projection weights: f32 ${f32} B, f16 ${f16} B (computed), NF4 ${nf4} B: ${(f16 / nf4).toFixed(2)}x smaller than f16, ${(f32 / nf4).toFixed(2)}x than f32`);
    expect(f16 / nf4).toBeGreaterThan(3.5); // 16 / 4.5 = 3.56
    expect(f16 / nf4).toBeLessThan(4);
  });
});
