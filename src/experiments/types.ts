/** What a sweep streams: one row per (sweep point, policy), aggregated over the test tasks. */

export interface ResultRow {
  /** the experiment's name. */
  experiment: string;
  env: string;
  /** the swept parameters at this point, e.g. { horizon: 10 } or { q: 0.7 }. */
  point: Record<string, number | string>;
  policy: string;
  /** number of test tasks. */
  tasks: number;
  /** mean optimality gap over tasks (a fraction: 0.15 = 15 %). */
  gap: number;
  /** 95 % two-sided Student-t interval over tasks. */
  ciLow: number;
  ciHigh: number;
  /** mean returns over tasks (R^π and R*). */
  meanReturn: number;
  meanOracleReturn: number;
  /** per-task gaps, in task order. */
  taskGaps: number[];
  /**
   * tasks whose |R*| ≈ 0, where the gap is the unnormalised R* − R^π (src/core/metrics.ts).
   * With one task, ciLow/ciHigh are ∓Infinity (null once through JSON): no spread estimate.
   */
  flaggedTasks?: number;
}

export interface ExperimentProgress {
  done: number;
  total: number;
  /** what is being worked on, for a status line. */
  label: string;
}

export interface ExperimentSummary {
  experiment: string;
  rows: number;
  seconds: number;
}

/**
 * Something a sweep trained, handed to the runner's caller for keeping (the app stores it in
 * IndexedDB): an SFT checkpoint while the adapter trains, then the point's finished adapter (a
 * PEFT folder) or DPT model (a DPT folder). Files are a folder's name → contents.
 */
export interface TrainedArtifact {
  kind: 'sft-checkpoint' | 'sft-adapter' | 'dpt-model';
  policy: 'sft' | 'dpt';
  /** the sweep point (0-based) and its label, e.g. "horizon=10". */
  pointIndex: number;
  label: string;
  /** optimiser steps done, of `steps`. */
  step: number;
  steps: number;
  files: Record<string, string | Uint8Array>;
}
