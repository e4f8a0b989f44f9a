import { useEffect } from 'react';
import type { EpisodeView } from '../../../workers/api.ts';
import { useLab } from '../store.ts';
import { actionName, fmt } from '../format.ts';
import { BeliefCharts } from './BeliefCharts.tsx';
import { DarkroomGrid } from './DarkroomGrid.tsx';

/** Keys typed into a form control belong to that control, not to the stepper. */
function isEditable(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || ['INPUT', 'SELECT', 'TEXTAREA'].includes(target.tagName);
}

export function Stepper({ episode }: { episode: EpisodeView }) {
  const step = useLab((s) => s.step);
  const setStep = useLab((s) => s.setStep);
  const n = episode.steps.length;
  const t = Math.min(step, n - 1);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || e.altKey || e.ctrlKey || e.metaKey || isEditable(e.target)) return;
      const cur = useLab.getState().step;
      const next = e.key === 'ArrowRight' ? cur + 1 : e.key === 'ArrowLeft' ? cur - 1 : e.key === 'Home' ? 0 : e.key === 'End' ? n - 1 : null;
      if (next === null) return;
      e.preventDefault();
      setStep(next);
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [n, setStep]);

  if (n === 0) return <p className="note">The episode has no steps.</p>;
  const s = episode.steps[t]!;
  const isDark = episode.env === 'darkroom';
  const size = episode.grid?.size ?? 1;
  const showLatent = (i: number) => (isDark ? `(${i % size}, ${Math.floor(i / size)})` : `level ${i}`);
  const showObs = (o: number[]) => (isDark ? `(${o[0]}, ${o[1]})` : `level ${o[0]}`);
  const noisy = episode.env === 'energy-pomdp' || episode.env === 'energy-apomdp';

  return (
    <div className="stepper">
      <div className="summary-line" role="status">
        <span>
          <strong>{episode.policy}</strong>, episode {episode.episode}
          {episode.env === 'energy-apomdp' ? `, true model ${episode.model + 1}` : ''}:
          return <strong data-testid="episode-return">{fmt(episode.return)}</strong>
        </span>
        <span>
          oracle expected return <strong>{fmt(episode.oracle.expectedReturn)}</strong>
          {noisy && episode.oracle.upperBound !== undefined && (
            <>
              {' '}
              (upper bound if the level were visible: <strong>{fmt(episode.oracle.upperBound)}</strong>)
            </>
          )}
        </span>
      </div>

      <div className="step-nav" role="group" aria-label="Step through the episode">
        <button type="button" onClick={() => setStep(0)} disabled={t === 0} aria-label="First step" title="First step (Home)">
          First
        </button>
        <button type="button" onClick={() => setStep(t - 1)} disabled={t === 0} aria-label="Previous step" title="Previous step (←)">
          ◀ Back
        </button>
        <span className="step-counter" data-testid="step-counter" aria-live="polite">
          Step {t + 1} of {n}
        </span>
        <button type="button" onClick={() => setStep(t + 1)} disabled={t === n - 1} aria-label="Next step" title="Next step (→)">
          Forward ▶
        </button>
        <button type="button" onClick={() => setStep(n - 1)} disabled={t === n - 1} aria-label="Last step" title="Last step (End)">
          Last
        </button>
        <label className="slider">
          <span className="visually-hidden">Step</span>
          <input type="range" min={1} max={n} value={t + 1} onChange={(e) => setStep(Number(e.target.value) - 1)} />
        </label>
        <span className="kbd-hint">Keys: ← → Home End</span>
      </div>

      <div className="step-body">
        <dl className="kv step-details" aria-label={`Step ${t + 1} details`}>
          <dt title="The true state of the environment at this step.">{isDark ? 'Position' : noisy ? 'True level (hidden from the agent)' : 'Level'}</dt>
          <dd data-testid="latent">{showLatent(episode.latent[t]!)}</dd>
          <dt>{noisy ? 'Observed level' : 'Observation'}</dt>
          <dd data-testid="observation">
            {showObs(s.obs)}
            {noisy && s.obs[0] !== episode.latent[t] && <span className="badge warn">misleading</span>}
          </dd>
          <dt>Action</dt>
          <dd data-testid="action">{actionName(episode.env, s.action)}</dd>
          <dt>Reward</dt>
          <dd data-testid="reward">{fmt(s.reward)}</dd>
          <dt>Return so far</dt>
          <dd data-testid="cumulative">{fmt(episode.cumulative[t])}</dd>
        </dl>
        {episode.beliefs && episode.beliefs[t] && (
          <BeliefCharts beliefs={episode.beliefs[t]} latent={episode.latent[t]!} observed={s.obs[0]!} highlightModel={episode.model} />
        )}
        {isDark && episode.grid && <DarkroomGrid size={episode.grid.size} goal={episode.grid.goal} steps={episode.steps} upTo={t} />}
      </div>
    </div>
  );
}
