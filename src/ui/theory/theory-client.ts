/** The Theory tab's worker, started on first use and kept for the session (it holds the layer being trained). */
import * as Comlink from 'comlink';
import type { TheoryApi } from '../../../workers/theory-api.ts';

let api: Comlink.Remote<TheoryApi> | null = null;

export function theoryApi(): Comlink.Remote<TheoryApi> {
  // The `new Worker(new URL(...))` form stays literal: that is the form Vite bundles.
  api ??= Comlink.wrap<TheoryApi>(new Worker(new URL('../../../workers/theory.worker.ts', import.meta.url), { type: 'module', name: 'theory' }));
  return api;
}
