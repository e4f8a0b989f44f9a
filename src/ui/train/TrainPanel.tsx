import { useMemo, useState } from 'react';
import { parseExperimentSpec, sweepPoints } from '../../experiments/spec.ts';
import { pointLabel } from '../../experiments/run.ts';
import { useLab } from '../store.ts';
import { Term } from '../common/Help.tsx';
import { duration } from '../format.ts';
import { EXAMPLES } from '../sweep/examples.ts';
import { LossChart } from './LossChart.tsx';
import { TrainedList } from './TrainedList.tsx';
import { cancelTraining, pauseTraining, resumeTraining, setLrScale, startTraining } from './trainer.ts';

const STATUS: Record<string, string> = {
  running: 'training',
  paused: 'paused — resume continues from the last checkpoint',
  done: 'finished — kept below and ready for the Compare tab',
  failed: 'failed',
  cancelled: 'cancelled',
  interrupted: 'interrupted by a reload — resume continues from the last checkpoint',
};

export function TrainPanel() {
  const train = useLab((s) => s.train);
  const job = useLab((s) => s.trainJob);
  const sweepSpec = useLab((s) => s.sweepSpec);
  const set = useLab((s) => s.set);
  const [lrText, setLrText] = useState<string | null>(null);
  const spec = (sweepSpec ?? EXAMPLES[0]!.spec) as Record<string, unknown>;
  const plan = useMemo(() => {
    try {
      const parsed = parseExperimentSpec(spec);
      return { ok: true as const, parsed, labels: sweepPoints(parsed).map((p) => pointLabel(p.point)) };
    } catch (e) {
      return { ok: false as const, error: e instanceof Error ? e.message : String(e) };
    }
  }, [spec]);
  const running = job?.status === 'running';
  const canResume = job !== null && (job.status === 'paused' || job.status === 'interrupted');
  const lrShown = lrText ?? String(train.lrScale);
  const lrValue = Number(lrShown);
  const lrError = Number.isFinite(lrValue) && lrValue >= 0.01 && lrValue <= 100 ? null : `learning-rate factor: must be a number in [0.01, 100], got ${lrShown}`;

  return (
    <div className="layout train-layout">
      <section className="panel" aria-labelledby="train-heading">
        <h2 id="train-heading">Train on this device</h2>
        <p className="help">
          Fine-tunes the language model (SFT, QLoRA adapters) or trains a Decision-Pretrained Transformer from scratch on the training tasks of
          the sweep set up on tab 2. Runs in a background worker on your GPU (WebGPU) when the browser has one, else on the CPU.
        </p>
        {plan.ok ? (
          <p className="note" data-testid="train-plan">
            Training set: {plan.parsed.env}, {plan.parsed.training.tasks ?? 'default'} training tasks, {plan.parsed.training.epochs} epochs, from “{String(spec.name)}”.
          </p>
        ) : (
          <p className="field-error" role="alert">
            The sweep spec on tab 2 has a problem: {plan.error}
          </p>
        )}
        <fieldset className="checkboxes" disabled={running}>
          <legend>What to train</legend>
          <label>
            <input type="radio" name="train-policy" checked={train.policy === 'sft'} onChange={() => set({ train: { ...train, policy: 'sft' } })} /> <strong>sft</strong>{' '}
            <span className="help inline">— LoRA adapters on the frozen 4-bit model, on oracle episodes of the training tasks</span>
          </label>
          <label>
            <input type="radio" name="train-policy" checked={train.policy === 'dpt'} onChange={() => set({ train: { ...train, policy: 'dpt' } })} /> <strong>dpt</strong>{' '}
            <span className="help inline">— a small transformer from scratch, on the same tasks’ transitions</span>
          </label>
        </fieldset>
        {plan.ok && plan.labels.length > 1 && (
          <div className="field">
            <label htmlFor="train-point">Sweep point</label>
            <select id="train-point" value={train.point} disabled={running} onChange={(e) => set({ train: { ...train, point: Number(e.target.value) } })} aria-describedby="train-point-help">
              {plan.labels.map((l, i) => (
                <option key={l} value={i}>
                  {l}
                </option>
              ))}
            </select>
            <p id="train-point-help" className="help">
              The training tasks are drawn at this point of the sweep (for a horizon sweep: this horizon).
            </p>
          </div>
        )}
        <div className="field">
          <label htmlFor="train-lr">Learning-rate factor</label>
          <input
            id="train-lr"
            type="text"
            inputMode="decimal"
            value={lrShown}
            aria-invalid={lrError !== null}
            aria-describedby="train-lr-help"
            onChange={(e) => {
              setLrText(e.target.value);
              const v = Number(e.target.value);
              if (Number.isFinite(v) && v >= 0.01 && v <= 100) setLrScale(v);
            }}
          />
          <p id="train-lr-help" className="help">
            Multiplies the schedule’s learning rate from the next step on, also while a job runs (no reset). 1 = the spec’s rate.
          </p>
          {lrError && (
            <p className="field-error" role="alert">
              {lrError}
            </p>
          )}
        </div>
        <label className="inline-check">
          <input type="checkbox" checked={train.cpu} disabled={running} onChange={(e) => set({ train: { ...train, cpu: e.target.checked } })} /> Use the CPU even if WebGPU is available
        </label>
        <Term term="validation loss">
          The loss on the 10 % of training tasks held out, measured after every epoch. When it stops falling while the training loss still
          does, the model is learning its training tasks rather than the task family.
        </Term>
        <div className="actions">
          <button type="button" className="primary" disabled={running || !plan.ok} onClick={startTraining}>
            Start training
          </button>
          <button type="button" disabled={!running} onClick={pauseTraining}>
            Pause
          </button>
          <button type="button" disabled={!canResume} onClick={() => void resumeTraining()}>
            Resume
          </button>
          <button type="button" disabled={!running && !canResume} onClick={cancelTraining}>
            Cancel
          </button>
        </div>
      </section>

      <section className="panel results" aria-labelledby="train-results-heading">
        <h2 id="train-results-heading">Progress</h2>
        {job ? (
          <>
            <p className="run-status" data-testid="train-status" role="status">
              <strong>{job.name}</strong> ({job.label}): {STATUS[job.status]}
              {job.error && <span className="field-error"> — {job.error}</span>}
            </p>
            <div className="progress-line">
              <progress max={Math.max(1, job.steps)} value={job.step} aria-label="Training progress" />
              <span data-testid="train-numbers">
                step {job.step} of {job.steps || '…'} · {job.tokensPerSecond > 0 ? `${job.tokensPerSecond.toFixed(0)} ${job.policy === 'sft' ? 'tokens' : 'token vectors'}/s` : '…'}
                {job.lr !== undefined && <span data-testid="train-lr-now"> · learning rate {job.lr.toExponential(1)}</span>}
                {running && Number.isFinite(job.etaSeconds) ? ` · about ${duration(job.etaSeconds)} left` : ''} · device <strong data-testid="train-device">{job.device}</strong>
              </span>
            </div>
            {job.deviceNote && (
              <p className="badge warn" role="note">
                {job.deviceNote}
              </p>
            )}
            <LossChart job={job} />
          </>
        ) : (
          <p className="note">Nothing trained yet on this page.</p>
        )}
        <TrainedList />
      </section>
    </div>
  );
}
