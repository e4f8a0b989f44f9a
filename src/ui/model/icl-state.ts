/**
 * The shape of the ICL section's live state (the store's `icl` slice, ui/state/live.ts; not
 * persisted: it belongs to the ICL worker, which a reload ends), and the arithmetic of its
 * summary, kept pure for tests.
 */
import type { OnnxModelInfo } from '../../models/icl/load.ts';
import type { IclEpisode, IclStep, OracleInfo } from '../../../workers/api.ts';
import type { LiveProgress } from '../state/live.ts';
import { initialLoad, type LoadState } from './load-state.ts';

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
  /** half-width of the 95 % normal interval (0 for one episode). */
  half: number;
}

export function summarizeReturns(returns: readonly number[]): ReturnSummary {
  const n = returns.length;
  if (n === 0) return { n, mean: NaN, half: NaN };
  const mean = returns.reduce((s, x) => s + x, 0) / n;
  if (n === 1) return { n, mean, half: 0 };
  const variance = returns.reduce((s, x) => s + (x - mean) ** 2, 0) / (n - 1);
  return { n, mean, half: 1.96 * Math.sqrt(variance / n) };
}

/** e^logp as a percentage with sensible digits (tiny probabilities stay readable). */
export function probText(logp: number): string {
  const p = Math.exp(logp);
  if (!Number.isFinite(p)) return '—';
  return p >= 0.001 ? `${(100 * p).toFixed(1)} %` : `${p.toExponential(1)}`;
}
