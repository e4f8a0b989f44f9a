/**
 * The evaluator worker: runs experiment sweeps off the main thread, streaming rows as they
 * finish. Cancelling is done by the UI terminating this worker, which also stops a solve that
 * never yields; the generator's own AbortSignal support is for the CLI.
 */
import * as Comlink from 'comlink';
import { runExperiment } from '../src/experiments/run.ts';
import type { EvaluatorApi } from './api.ts';

const api: EvaluatorApi = {
  async run(spec, onRow, onProgress) {
    const gen = runExperiment(spec, { onProgress });
    for (;;) {
      const r = await gen.next();
      if (r.done) return r.value;
      // Awaited so rows arrive in order and a slow main thread applies back-pressure.
      await onRow(r.value);
    }
  },
};

Comlink.expose(api);
