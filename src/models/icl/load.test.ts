/**
 * Loading ONNX causal LMs for ICL through @huggingface/transformers from the hub layout, served
 * by the localhost hub of tests/fixtures/hub-server.ts (env.remoteHost points at it; nothing
 * touches the network): a lab export loads and scores; the dtypes the repo offers are found and
 * respected; every refusal names its problem (no onnx/ folder, not a causal LM, no such model,
 * offline, no tokenizer, a graph onnxruntime cannot read).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { env } from '@huggingface/transformers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closedPort, type HubServer, startHubServer } from '../../../tests/fixtures/hub-server.ts';
import { onnxFolderFiles } from '../../../tests/fixtures/onnx-folder.ts';
import { buildTestModel, type TestModel } from '../../../tests/fixtures/test-model.ts';
import { ModelLoadError } from '../loader/errors.ts';
import type { FileProgress, LoadEvent } from '../loader/types.ts';
import { type LoadedOnnxLM, loadOnnxCausalLM, type OnnxLoadOptions, pickDtype } from './load.ts';
import { actionStrings } from './policy.ts';

let hub: HubServer;
let tiny: TestModel;
let onnx: Map<string, Uint8Array>;
let cacheDir: string;
const loaded: LoadedOnnxLM[] = [];

const utf8 = (v: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(v));

beforeAll(async () => {
  hub = await startHubServer();
  env.remoteHost = hub.host;
  env.allowRemoteModels = true;
  env.allowLocalModels = false;
  cacheDir = mkdtempSync(`${tmpdir()}/lab-icl-cache-`);
  env.cacheDir = cacheDir;
  tiny = await buildTestModel({ config: { max_position_embeddings: 512 } });
  onnx = await onnxFolderFiles(tiny.model, tiny.config, tiny.files);
  const graph = onnx.get('onnx/model.onnx')!;
  hub.repos.set('lab/tiny-onnx', onnx);
  // A second dtype: transformers.js finds q8 as onnx/model_quantized.onnx (here the same graph).
  hub.repos.set('lab/two-dtypes', new Map([...onnx, ['onnx/model_quantized.onnx', graph]]));
  hub.repos.set('lab/safetensors-only', tiny.files);
  hub.repos.set('lab/bert', new Map([...onnx, ['config.json', utf8({ ...tiny.config, model_type: 'bert', architectures: ['BertModel'] })]]));
  hub.repos.set('lab/no-tokenizer', new Map([...onnx].filter(([f]) => !f.startsWith('tokenizer'))));
  hub.repos.set('lab/broken-graph', new Map([...onnx, ['onnx/model.onnx', new TextEncoder().encode('not a protobuf')]]));
});

afterAll(async () => {
  for (const l of loaded) await l.model.dispose();
  await hub.close();
  rmSync(cacheDir, { recursive: true, force: true });
});

async function load(id: string, o: OnnxLoadOptions = {}): Promise<{ lm: LoadedOnnxLM; events: LoadEvent[] }> {
  const events: LoadEvent[] = [];
  const lm = await loadOnnxCausalLM(id, { cache: null, onEvent: (e) => events.push(e), ...o });
  loaded.push(lm);
  return { lm, events };
}

async function refusal(id: string, o: OnnxLoadOptions = {}): Promise<ModelLoadError> {
  const e = await load(id, o).then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(ModelLoadError);
  return e as ModelLoadError;
}

describe('loading an ONNX causal LM from the hub layout', () => {
  it('loads a lab export on the cpu device with progress, and scores actions', async () => {
    const { lm, events } = await load('lab/tiny-onnx');
    expect(lm.info).toMatchObject({ id: 'lab/tiny-onnx', modelType: 'llama', dtype: 'fp32', dtypes: ['fp32'], device: 'cpu', cached: true, vocabSize: tiny.config.vocab_size });
    const graph = events.filter((e): e is FileProgress => e.type === 'file' && e.file === 'onnx/model.onnx');
    expect(graph.at(-1)).toMatchObject({ done: true, loaded: onnx.get('onnx/model.onnx')!.byteLength });
    expect(lm.info.fileBytes).toBe(onnx.get('onnx/model.onnx')!.byteLength);
    expect(events.filter((e) => e.type === 'stage').map((e) => (e.type === 'stage' ? e.stage : ''))).toEqual(['config', 'tokenizer', 'weights', 'building', 'ready']);
    const r = await lm.scorer.score('<O_1> 2, <A_1> ', actionStrings(3));
    expect(r.logProbs).toHaveLength(3);
    expect(r.logProbs.every((x) => Number.isFinite(x) && x < 0)).toBe(true);
    expect(hub.fetched('onnx/model.onnx')).toBe(1);
  });

  it('offers what onnx/ holds, fp32 first by default, and loads a chosen dtype', async () => {
    const { lm } = await load('lab/two-dtypes');
    expect(lm.info.dtypes).toEqual(['fp32', 'q8']);
    expect(lm.info.dtype).toBe('fp32');
    const q8 = await load('lab/two-dtypes', { dtype: 'q8' });
    expect(q8.lm.info.dtype).toBe('q8');
    expect(hub.fetched('onnx/model_quantized.onnx')).toBe(1);
    const e = await refusal('lab/two-dtypes', { dtype: 'q4' });
    expect(e.kind).toBe('no-onnx');
    expect(e.message).toContain('fp32, q8');
    expect(pickDtype(['q4', 'q8'])).toBe('q8');
    expect(pickDtype(['fp16', 'q4f16'])).toBe('fp16');
  });

  it('a repo without an onnx/ folder is refused as "no-onnx"', async () => {
    const e = await refusal('lab/safetensors-only');
    expect(e.kind).toBe('no-onnx');
    expect(e.message).toMatch(/lab\/safetensors-only has no onnx\/ folder/);
  });

  it('a model type that is no causal LM is refused before any graph or tokenizer request', async () => {
    const e = await refusal('lab/bert');
    expect(e.kind).toBe('not-causal-lm');
    expect(e.message).toContain('"bert"');
    expect(hub.requests.filter((q) => q.path.startsWith('/lab/bert/')).map((q) => q.path)).toEqual(['/lab/bert/resolve/main/config.json']);
  });

  it('an unknown id is "not-found", a missing tokenizer "tokenizer", an unreadable graph "runtime"', async () => {
    const missing = await refusal('lab/does-not-exist');
    expect(missing.kind).toBe('not-found');
    expect(missing.message).toContain('HTTP 404');
    expect((await refusal('not a valid id')).kind).toBe('not-found');
    expect((await refusal('lab/no-tokenizer')).kind).toBe('tokenizer');
    const broken = await refusal('lab/broken-graph');
    expect(broken.kind).toBe('runtime');
    expect(broken.message).toContain('lab/broken-graph');
  });

  it('an unreachable host is "offline"', async () => {
    const port = await closedPort();
    env.remoteHost = `http://127.0.0.1:${port}/`;
    try {
      const e = await refusal('lab/tiny-onnx-elsewhere');
      expect(e.kind).toBe('offline');
      expect(e.message).toContain(`127.0.0.1:${port}`);
    } finally {
      env.remoteHost = hub.host;
    }
  });
});
