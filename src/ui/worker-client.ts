/**
 * Lazily started workers. The solver worker lives for the whole session (it caches solved
 * tasks); the evaluator worker is disposable: cancelling a sweep asks it to stop and, if it is
 * stuck inside a long computation, terminates it and starts a fresh one for the next run.
 */
import * as Comlink from 'comlink';
import type { EvaluatorApi, IclApi, ModelApi, SolverApi } from '../../workers/api.ts';

let solver: { worker: Worker; api: Comlink.Remote<SolverApi> } | null = null;
let evaluator: { worker: Worker; api: Comlink.Remote<EvaluatorApi> } | null = null;

export function solverApi(): Comlink.Remote<SolverApi> {
  if (!solver) {
    const worker = new Worker(new URL('../../workers/solver.worker.ts', import.meta.url), { type: 'module', name: 'solver' });
    solver = { worker, api: Comlink.wrap<SolverApi>(worker) };
  }
  return solver.api;
}

let model: Comlink.Remote<ModelApi> | null = null;

/** The model worker lives for the session: it holds the loaded model. */
export function modelApi(): Comlink.Remote<ModelApi> {
  if (!model) {
    const worker = new Worker(new URL('../../workers/model.worker.ts', import.meta.url), { type: 'module', name: 'model' });
    model = Comlink.wrap<ModelApi>(worker);
  }
  return model;
}

let icl: { worker: Worker; api: Comlink.Remote<IclApi> } | null = null;

/** The ICL worker holds an ONNX LM; it is terminated (and started fresh) only to cancel a load. */
export function iclApi(): Comlink.Remote<IclApi> {
  if (!icl) {
    const worker = new Worker(new URL('../../workers/icl.worker.ts', import.meta.url), { type: 'module', name: 'icl' });
    icl = { worker, api: Comlink.wrap<IclApi>(worker) };
  }
  return icl.api;
}

/** Hard stop of a load (transformers.js cannot abort one): the loaded ONNX model goes with it. */
export function terminateIcl(): void {
  icl?.worker.terminate();
  icl = null;
}

export function evaluatorApi(): Comlink.Remote<EvaluatorApi> {
  if (!evaluator) {
    const worker = new Worker(new URL('../../workers/evaluator.worker.ts', import.meta.url), { type: 'module', name: 'evaluator' });
    evaluator = { worker, api: Comlink.wrap<EvaluatorApi>(worker) };
  }
  return evaluator.api;
}

/** Hard stop: the pending `run` promise never settles, so callers settle their own state first. */
export function terminateEvaluator(): void {
  evaluator?.worker.terminate();
  evaluator = null;
}

export { Comlink };

/** A readable message from anything thrown across the worker boundary. */
export function errorMessage(e: unknown): string {
  if (e instanceof Error) return e.message;
  if (typeof e === 'string') return e;
  return JSON.stringify(e);
}
