/**
 * The model worker: downloads and decodes a model off the main thread (decoding a 135 M
 * parameter BF16 file takes seconds), and owns the loaded model so later work (LM policies,
 * training) runs beside it. WebGPU when the browser has an adapter, else the CPU backend.
 */
import * as Comlink from 'comlink';
import { env } from '@huggingface/transformers';
import type { Backend } from '../src/nn/backend.ts';
import { CpuBackend } from '../src/nn/cpu/index.ts';
import { asLoadError } from '../src/models/loader/errors.ts';
import { defaultLimit, type LoadedModel, loadModel } from '../src/models/loader/load.ts';
import type { ModelApi } from './api.ts';

const HUB = env.remoteHost;
let backend: Promise<Backend> | null = null;
let current: LoadedModel | null = null;
let abort: AbortController | null = null;

function getBackend(): Promise<Backend> {
  backend ??= (async () => {
    try {
      const { WebGpuBackend } = await import('../src/nn/webgpu/index.ts');
      const gpu = await WebGpuBackend.create();
      if (gpu) return gpu;
    } catch {
      // No usable WebGPU in this worker: the CPU backend always works.
    }
    return new CpuBackend();
  })();
  return backend;
}

const api: ModelApi = {
  async backend() {
    const be = await getBackend();
    return { backend: be.name, limit: defaultLimit(be) };
  },

  async load(req, onEvent) {
    abort?.abort();
    const controller = new AbortController();
    abort = controller;
    env.remoteHost = req.remoteHost ?? HUB;
    try {
      const loaded = await loadModel(req.source, {
        backend: await getBackend(),
        signal: controller.signal,
        onEvent: (e) => void onEvent(e),
        ...(req.maxEngineBytes === undefined ? {} : { maxEngineBytes: req.maxEngineBytes }),
      });
      // Only a successful load replaces the model: a refusal keeps what was loaded.
      current = loaded;
      return { ok: true, info: loaded.info };
    } catch (e) {
      const err = asLoadError(e);
      return { ok: false, kind: controller.signal.aborted ? 'cancelled' : err.kind, message: controller.signal.aborted ? 'Loading was cancelled.' : err.message };
    } finally {
      if (abort === controller) abort = null;
    }
  },

  async cancel() {
    abort?.abort();
  },

  async current() {
    return current?.info ?? null;
  },
};

Comlink.expose(api);
