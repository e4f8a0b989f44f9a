/**
 * The ICL worker: holds an ONNX causal LM loaded by @huggingface/transformers and runs episodes
 * with it as the `icl-onnx` policy (registered here, at run time, once a model has loaded).
 * Its own worker rather than the model worker's: transformers.js' settings (hub host, runtime)
 * are global to a worker, a slow session creation must not block the engine, and a load that is
 * cancelled can only be stopped by terminating the worker, which must not take the engine model
 * with it.
 */
import * as Comlink from 'comlink';
import { env } from '@huggingface/transformers';
import ortWasm from 'onnxruntime-web/ort-wasm-simd-threaded.asyncify.wasm?url';
import { asLoadError } from '../src/models/loader/errors.ts';
import { defaultDevice, type LoadedOnnxLM, loadOnnxCausalLM } from '../src/models/icl/load.ts';
import { ICL_ONNX_POLICY, type IclDecision, iclOnnxPolicy } from '../src/models/icl/policy.ts';
import { getPolicy, registerPolicy } from '../src/policies/registry.ts';
import type { IclApi, IclEpisode, IclStep } from './api.ts';
import { runEpisodeWith, solved } from './episodes.ts';

// The lab works offline: onnxruntime's WebAssembly comes from our own build (the file the
// bundle of onnxruntime-web/webgpu, which transformers.js imports, expects), not from the CDN
// that transformers.js would otherwise point onnxruntime at.
if (env.backends.onnx.wasm) env.backends.onnx.wasm.wasmPaths = { wasm: new URL(ortWasm, self.location.href).href };

const HUB = env.remoteHost;
let current: LoadedOnnxLM | null = null;
let unregister: (() => void) | null = null;
/** Receives the decisions of the registered policy during a run. */
let listener: ((d: IclDecision) => void) | null = null;
let cancelRequested = false;

class RunCancelled extends Error {}

const api: IclApi = {
  async device() {
    return defaultDevice();
  },

  async load(req, onEvent) {
    env.remoteHost = req.remoteHost ?? HUB;
    try {
      const lm = await loadOnnxCausalLM(req.id, {
        ...(req.revision ? { revision: req.revision } : {}),
        dtype: req.dtype,
        device: req.device,
        onEvent: (e) => void onEvent(e),
      });
      // Only a successful load replaces the model: a refusal keeps what was loaded.
      const previous = current;
      current = lm;
      unregister?.();
      unregister = registerPolicy(iclOnnxPolicy(lm.scorer, { description: `ICL with ${lm.info.id} (${lm.info.dtype}, ${lm.info.device})`, onDecision: (d) => listener?.(d) }));
      await previous?.model.dispose();
      return { ok: true, info: lm.info };
    } catch (e) {
      const err = asLoadError(e);
      return { ok: false, kind: err.kind, message: err.message };
    }
  },

  async run(req, onProgress) {
    if (!current) return { ok: false, message: 'No ONNX model is loaded: load one first.' };
    const t0 = performance.now();
    cancelRequested = false;
    const n = Math.max(1, Math.floor(req.episodes));
    const first = req.first ?? 0;
    const episodes: IclEpisode[] = [];
    try {
      void onProgress({ done: 0, total: 0, label: 'solving the task for its support trajectories…' });
      const s = solved(req.spec);
      const total = n * s.task.params.horizon;
      let done = 0;
      for (let e = first; e < first + n; e++) {
        const decisions: IclStep[] = [];
        const keepPrompts = e === first + n - 1;
        listener = (d) => {
          if (cancelRequested) throw new RunCancelled();
          const step: IclStep = { t: d.t, logProbs: d.logProbs, action: d.action, ...(keepPrompts ? { prompt: d.prompt } : {}) };
          decisions.push(step);
          done++;
          void onProgress({ done, total, label: `episode ${e - first + 1} of ${n}, step ${d.t}`, last: { ...step, prompt: undefined, episode: e } });
        };
        const episode = await runEpisodeWith({ spec: req.spec, policy: ICL_ONNX_POLICY, episode: e, ...(req.model === undefined ? {} : { model: req.model }) }, getPolicy(ICL_ONNX_POLICY));
        episodes.push({ episode, decisions });
      }
      return { ok: true, episodes, oracle: s.info, seconds: (performance.now() - t0) / 1000, cancelled: false };
    } catch (e) {
      if (e instanceof RunCancelled) return { ok: true, episodes, oracle: solved(req.spec).info, seconds: (performance.now() - t0) / 1000, cancelled: true };
      return { ok: false, message: e instanceof Error ? e.message : String(e) };
    } finally {
      listener = null;
    }
  },

  async cancel() {
    cancelRequested = true;
  },

  async current() {
    return current?.info ?? null;
  },
};

Comlink.expose(api);
