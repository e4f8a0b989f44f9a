/**
 * The shape of a model load's live state (the store's `modelLoad` slice, and the ICL slice's
 * `load`; not persisted: it belongs to the worker doing the load), and the arithmetic of its
 * progress display, kept pure so it is tested without a browser.
 */
import type { LoadErrorKind } from '../../models/loader/errors.ts';
import type { FileProgress, LoadEvent, LoadStage, ModelInfo } from '../../models/loader/types.ts';

export interface LoadState {
  status: 'idle' | 'loading' | 'ready' | 'failed';
  label: string;
  stage: LoadStage | null;
  /** building the model: tensors placed / all. */
  building: number;
  files: Record<string, FileProgress>;
  startedAt: number;
  finishedAt: number | null;
  /** when the first byte of a download arrived (ETA is measured from there). */
  bytesSince: number | null;
  info: ModelInfo | null;
  error: { kind: LoadErrorKind; message: string } | null;
}

export const initialLoad: LoadState = { status: 'idle', label: '', stage: null, building: 0, files: {}, startedAt: 0, finishedAt: null, bytesSince: null, info: null, error: null };

/** The state after one worker event. */
export function applyEvent(s: LoadState, e: LoadEvent, now: number): LoadState {
  if (e.type === 'stage') return { ...s, stage: e.stage, building: e.stage === 'building' || e.stage === 'ready' ? (e.fraction ?? s.building) : s.building };
  const prev = s.files[e.file];
  // A late in-flight update must not move a finished file back.
  if (prev?.done && !e.done) return s;
  const bytesSince = s.bytesSince ?? (e.loaded > 0 && !e.fromCache ? now : null);
  return { ...s, bytesSince, files: { ...s.files, [e.file]: e } };
}

export interface Totals {
  loaded: number;
  /** null while some file's size is unknown. */
  total: number | null;
  /** seconds left at the pace so far; null before there is a pace. */
  eta: number | null;
}

export function totals(s: LoadState, now: number): Totals {
  const files = Object.values(s.files);
  const loaded = files.reduce((a, f) => a + f.loaded, 0);
  const known = files.every((f) => f.total !== null);
  const total = known ? files.reduce((a, f) => a + (f.total ?? 0), 0) : null;
  const cached = files.filter((f) => f.fromCache).reduce((a, f) => a + f.loaded, 0);
  const elapsed = s.bytesSince === null ? 0 : (now - s.bytesSince) / 1000;
  const downloaded = loaded - cached;
  const eta = total !== null && downloaded > 0 && elapsed > 0.2 ? (elapsed / downloaded) * (total - loaded) : null;
  return { loaded, total, eta };
}
