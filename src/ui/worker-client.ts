/**
 * Lazily started workers. The solver worker lives for the whole session (it caches solved
 * tasks); the evaluator worker is disposable: cancelling a sweep asks it to stop and, if it is
 * stuck inside a long computation, terminates it and starts a fresh one for the next run.
 */
import * as Comlink from 'comlink';
import type { EvaluatorApi, IclApi, ModelApi, SolverApi } from '../../workers/api.ts';

/** A worker started on first use; `terminate` drops it, and the next `api()` starts a fresh one. */
function lazyWorker<T>(start: () => Worker): { api: () => Comlink.Remote<T>; terminate: () => void } {
  let held: { worker: Worker; api: Comlink.Remote<T> } | null = null;
  return {
    api() {
      if (!held) {
        const worker = start();
        held = { worker, api: Comlink.wrap<T>(worker) };
      }
      return held.api;
    },
    terminate() {
      held?.worker.terminate();
      held = null;
    },
  };
}

// Each `new Worker(new URL(..., import.meta.url))` stays literal: that is the form Vite bundles.
const solver = lazyWorker<SolverApi>(() => new Worker(new URL('../../workers/solver.worker.ts', import.meta.url), { type: 'module', name: 'solver' }));
const model = lazyWorker<ModelApi>(() => new Worker(new URL('../../workers/model.worker.ts', import.meta.url), { type: 'module', name: 'model' }));
const icl = lazyWorker<IclApi>(() => new Worker(new URL('../../workers/icl.worker.ts', import.meta.url), { type: 'module', name: 'icl' }));
const evaluator = lazyWorker<EvaluatorApi>(() => new Worker(new URL('../../workers/evaluator.worker.ts', import.meta.url), { type: 'module', name: 'evaluator' }));

export const solverApi = solver.api;
/** The model worker lives for the session: it holds the loaded model. */
export const modelApi = model.api;
/** The ICL worker holds an ONNX LM; it is terminated (and started fresh) only to cancel a load. */
export const iclApi = icl.api;
/** Hard stop of a load (transformers.js cannot abort one): the loaded ONNX model goes with it. */
export const terminateIcl = icl.terminate;
export const evaluatorApi = evaluator.api;
/** Hard stop: the pending `run` promise never settles, so callers settle their own state first. */
export const terminateEvaluator = evaluator.terminate;

export { Comlink };

/** A readable message from anything thrown across the worker boundary. */
export function errorMessage(e: unknown): string {
  if (e instanceof Error) return e.message;
  if (typeof e === 'string') return e;
  return JSON.stringify(e);
}
