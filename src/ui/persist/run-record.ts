/**
 * A sweep run as the app keeps it: the spec it ran, its rows, and how it ended. Checked when read
 * back from storage, since a record can come from an older version of the app.
 */
import { z } from 'zod';
import type { ExperimentSummary, ResultRow } from '../../experiments/types.ts';

export type RunStatus = 'running' | 'done' | 'cancelled' | 'failed' | 'interrupted';

export interface SweepRun {
  id: string;
  name: string;
  spec: unknown;
  rows: ResultRow[];
  status: RunStatus;
  error?: string;
  startedAt: number;
  finishedAt?: number;
  summary?: ExperimentSummary;
  /** set while the run's latest write to storage failed (in memory only: what is stored is never "unsaved"). */
  unsaved?: boolean;
}

/** The fields the charts and tables read; a row's intervals can be null after a trip through JSON (one task: no spread). */
const rowSchema = z.looseObject({
  experiment: z.string(),
  env: z.string(),
  point: z.record(z.string(), z.union([z.number(), z.string()])),
  policy: z.string(),
  tasks: z.number().int().positive(),
  gap: z.number(),
  ciLow: z.number().nullable(),
  ciHigh: z.number().nullable(),
  meanReturn: z.number(),
  meanOracleReturn: z.number(),
  taskGaps: z.array(z.number()),
});

const runSchema = z.looseObject({
  id: z.string().min(1),
  name: z.string(),
  spec: z.record(z.string(), z.unknown()),
  rows: z.array(rowSchema),
  status: z.enum(['running', 'done', 'cancelled', 'failed', 'interrupted']),
  error: z.string().optional(),
  startedAt: z.number(),
  finishedAt: z.number().optional(),
  summary: z.looseObject({ experiment: z.string(), rows: z.number(), seconds: z.number() }).optional(),
});

/**
 * A stored run, or null when it is unreadable. A run stored while it was streaming has no worker
 * any more after a reload: it comes back as "interrupted" with the rows it had.
 */
export function readRunRecord(x: unknown): SweepRun | null {
  const r = runSchema.safeParse(x);
  if (!r.success) return null;
  // Checked above to the depth the app reads; JSON's null intervals are the same "no spread" as ±Infinity.
  const run = r.data as SweepRun;
  return run.status === 'running' ? { ...run, status: 'interrupted' } : run;
}

const sizes = new WeakMap<object, number>();
/** id, name, status and times: a few hundred bytes at most. */
const RUN_FIELDS_BYTES = 200;

/** JSON bytes of an object, remembered: rows and specs never change once made. */
function jsonBytes(x: object): number {
  let n = sizes.get(x);
  if (n === undefined) {
    n = new TextEncoder().encode(JSON.stringify(x) ?? '').length;
    sizes.set(x, n);
  }
  return n;
}

/**
 * Roughly what a run takes in storage (its rows' and spec's JSON sizes), for the saved-data
 * list. Cached per row, so a streaming run costs only its new row each time it grows.
 */
export function approximateBytes(run: SweepRun): number {
  const spec = typeof run.spec === 'object' && run.spec !== null ? jsonBytes(run.spec) : 0;
  return run.rows.reduce((n, r) => n + jsonBytes(r), spec + RUN_FIELDS_BYTES);
}
