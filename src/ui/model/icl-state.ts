/**
 * The shape of the ICL section's live state (the store's `icl` slice, ui/state/live.ts; not
 * persisted: it belongs to the ICL worker, which a reload ends), and the arithmetic of its
 * summary, kept pure for tests.
 */
import type { OnnxModelInfo } from '../../models/icl/load.ts';
import type { IclEpisode, IclStep, OracleInfo } from '../../../workers/api.ts';
import type { LiveProgress } from '../state/live.ts';
import { initialLoad, type LoadState } from './load-state.ts';
import { optimalityGap, tInterval95 } from '../../core/metrics.ts';
import type { ResultRow } from '../../experiments/types.ts';

export interface IclRunState {
  status: 'idle' | 'running' | 'done' | 'cancelled' | 'failed';
  startedAt: number;
  progress: LiveProgress | null;
  /** the decision just made, while running. */
  last: (IclStep & { episode: number }) | null;
  episodes: IclEpisode[];
  oracle: OracleInfo | null;
  seconds: number;
  error: string | null;
  /** the task and model it ran with, for the result's caption. */
  caption: string;
}

export const idleRun: IclRunState = { status: 'idle', startedAt: 0, progress: null, last: null, episodes: [], oracle: null, seconds: 0, error: null, caption: '' };

export interface IclState {
  load: LoadState;
  info: OnnxModelInfo | null;
  run: IclRunState;
}

export const initialIcl: IclState = { load: initialLoad, info: null, run: idleRun };

export interface ReturnSummary {
  n: number;
  mean: number;
  /** half-width of the 95 % Student-t interval (as every sweep's; 0 for one episode). */
  half: number;
}

export function summarizeReturns(returns: readonly number[]): ReturnSummary {
  const n = returns.length;
  if (n === 0) return { n, mean: NaN, half: NaN };
  const mean = returns.reduce((s, x) => s + x, 0) / n;
  if (n === 1) return { n, mean, half: 0 };
  return { n, mean, half: tInterval95(returns).halfWidth };
}

/**
 * A finished run as an ordinary result row, so it sits in the saved runs beside the sweeps' (and
 * exports as CSV and JSON). Its one task is the stepper's, so its interval is over that task's
 * episodes (Student-t, n − 1 degrees of freedom), which the experiment name says.
 */
export function iclRunRow(run: Pick<IclRunState, 'episodes' | 'oracle'>, model: string): ResultRow | null {
  const first = run.episodes[0];
  if (!first || !run.oracle) return null;
  const rStar = run.oracle.expectedReturn;
  const gaps = run.episodes.map((e) => optimalityGap(rStar, e.episode.return));
  const t = tInterval95(gaps);
  return {
    experiment: 'Model tab ICL (one task; interval over its episodes)',
    env: first.episode.env,
    point: { seed: first.episode.spec.seed, episodes: run.episodes.length },
    policy: `icl-onnx ${model}`,
    tasks: 1,
    gap: t.mean,
    ciLow: t.low,
    ciHigh: t.high,
    meanReturn: run.episodes.reduce((a, e) => a + e.episode.return, 0) / run.episodes.length,
    meanOracleReturn: rStar,
    taskGaps: [t.mean],
  };
}

/** e^logp as a percentage with sensible digits (tiny probabilities stay readable). */
export function probText(logp: number): string {
  const p = Math.exp(logp);
  if (!Number.isFinite(p)) return '—';
  return p >= 0.001 ? `${(100 * p).toFixed(1)} %` : `${p.toExponential(1)}`;
}
