/** The contract between the Theory tab and its worker (comlink; plain data only). */
import type { CurvePoint, LsaStep, TheorySettings } from '../src/core/theory/index.ts';

export interface LsaChunk {
  /** the steps just run, in order. */
  steps: LsaStep[];
  /** the layer's matrix M after them (d × d, row-major). */
  matrix: Float64Array;
  lr: number;
}

export interface TheoryApi {
  /** Simulated regret of the closed form (and of `trained`, if given) against n, with the bound. */
  curve(settings: TheorySettings, trained?: Float64Array): Promise<CurvePoint[]>;
  /**
   * `steps` more SGD steps of the LSA layer for these settings (a new layer from M = 0 when the
   * settings that define the training problem change, or with `restart`); `lr` applies from
   * the next step, so it can change between chunks without a reset. Null lr: the stable default.
   */
  train(settings: TheorySettings, steps: number, lr: number | null, restart: boolean): Promise<LsaChunk>;
}
