import { useEffect, useRef, useState } from 'react';
import type { CompareResult } from '../../../workers/api.ts';
import type { EnvName } from '../../core/types.ts';
import { actionName, fmt } from '../format.ts';
import { PolicyCard } from './PolicyCard.tsx';

/** A step every this many milliseconds while playing: slow enough to follow on a projector. */
const PLAY_MS = 900;

interface Props {
  env: EnvName;
  result: CompareResult;
  step: number;
  setStep: (t: number) => void;
}

function isEditable(target: EventTarget | null): boolean {
  return target instanceof HTMLElement && (target.isContentEditable || ['INPUT', 'SELECT', 'TEXTAREA'].includes(target.tagName));
}

/** The policies side by side at one step, with forward / back / play and the keyboard (← → Home End, P to play). */
export function CompareView({ env, result, step, setStep }: Props) {
  const n = Math.max(...result.episodes.map((e) => e.steps.length));
  const t = Math.min(step, n - 1);
  const [playing, setPlaying] = useState(false);
  const stepRef = useRef(t);
  useEffect(() => {
    stepRef.current = t;
  }, [t]);

  useEffect(() => {
    if (!playing) return;
    const id = setInterval(() => {
      if (stepRef.current >= n - 1) setPlaying(false);
      else setStep(stepRef.current + 1);
    }, PLAY_MS);
    return () => clearInterval(id);
  }, [playing, n, setStep]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || e.altKey || e.ctrlKey || e.metaKey || isEditable(e.target)) return;
      const cur = stepRef.current;
      if (e.key === 'p' || e.key === 'P') {
        e.preventDefault();
        setPlaying((p) => !p);
        return;
      }
      const next = e.key === 'ArrowRight' ? cur + 1 : e.key === 'ArrowLeft' ? cur - 1 : e.key === 'Home' ? 0 : e.key === 'End' ? n - 1 : null;
      if (next === null) return;
      e.preventDefault();
      setStep(Math.max(0, Math.min(n - 1, next)));
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [n, setStep]);

  return (
    <div className="compare-view">
      <div className="step-nav" role="group" aria-label="Step through the episodes">
        <button type="button" onClick={() => setStep(0)} disabled={t === 0} title="First step (Home)">
          First
        </button>
        <button type="button" onClick={() => setStep(t - 1)} disabled={t === 0} title="Previous step (←)">
          ◀ Back
        </button>
        <button type="button" onClick={() => setPlaying((p) => !p)} aria-pressed={playing} title="Play / pause (P)">
          {playing ? 'Pause' : 'Play ▶▶'}
        </button>
        <span className="step-counter" data-testid="compare-step" aria-live="polite">
          Step {t + 1} of {n}
        </span>
        <button type="button" onClick={() => setStep(t + 1)} disabled={t === n - 1} title="Next step (→)">
          Forward ▶
        </button>
        <button type="button" onClick={() => setStep(n - 1)} disabled={t === n - 1} title="Last step (End)">
          Last
        </button>
        <span className="kbd-hint">Keys: ← → Home End, P plays</span>
      </div>
      <p className="note">
        Every policy meets the same start and the same noise (common random numbers), so where their paths part, it is because they chose
        differently.
      </p>
      <div className="policy-cards">
        {result.episodes.map((e, i) => (
          <PolicyCard key={e.policy} env={env} nActions={result.nActions} episode={e} beliefs={result.beliefs[i] ?? null} t={t} model={result.model} device={result.devices[e.policy]} />
        ))}
      </div>
      <table className="compare-summary">
        <caption>Whole episode</caption>
        <thead>
          <tr>
            <th scope="col">policy</th>
            <th scope="col">return</th>
            <th scope="col">steps off the oracle</th>
            <th scope="col">actions</th>
          </tr>
        </thead>
        <tbody>
          {result.episodes.map((e) => (
            <tr key={e.policy}>
              <th scope="row">{e.policy}</th>
              <td>{fmt(e.return)}</td>
              <td>{e.steps.filter((s) => !s.agrees).length}</td>
              <td className="action-strip">{e.steps.map((s) => actionName(env, s.action)[0]).join(' ')}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="note">Oracle’s expected return on this task: {fmt(result.oracle.expectedReturn)}; computed in {result.seconds.toFixed(1)} s.</p>
    </div>
  );
}
