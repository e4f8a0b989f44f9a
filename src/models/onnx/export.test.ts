/**
 * The exported graph run by onnxruntime-web (wasm backend, in Node) against our engine on the
 * golden tiny Llama (tests/fixtures): logits with and without a merged adapter, untied and tied,
 * a cached second step, and left padding. Error measure as in tests/fixtures/compare.ts.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-web';
import { describe, expect, it } from 'vitest';
import { relativeError } from '../../../tests/fixtures/compare.ts';
import { CpuBackend } from '../../nn/cpu/index.ts';
import { parseLlamaConfig } from '../../nn/llama-config.ts';
import { loadLlama, type LlamaModel } from '../../nn/llama.ts';
import { readSafetensors } from '../../nn/safetensors.ts';
import { parseTokenBatch, runForward } from '../forward.ts';
import { loadPeftAdapter } from '../peft.ts';
import { exportLlamaOnnx, mergeLora } from './export.ts';
import { decodeModel } from './onnx-proto.ts';

const FIXTURES = join(import.meta.dirname, '../../../tests/fixtures');
const TOLERANCE = 1e-4;

function load(dir: string, withAdapter: boolean): { model: LlamaModel; raw: Record<string, unknown> } {
  const path = (f: string): string => join(FIXTURES, dir, f);
  const raw = JSON.parse(readFileSync(path('config.json'), 'utf8')) as Record<string, unknown>;
  const be = new CpuBackend();
  const config = parseLlamaConfig(raw);
  const model = loadLlama(be, config, readFileSync(path('model.safetensors')));
  if (withAdapter) model.setAdapter(loadPeftAdapter(be, config, JSON.parse(readFileSync(path('adapter_config.json'), 'utf8')), readFileSync(path('adapter_model.safetensors')), { dropout: 0 }));
  return { model, raw };
}

const i64 = (rows: number[][]): ort.Tensor => new ort.Tensor('int64', BigInt64Array.from(rows.flat().map(BigInt)), [rows.length, rows[0]!.length]);

interface Step {
  logits: Float32Array;
  present: Record<string, ort.Tensor>;
}

/** One session run; `past` null means the first step (empty caches, as transformers.js feeds them). */
async function run(session: ort.InferenceSession, layers: number, ids: number[][], mask: number[][], positions: number[][], past: Record<string, ort.Tensor> | null): Promise<Step> {
  const feeds: Record<string, ort.Tensor> = { input_ids: i64(ids), attention_mask: i64(mask), position_ids: i64(positions) };
  for (let l = 0; l < layers; l++) {
    for (const kind of ['key', 'value']) {
      feeds[`past_key_values.${l}.${kind}`] = past?.[`present.${l}.${kind}`] ?? new ort.Tensor('float32', new Float32Array(0), [ids.length, 2, 0, 4]);
    }
  }
  const out = await session.run(feeds);
  return { logits: out.logits!.data as Float32Array, present: out };
}

const range = (from: number, n: number): number[] => Array.from({ length: n }, (_, i) => from + i);

async function engineLogits(model: LlamaModel, ids: number[][]): Promise<Float32Array> {
  return (await runForward(model, parseTokenBatch({ input_ids: ids }, model.config.vocabSize), { grad: false })).get('logits')!.data;
}

describe('ONNX export of the tiny Llama, run by onnxruntime-web', () => {
  const tokens = JSON.parse(readFileSync(join(FIXTURES, 'llama-tiny', 'tokens.json'), 'utf8')) as { input_ids: number[][] };
  const ids = tokens.input_ids;
  const [B, T] = [ids.length, ids[0]!.length];

  for (const [dir, withAdapter, expectedFile] of [
    ['llama-tiny', true, 'expected.safetensors'],
    ['llama-tiny', false, 'expected-no-adapter.safetensors'],
    ['llama-tiny-tied', true, 'expected.safetensors'],
    ['llama-tiny-tied', false, 'expected-no-adapter.safetensors'],
  ] as const) {
    it(`${dir} ${withAdapter ? 'with the adapter merged' : 'base'}: logits match our engine and the PyTorch reference within ${TOLERANCE}`, async () => {
      const { model, raw } = load(dir, withAdapter);
      const files = await exportLlamaOnnx(model, { sourceConfig: raw });
      expect([...files.keys()]).toEqual(['config.json', 'generation_config.json', 'onnx/model.onnx']);
      const session = await ort.InferenceSession.create(files.get('onnx/model.onnx')!);
      const onnx = await run(session, 2, ids, ids.map((r) => r.map(() => 1)), ids.map(() => range(0, T)), null);
      const ours = await engineLogits(model, ids);
      const reference = readSafetensors(readFileSync(join(FIXTURES, dir, expectedFile))).tensors.get('logits')!.data;
      const vsEngine = relativeError(onnx.logits, ours);
      const vsReference = relativeError(onnx.logits, reference);
      console.log(`${dir} ${withAdapter ? 'merged adapter' : 'base'}: onnx vs engine ${vsEngine.toExponential(2)}, vs PyTorch ${vsReference.toExponential(2)}`);
      expect(vsEngine).toBeLessThanOrEqual(TOLERANCE);
      expect(vsReference).toBeLessThanOrEqual(TOLERANCE);
      expect(onnx.present['present.1.key']!.dims).toEqual([B, 2, T, 4]);
      await session.release();
    });
  }

  it('a cached step (prefix, then the rest with past_key_values) gives the full pass logits', async () => {
    const { model, raw } = load('llama-tiny', true);
    const session = await ort.InferenceSession.create((await exportLlamaOnnx(model, { sourceConfig: raw })).get('onnx/model.onnx')!);
    const ones = (n: number): number[][] => ids.map(() => Array<number>(n).fill(1));
    const full = await run(session, 2, ids, ones(T), ids.map(() => range(0, T)), null);
    const split = 4;
    const first = await run(session, 2, ids.map((r) => r.slice(0, split)), ones(split), ids.map(() => range(0, split)), null);
    const second = await run(session, 2, ids.map((r) => r.slice(split)), ones(T), ids.map(() => range(split, T - split)), first.present);
    const V = 32;
    const tail = Float32Array.from({ length: B * (T - split) * V }, (_, i) => {
      const [b, rest] = [Math.floor(i / ((T - split) * V)), i % ((T - split) * V)];
      return full.logits[(b * T + split) * V + rest]!;
    });
    expect(relativeError(second.logits, tail)).toBeLessThanOrEqual(1e-5);
    expect(second.present['present.0.value']!.dims).toEqual([B, 2, T, 4]);
    await session.release();
  });

  it('left padding (attention_mask 0, positions counted from the first real token) leaves the real tokens unchanged', async () => {
    const { model, raw } = load('llama-tiny', false);
    const session = await ort.InferenceSession.create((await exportLlamaOnnx(model, { sourceConfig: raw })).get('onnx/model.onnx')!);
    const short = ids[1]!.slice(0, 4);
    const padded = [ids[0]!, [0, 0, 0, ...short]];
    const mask = [Array<number>(T).fill(1), [0, 0, 0, 1, 1, 1, 1]];
    const onnx = await run(session, 2, padded, mask, [range(0, T), [1, 1, 1, 0, 1, 2, 3]], null);
    const ours = await engineLogits(model, [short]);
    const V = 32;
    expect(relativeError(onnx.logits.slice((T + 3) * V, 2 * T * V), ours)).toBeLessThanOrEqual(TOLERANCE);
    await session.release();
  });
});

describe('ONNX export pieces', () => {
  it('merges LoRA as W + (alpha / r)·B·A', () => {
    // W [2, 3], A [1, 3], B [2, 1], scale 2.
    const merged = mergeLora(Float32Array.from([1, 2, 3, 4, 5, 6]), Float32Array.from([1, 0, -1]), Float32Array.from([0.5, 2]), 2, 3, 1, 2);
    expect([...merged]).toEqual([2, 2, 2, 8, 5, 2]);
  });

  it('writes the I/O transformers.js expects, with symbolic batch and sequence dimensions', async () => {
    const { model, raw } = load('llama-tiny', false);
    const files = await exportLlamaOnnx(model, { sourceConfig: raw });
    const proto = decodeModel(files.get('onnx/model.onnx')!);
    expect(proto.opsetImport).toEqual([{ domain: '', version: 17 }]);
    const dims = (v: (typeof proto.graph.input)[number]): (number | string)[] =>
      v.type.tensorType.shape.dim.map((d) => ('dimParam' in d ? d.dimParam : d.dimValue));
    expect(proto.graph.input.map((v) => [v.name, dims(v)])).toEqual([
      ['input_ids', ['batch_size', 'sequence_length']],
      ['attention_mask', ['batch_size', 'total_sequence_length']],
      ['position_ids', ['batch_size', 'sequence_length']],
      ...[0, 1].flatMap((l) => ['key', 'value'].map((k) => [`past_key_values.${l}.${k}`, ['batch_size', 2, 'past_sequence_length', 4]])),
    ]);
    expect(proto.graph.output.map((v) => v.name)).toEqual(['logits', 'present.0.key', 'present.0.value', 'present.1.key', 'present.1.value']);
    expect(new Set(proto.graph.node.map((n) => n.opType)).has('Expand')).toBe(false);
    const config = JSON.parse(new TextDecoder().decode(files.get('config.json'))) as Record<string, unknown>;
    expect(config).toMatchObject({ model_type: 'llama', num_key_value_heads: 2, head_dim: 4, max_position_embeddings: 64, use_cache: true, bos_token_id: 1 });
    expect(JSON.parse(new TextDecoder().decode(files.get('generation_config.json')))).toEqual({ bos_token_id: 1, eos_token_id: 2 });
  });
});
