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
