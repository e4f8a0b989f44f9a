/**
 * The Theory tab's worker: simulations and LSA training off the main thread, so the sliders stay
 * responsive. All of it is src/core/theory; this holds only the layer being trained.
 */
import * as Comlink from 'comlink';
import { covarianceSpectrum, LsaTrainer, regretCurve, type TheorySettings } from '../src/core/theory/index.ts';
import type { LsaChunk, TheoryApi } from './theory-api.ts';

/** The layer being trained and the training problem it belongs to. */
let held: { key: string; trainer: LsaTrainer } | null = null;

const problemKey = (s: TheorySettings) => JSON.stringify([s.d, s.kappa, s.N, s.seed]);

const api: TheoryApi = {
  async curve(settings, trained) {
    return regretCurve(settings, trained);
  },

  async train(settings, steps, lr, restart): Promise<LsaChunk> {
    const key = problemKey(settings);
    if (restart || !held || held.key !== key) {
      held = { key, trainer: new LsaTrainer({ lambda: covarianceSpectrum(settings.d, settings.kappa), trainLength: settings.N, batch: 32, seed: settings.seed }) };
    }
    const t = held.trainer;
    if (lr !== null) t.lr = lr;
    const log = Array.from({ length: steps }, () => t.train());
    return { steps: log, matrix: Float64Array.from(t.m), lr: t.lr };
  },
};

Comlink.expose(api);
