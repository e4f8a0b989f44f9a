import { useEffect, useState } from 'react';
import type { LiveProgress } from '../store.ts';
import { duration } from '../format.ts';

interface RunProgressProps {
  progress: LiveProgress | null;
  startedAt: number;
  onCancel: () => void;
  /** what is running (accessible name of the bar); default the sweep. */
  what?: string;
  /** what `done` counts; default evaluations. */
  unit?: string;
  testId?: string;
}

/** Progress bar with an ETA extrapolated from the pace so far, and the Cancel button (sweeps, ICL runs). */
export function RunProgress({ progress, startedAt, onCancel, what = 'Sweep progress', unit = 'evaluations', testId = 'sweep-progress' }: RunProgressProps) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 500);
    return () => clearInterval(timer);
  }, []);
  const done = progress?.done ?? 0;
  const total = progress?.total ?? 0;
  const elapsed = (now - startedAt) / 1000;
  const eta = done > 0 && total > done ? ((progress!.updatedAt - startedAt) / 1000 / done) * (total - done) - (now - progress!.updatedAt) / 1000 : NaN;
  const fraction = total > 0 ? done / total : 0;
  return (
    <div className="run-progress" role="group" aria-label={what}>
      <div className="progress-line">
        <progress max={total || 1} value={done} aria-label={what} data-testid={testId} />
        <span>{total > 0 ? `${Math.round(fraction * 100)} %` : 'starting…'}</span>
        <button type="button" className="danger" onClick={onCancel}>
          Cancel
        </button>
      </div>
      <p className="note" aria-live="polite">
        {done} of {total || '?'} {unit} · elapsed {duration(elapsed)} · ETA {Number.isFinite(eta) ? duration(Math.max(0, eta)) : 'estimating…'}
        {progress?.label ? ` · ${progress.label}` : ''}
      </p>
    </div>
  );
}
