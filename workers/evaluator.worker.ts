/**
 * The evaluator worker: runs experiment sweeps off the main thread, streaming rows as they
 * finish. Cancelling is done by the UI terminating this worker, which also stops a solve that
 * never yields; the generator's own AbortSignal support is for the CLI. The language-model
 * policies get the spec's `"model"` (a served model folder; default the shipped model), loaded
 * here on WebGPU when the browser has it, else the CPU, and kept for the next sweep.
 */
import * as Comlink from 'comlink';
import { type LanguageModelLoad, type RunOptions, runExperiment } from '../src/experiments/run.ts';
import { asLanguageModel, loadModel } from '../src/models/loader/load.ts';
import { SHIPPED_MODEL_NAME } from '../src/models/pretrain/card.ts';
import type { LanguageModel } from '../src/policies/types.ts';
import { preferredBackend } from './backend.ts';
import type { EvaluatorApi } from './api.ts';

const models = new Map<string, Promise<LanguageModel>>();

/** A model name under the served models/ folder, or a folder URL path. */
function modelLocation(model: string | undefined): string {
  const m = model ?? SHIPPED_MODEL_NAME;
  return m.includes('/') ? m : `${import.meta.env.BASE_URL}models/${m}/`;
}

function loadLanguageModel(model: string | undefined, o: LanguageModelLoad = {}): Promise<LanguageModel> {
  const location = modelLocation(model);
  const key = `${o.adapter === true ? 'adapter' : 'base'}:${o.nf4 === true ? 'nf4' : 'f32'}:${location}`;
  let p = models.get(key);
  if (!p) {
    p = (async () => asLanguageModel(await loadModel({ kind: 'local', location, name: model ?? SHIPPED_MODEL_NAME }, { backend: await preferredBackend(), nf4: o.nf4 === true })))();
    p.catch(() => models.delete(key));
    models.set(key, p);
  }
  return p;
}

const api: EvaluatorApi = {
  async run(spec, onRow, onProgress, onArtifact, checkpointEvery = 0) {
    // Training (dpt, one model per sweep point) reports through the same progress channel, so the
    // sweep's bar and ETA move while a model trains instead of sitting at "0 rows".
    const onTrain: RunOptions['onTrain'] = (p) =>
      onProgress({ done: p.step, total: p.steps, label: `training ${p.policy} (${p.label}) · epoch ${p.epoch} · loss ${p.loss.toFixed(3)}${p.valLoss === undefined ? '' : ` · validation ${p.valLoss.toFixed(3)}`}` });
    const artifacts: RunOptions['artifacts'] = onArtifact ? { checkpointEvery, save: onArtifact } : undefined;
    const gen = runExperiment(spec, { onProgress, onTrain, loadLanguageModel, ...(artifacts ? { artifacts } : {}) });
    for (;;) {
      const r = await gen.next();
      if (r.done) return r.value;
      // Awaited so rows arrive in order and a slow main thread applies back-pressure.
      await onRow(r.value);
    }
  },
};

Comlink.expose(api);
