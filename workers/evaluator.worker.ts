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
import { modelLocation, preferredBackend } from './backend.ts';
import type { CompareRequest, CompareResult, EvaluatorApi } from './api.ts';
import { compareEpisodes, type CompareEntry } from '../src/experiments/compare.ts';
import { getPolicy } from '../src/policies/registry.ts';
import { releaseScorer } from '../src/policies/icl.ts';
import { CpuBackend } from '../src/nn/cpu/index.ts';
import { attachAdapterFolder, dptFromFolder } from '../src/training/artifact-load.ts';
import { beliefsOf, contextOf, episodeModel, solved } from './episodes.ts';

const models = new Map<string, Promise<LanguageModel>>();

/** The spec's model (default the shipped model) as a served location. */
const locationOf = (model: string | undefined): string => modelLocation(model ?? SHIPPED_MODEL_NAME);

function loadLanguageModel(model: string | undefined, o: LanguageModelLoad = {}): Promise<LanguageModel> {
  const location = locationOf(model);
  const key = `${o.adapter === true ? 'adapter' : 'base'}:${o.nf4 === true ? 'nf4' : 'f32'}:${location}`;
  let p = models.get(key);
  if (!p) {
    p = (async () => asLanguageModel(await loadModel({ kind: 'local', location, name: model ?? SHIPPED_MODEL_NAME }, { backend: await preferredBackend(), nf4: o.nf4 === true })))();
    p.catch(() => models.delete(key));
    models.set(key, p);
  }
  return p;
}

/** Policies side by side on the stepper's task (the Compare view). */
async function compare(req: CompareRequest): Promise<CompareResult> {
  const started = performance.now();
  const s = solved(req.spec);
  const ctx = await contextOf(s, req.spec.seed);
  const model = episodeModel(s.task, req.spec.seed, req.episode, req.model);
  const devices: Record<string, string> = {};
  const location = locationOf(req.lm);
  const name = req.lm ?? SHIPPED_MODEL_NAME;
  const entries: CompareEntry[] = [];
  for (const policy of req.policies) {
    const factory = getPolicy(policy);
    if (factory.languageModel === 'base') {
      const lm = await loadLanguageModel(req.lm);
      devices[policy] = `${name} · ${lm.model.backend.name}`;
      entries.push({ factory, trained: { lm } });
    } else if (factory.languageModel === 'adapter') {
      if (!req.adapter) throw new Error('sft: choose a trained adapter first (train one in a sweep or on the Train tab)');
      // A fresh instance: the sweep's cached adapter base may be training in this worker.
      const lm = asLanguageModel(await loadModel({ kind: 'local', location, name }, { backend: await preferredBackend() }));
      attachAdapterFolder(lm.model.backend, lm.model, req.adapter);
      devices[policy] = `${name} + adapter · ${lm.model.backend.name}`;
      entries.push({ factory, trained: { lm } });
    } else if (factory.decisionTransformer) {
      if (!req.dpt) throw new Error('dpt: choose a trained DPT first (train one in a sweep or on the Train tab)');
      const dpt = dptFromFolder(new CpuBackend(), req.dpt);
      devices[policy] = 'dpt · cpu';
      entries.push({ factory, trained: { dpt } });
    } else {
      entries.push({ factory });
    }
  }
  const episodes = await compareEpisodes(ctx, entries, req.episode, model);
  for (const e of entries) if (e.trained?.lm && e.factory.languageModel === 'adapter') releaseScorer(e.trained.lm);
  return {
    episodes,
    beliefs: episodes.map((e) => beliefsOf(s.task, e.steps)),
    model,
    nActions: s.task.nActions,
    oracle: s.info,
    grid: s.task.kind === 'darkroom' ? { size: s.task.params.size, goal: s.task.params.goal } : undefined,
    devices,
    seconds: (performance.now() - started) / 1000,
  };
}

const api: EvaluatorApi = {
  compare,
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
