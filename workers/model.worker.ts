/**
 * The model worker: downloads and decodes a model off the main thread (decoding a 135 M
 * parameter BF16 file takes seconds), and owns the loaded model so later work (LM policies,
 * training, "Try the model") runs beside it. WebGPU when the browser has an adapter, else the
 * CPU backend.
 */
import * as Comlink from 'comlink';
import { env } from '@huggingface/transformers';
import { asLoadError } from '../src/models/loader/errors.ts';
import { defaultLimit, type LoadedModel, loadModel } from '../src/models/loader/load.ts';
import { contextLengthOf, eosIds, generate, GenerateError } from '../src/models/generate.ts';
import type { GenerateReply, ModelApi } from './api.ts';
import { preferredBackend } from './backend.ts';

const HUB = env.remoteHost;
let current: LoadedModel | null = null;
let abort: AbortController | null = null;
let generating: AbortController | null = null;

/**
 * A macrotask boundary. The CPU backend's reads resolve at once, so a generation loop of
 * microtasks would never let comlink deliver a cancel; a MessageChannel hop (unlike setTimeout,
 * which browsers clamp to 4 ms once nested) costs almost nothing per token.
 */
const channel = new MessageChannel();
const waiting: (() => void)[] = [];
channel.port1.onmessage = () => waiting.shift()?.();
function yieldToMessages(): Promise<void> {
  return new Promise((resolve) => {
    waiting.push(resolve);
    channel.port2.postMessage(null);
  });
}



const api: ModelApi = {
  async backend() {
    const be = await preferredBackend();
    return { backend: be.name, limit: defaultLimit(be) };
  },

  async load(req, onEvent) {
    abort?.abort();
    const controller = new AbortController();
    abort = controller;
    env.remoteHost = req.remoteHost ?? HUB;
    try {
      const loaded = await loadModel(req.source, {
        backend: await preferredBackend(),
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

  async generate(req, onProgress): Promise<GenerateReply> {
    const loaded = current;
    if (!loaded) return { ok: false, kind: 'no-model', message: 'No model is loaded in this session: load one above, then run it.' };
    // One generation at a time: a new request replaces one still running.
    generating?.abort();
    const controller = new AbortController();
    generating = controller;
    try {
      const result = await generate(loaded.model, loaded.tokenizer, req.prompt, {
        n: req.n,
        ...(req.topK === undefined ? {} : { topK: req.topK }),
        contextLength: contextLengthOf(loaded.rawConfig),
        eos: eosIds(loaded.tokenizer, loaded.rawConfig),
        signal: controller.signal,
        onToken: async (p) => {
          void onProgress(p);
          await yieldToMessages();
        },
      });
      return { ok: true, result, model: loaded.info.label };
    } catch (e) {
      if (e instanceof GenerateError) return { ok: false, kind: e.kind, message: e.message };
      return { ok: false, kind: 'runtime', message: `The model failed while generating: ${e instanceof Error ? e.message : String(e)}` };
    } finally {
      if (generating === controller) generating = null;
    }
  },

  async cancelGenerate() {
    generating?.abort();
  },
};

Comlink.expose(api);
