import { useEffect, useState } from 'react';
import { ERROR_TITLES } from '../../models/loader/errors.ts';
import { formatBytes, formatCount } from '../../models/loader/estimate.ts';
import type { ModelInfo } from '../../models/loader/types.ts';
import { duration } from '../format.ts';
import { type LoadState, totals } from './load-state.ts';
import { useLab } from '../store.ts';

export type StageLabels = { id: NonNullable<LoadState['stage']>; label: string }[];

const STAGES: StageLabels = [
  { id: 'config', label: 'Read config.json and check the size' },
  { id: 'tokenizer', label: 'Tokenizer' },
  { id: 'weights', label: 'Weights (model.safetensors)' },
  { id: 'building', label: 'Build the model in the engine' },
];

function bytesOf(loaded: number, total: number | null): string {
  return total === null ? formatBytes(loaded) : `${formatBytes(loaded)} of ${formatBytes(total)}`;
}

/**
 * Overall bar, per-file lines with bytes, and the stage list; ETA from the download pace. Shared
 * by the engine model's load and the ICL model's (other stage labels, other test ids).
 */
export function LoadProgress({
  s, stages = STAGES, testId = 'model-download', what = 'Model loading progress', buildFraction = true,
}: { s: LoadState; stages?: StageLabels; testId?: string; what?: string; buildFraction?: boolean }) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 500);
    return () => clearInterval(timer);
  }, []);
  const end = s.finishedAt ?? now;
  const t = totals(s, end);
  const current = stages.findIndex((x) => x.id === s.stage);
  // Downloads are most of the wait; building is shown on its own bar.
  const fraction = s.stage === 'building' || s.stage === 'ready' ? 1 : t.total ? t.loaded / t.total : 0;
  return (
    <div className="run-progress" role="group" aria-label={what}>
      <div className="progress-line">
        <progress max={1} value={fraction} aria-label="Download progress" data-testid={`${testId}-progress`} />
        <span data-testid={`${testId}-percent`}>{Math.floor(fraction * 100)} %</span>
      </div>
      <p className="note" aria-live="polite">
        {bytesOf(t.loaded, t.total)} · {s.finishedAt ? 'took' : 'elapsed'} {duration((end - s.startedAt) / 1000)}
        {s.finishedAt ? '' : ` · ETA ${s.stage === 'building' || s.stage === 'ready' ? 'downloads done' : t.eta === null ? 'estimating…' : duration(t.eta)}`}
      </p>
      <ol className="stage-list">
        {stages.map((x, i) => (
          <li key={x.id} className={i < current || s.stage === 'ready' ? 'stage-done' : i === current ? 'stage-now' : 'stage-todo'}>
            {i < current || s.stage === 'ready' ? '✓ ' : i === current ? '▸ ' : ''}
            {x.label}
            {buildFraction && x.id === 'building' && (i === current || s.stage === 'ready') ? ` — ${Math.round(s.building * 100)} %` : ''}
          </li>
        ))}
      </ol>
      {Object.values(s.files).length > 0 && (
        <table className="rows file-table">
          <thead>
            <tr>
              <th>%</th>
              <th>file</th>
              <th>bytes</th>
            </tr>
          </thead>
          <tbody>
            {Object.values(s.files).map((f) => (
              <tr key={f.file}>
                <td>{f.total ? `${Math.floor((100 * f.loaded) / f.total)} %` : '…'}</td>
                <td>
                  <code>{f.file}</code>
                  {f.fromCache ? <span className="badge warn">from cache</span> : null}
                </td>
                <td>{bytesOf(f.loaded, f.total)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

export function ModelFacts({ info, testId }: { info: ModelInfo; testId?: string }) {
  return (
    <dl className="kv" data-testid={testId}>
      <dt>Parameters</dt>
      <dd data-testid={testId ? `${testId}-params` : undefined}>
        {formatCount(info.parameters)} ({info.parameters.toLocaleString('en')})
      </dd>
      <dt>Memory in the engine</dt>
      <dd>
        about {formatBytes(info.engineBytes)} (f32 weights, {info.backend === 'webgpu' ? 'GPU' : 'CPU'} backend)
      </dd>
      <dt>Download</dt>
      <dd>
        {formatBytes(info.fileBytes)} ({info.dtype})
      </dd>
      <dt>Shape</dt>
      <dd>
        {info.layers} layers · hidden {info.hidden} · vocabulary {info.vocabSize.toLocaleString('en')}
      </dd>
      <dt>Load time</dt>
      <dd>{duration(info.seconds)}</dd>
    </dl>
  );
}

/** What happened to the last load: progress, the loaded model's facts, or why it was refused. */
export function LoadStatus({ lastModel }: { lastModel: ModelInfo | null }) {
  const s = useLab((st) => st.modelLoad);
  return (
    <section className="panel" aria-labelledby="model-status-title">
      <h2 id="model-status-title">Status</h2>
      {s.status === 'loading' && <p className="run-status">Loading {s.label}…</p>}
      {/* Kept after the load finishes: it shows what was downloaded and what came from the cache. */}
      {s.status === 'loading' || s.status === 'ready' ? <LoadProgress s={s} /> : null}
      {s.status === 'failed' && s.error && (
        <div className="error-box" role="alert" data-testid="model-error">
          <strong data-testid="model-error-title">{ERROR_TITLES[s.error.kind]}</strong>
          <p>{s.error.message}</p>
          <p className="note">Nothing else changed: your tasks, episodes, sweep results and settings are as they were{s.info ? `, and ${s.info.label} is still loaded` : ''}.</p>
        </div>
      )}
      {s.info && s.status !== 'loading' ? (
        <>
          <p className="run-status status-done model-loaded" data-testid="model-loaded">
            Loaded: {s.info.label}
          </p>
          <ModelFacts info={s.info} testId="model-facts" />
        </>
      ) : s.status === 'idle' ? (
        lastModel ? (
          <p className="note">
            No model is loaded in this session. Last time you loaded <strong>{lastModel.label}</strong> ({formatCount(lastModel.parameters)} parameters); press Load to load it again.
          </p>
        ) : (
          <p className="note">No model loaded yet. Choose one on the left and press Load.</p>
        )
      ) : null}
    </section>
  );
}
