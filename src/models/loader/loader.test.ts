/**
 * The loader against a real HTTP server on localhost that lays model folders out as the hub does
 * (tests/fixtures/hub-server.ts: `/<org>/<name>/resolve/main/<file>`, Range requests as
 * transformers.js sends them, 404 for what is missing). transformers.js' env.remoteHost points at
 * it; nothing touches the network.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { env } from '@huggingface/transformers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closedPort, type HubServer, startHubServer } from '../../../tests/fixtures/hub-server.ts';
import { buildTestModel, type TestModel } from '../../../tests/fixtures/test-model.ts';
import { CpuBackend } from '../../nn/cpu/index.ts';
import { type LoadedModel, loadModel, type LoadModelOptions } from './load.ts';
import { ModelLoadError } from './errors.ts';
import { directoryReader, nodeCache } from './node.ts';
import type { FileProgress, LoadEvent, ModelSource } from './types.ts';

let hub: HubServer;
let host: string;
let cacheDir: string;
let tiny: TestModel;

const fetched = (file: string): number => hub.fetched(file);

async function load(source: ModelSource, o: Partial<LoadModelOptions> = {}): Promise<{ loaded: LoadedModel; events: LoadEvent[] }> {
  const events: LoadEvent[] = [];
  const loaded = await loadModel(source, { backend: new CpuBackend(), cache: nodeCache(cacheDir), onEvent: (e) => events.push(e), ...o });
  return { loaded, events };
}

async function refusal(source: ModelSource, o: Partial<LoadModelOptions> = {}): Promise<ModelLoadError> {
  const e = await load(source, o).then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(ModelLoadError);
  return e as ModelLoadError;
}

beforeAll(async () => {
  tiny = await buildTestModel({ dtype: 'BF16' });
  hub = await startHubServer();
  const { repos } = hub;
  repos.set('lab/tiny', tiny.files);
  repos.set('lab/tiny-again', tiny.files);
  repos.set('lab/gpt2', new Map([...tiny.files, ['config.json', new TextEncoder().encode(JSON.stringify({ ...tiny.config, model_type: 'gpt2' }))]]));
  const huge = { ...tiny.config, vocab_size: 128256, hidden_size: 4096, intermediate_size: 14336, num_hidden_layers: 32, num_attention_heads: 32, num_key_value_heads: 8, head_dim: 128 };
  repos.set('lab/huge', new Map([...tiny.files, ['config.json', new TextEncoder().encode(JSON.stringify(huge))]]));
  repos.set('lab/no-tokenizer', new Map([...tiny.files].filter(([f]) => !f.startsWith('tokenizer'))));
  repos.set('lab/no-weights', new Map([...tiny.files].filter(([f]) => f !== 'model.safetensors')));
  host = hub.host;
  env.remoteHost = host;
  cacheDir = mkdtempSync(join(tmpdir(), 'lab-hub-cache-'));
});

afterAll(async () => {
  await hub.close();
  rmSync(cacheDir, { recursive: true, force: true });
});

describe('loading from the hub layout', () => {
  it('loads by id with per-file progress reaching 100 % and build progress', async () => {
    const { loaded, events } = await load({ kind: 'hub', id: 'lab/tiny' });
    expect(loaded.info.parameters).toBe([...tiny.weights.values()].reduce((s, w) => s + w.length, 0));
    expect(loaded.info.dtype).toBe('BF16');
    expect(loaded.info.tokenizerSize).toBe(loaded.config.vocabSize);
    // The weights arrive intact (BF16 keeps the top 16 bits of each f32).
    const embed = await loaded.model.backend.read(loaded.model.embed.buf);
    const want = tiny.weights.get('model.embed_tokens.weight')!;
    for (let i = 0; i < 50; i++) expect(embed[i]).toBeCloseTo(want[i]!, 1);
    // The tokenizer came through transformers.js and speaks the lab's vocabulary.
    // (its one-token step markers: `<A_3> ` then `1`, and round trips)
    const markerIds = loaded.tokenizer.encode('<A_3> 1', { add_special_tokens: false });
    expect(markerIds).toHaveLength(2);
    expect(loaded.tokenizer.decode(markerIds)).toBe('<A_3> 1');

    const files = events.filter((e): e is FileProgress => e.type === 'file');
    const weights = files.filter((e) => e.file === 'model.safetensors');
    expect(weights.length).toBeGreaterThan(1);
    const size = tiny.files.get('model.safetensors')!.byteLength;
    expect(weights.every((e) => e.total === size && e.loaded <= size)).toBe(true);
    expect(weights.at(-1)).toMatchObject({ loaded: size, done: true, fromCache: false });
    for (const f of ['config.json', 'tokenizer.json', 'tokenizer_config.json']) expect(files.some((e) => e.file === f && e.done)).toBe(true);
    const building = events.filter((e) => e.type === 'stage' && e.stage === 'building').map((e) => (e.type === 'stage' ? e.fraction : 0));
    expect(building.at(-1)).toBe(1);
    expect(events.at(-1)).toEqual({ type: 'stage', stage: 'ready', fraction: 1 });
    for (const f of ['config.json', 'model.safetensors', 'tokenizer.json', 'tokenizer_config.json']) expect(fetched(f)).toBe(1);
  });

  it('a second load comes from the cache: the server sees no request at all', async () => {
    const before = hub.requests.length;
    const { loaded, events } = await load({ kind: 'hub', id: 'lab/tiny' });
    expect(hub.requests.slice(before)).toEqual([]);
    expect(loaded.info.parameters).toBeGreaterThan(0);
    expect(events.filter((e) => e.type === 'file' && e.file === 'model.safetensors')).toEqual([
      expect.objectContaining({ fromCache: true, done: true, loaded: tiny.files.get('model.safetensors')!.byteLength }),
    ]);
  });

  it('an unknown id is "not found"', async () => {
    const e = await refusal({ kind: 'hub', id: 'lab/does-not-exist' });
    expect(e.kind).toBe('not-found');
    expect(e.message).toContain('lab/does-not-exist');
    expect(e.message).toContain('HTTP 404');
    expect((await refusal({ kind: 'hub', id: 'not a/valid id' })).kind).toBe('not-found');
  });

  it('a gpt2 config is refused as the wrong architecture before anything else is fetched', async () => {
    const e = await refusal({ kind: 'hub', id: 'lab/gpt2' });
    expect(e.kind).toBe('architecture');
    expect(e.message).toMatch(/"gpt2" model.*Llama/);
    expect(hub.requests.filter((q) => q.path.startsWith('/lab/gpt2/') && !q.path.endsWith('config.json'))).toEqual([]);
  });

  it('an oversized config is refused before the tokenizer or weights are fetched', async () => {
    const e = await refusal({ kind: 'hub', id: 'lab/huge' });
    expect(e.kind).toBe('too-large');
    expect(e.message).toMatch(/8\.0 B parameters.*32 GB.*limit of 1\.0 GB/);
    expect(hub.requests.filter((q) => q.path.startsWith('/lab/huge/')).map((q) => q.path)).toEqual(['/lab/huge/resolve/main/config.json']);
    // The limit is configurable: a tiny limit refuses even the tiny model.
    expect((await refusal({ kind: 'hub', id: 'lab/tiny' }, { maxEngineBytes: 1000 })).kind).toBe('too-large');
  });

  it('a model without a tokenizer or without weights is refused with the file named', async () => {
    const noTok = await refusal({ kind: 'hub', id: 'lab/no-tokenizer' });
    expect(noTok.kind).toBe('tokenizer');
    expect(fetched('model.safetensors')).toBe(1); // still only the first test's download
    const noWeights = await refusal({ kind: 'hub', id: 'lab/no-weights' });
    expect(noWeights.kind).toBe('format');
    expect(noWeights.message).toContain('model.safetensors');
  });

  it('a closed port is "offline"', async () => {
    const port = await closedPort();
    env.remoteHost = `http://127.0.0.1:${port}/`;
    try {
      const e = await refusal({ kind: 'hub', id: 'lab/tiny-again' });
      expect(e.kind).toBe('offline');
      expect(e.message).toContain(`127.0.0.1:${port}`);
    } finally {
      env.remoteHost = host;
    }
  });
});

describe('loading a local folder', () => {
  it('reads a directory with the same checks', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lab-model-'));
    try {
      const { writeFileSync } = await import('node:fs');
      for (const [f, bytes] of tiny.files) writeFileSync(join(dir, f), bytes);
      const before = hub.requests.length;
      const { loaded } = await load({ kind: 'local', location: dir, name: 'tiny' }, { folder: directoryReader });
      expect(loaded.info.label).toBe('tiny');
      expect(loaded.info.parameters).toBeGreaterThan(0);
      expect(hub.requests.length).toBe(before);
      rmSync(join(dir, 'tokenizer.json'));
      expect((await refusal({ kind: 'local', location: dir }, { folder: directoryReader })).kind).toBe('tokenizer');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
