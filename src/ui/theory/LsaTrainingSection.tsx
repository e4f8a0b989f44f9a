import { useState } from 'react';
import { MAX_STEPS, type LsaTraining } from './use-lsa-training.ts';
import { TrainingChart } from './TrainingChart.tsx';

/** Start / pause / reset of the live LSA training, its learning rate, and its chart. */
export function LsaTrainingSection({ training }: { training: LsaTraining }) {
  const { running, log, lr, error } = training;
  // null until the person types: the field then shows the rate in use (the worker's stable default).
  const [typed, setLrText] = useState<string | null>(null);
  const lrText = typed ?? (lr === null ? '' : lr.toPrecision(3));
  const lrValue = Number(lrText);
  const lrError = lrText !== '' && !(Number.isFinite(lrValue) && lrValue > 0 && lrValue <= 100) ? `learning rate: must be a number in (0, 100], got ${lrText}` : null;
  const last = log.at(-1);

  return (
    <div className="lsa-training">
      <h3>Train an LSA layer live</h3>
      <p className="help">
        Stochastic gradient descent on the layer’s matrix M, from M = 0, on random prompts of length N (32 per step). The theory says M
        converges to Γ⁻¹; the distance below should fall towards 0 (down to the noise of the sampled prompts). Pause to add the trained
        layer to the chart above.
      </p>
      <div className="actions">
        <button type="button" className="primary" onClick={running ? training.pause : training.start} aria-keyshortcuts="Space">
          {running ? 'Pause' : log.length > 0 ? 'Resume' : 'Train'}
        </button>
        <button type="button" onClick={() => { training.reset(); setLrText(null); }} disabled={log.length === 0 && !running}>
          Reset layer
        </button>
        <div className="field inline">
          <label htmlFor="lsa-lr">Learning rate</label>
          <input
            id="lsa-lr"
            type="text"
            inputMode="decimal"
            value={lrText}
            placeholder="auto"
            aria-invalid={lrError !== null}
            aria-describedby="lsa-lr-help"
            onChange={(e) => {
              setLrText(e.target.value);
              const v = Number(e.target.value);
              if (Number.isFinite(v) && v > 0 && v <= 100) training.setLr(v);
            }}
          />
          <p id="lsa-lr-help" className="help inline">
            Takes effect at the next step, without a reset. The default is half the largest stable step; too large diverges.
          </p>
        </div>
      </div>
      {lrError && (
        <p className="field-error" role="alert">
          {lrError}
        </p>
      )}
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
      <p className="note" data-testid="lsa-status" aria-live="polite">
        {last ? `step ${last.step} of at most ${MAX_STEPS} · distance to Γ⁻¹ ${last.distance.toFixed(3)} · loss ${last.loss.toFixed(3)}${running ? ' · training…' : ' · paused'}` : 'Not trained yet.'}
      </p>
      {log.length > 0 && <TrainingChart log={log} />}
    </div>
  );
}
