import { useEffect, useState } from 'react';
import { useLab } from '../store.ts';
import { THEORY_DEFAULTS, type CurvePoint, type TheorySettings } from '../../core/theory/index.ts';
import { Term } from '../common/Help.tsx';
import { errorMessage } from '../worker-client.ts';
import { RegretChart } from './RegretChart.tsx';
import { LsaTrainingSection } from './LsaTrainingSection.tsx';
import { SLIDERS, sliderIndex } from './sliders.ts';
import { theoryApi } from './theory-client.ts';
import { useLsaTraining } from './use-lsa-training.ts';

/** Sliders fire on every step of a drag; the simulation waits for this pause. */
const DEBOUNCE_MS = 120;

const fmt = (v: number) => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2));

export function TheoryPanel() {
  const settings = useLab((s) => s.theory);
  const set = useLab((s) => s.set);
  const setSettings = (f: (old: TheorySettings) => TheorySettings) => set({ theory: f(useLab.getState().theory) });
  const [points, setPoints] = useState<CurvePoint[]>([]);
  const [error, setError] = useState<string | null>(null);
  const training = useLsaTraining(settings);
  // The trained layer joins the curve when training pauses (not on every chunk: a curve costs a simulation).
  const trained = training.running ? null : training.matrix;

  useEffect(() => {
    let stale = false;
    const timer = setTimeout(() => {
      theoryApi()
        .curve(settings, trained ?? undefined)
        .then((p) => !stale && (setPoints(p), setError(null)))
        .catch((e: unknown) => !stale && setError(errorMessage(e)));
    }, DEBOUNCE_MS);
    return () => {
      stale = true;
      clearTimeout(timer);
    };
  }, [settings, trained]);

  const here = points.find((p) => p.n === settings.n);
  const pct = (v: number) => (here ? `${fmt((100 * v) / here.optimalReturn)} %` : '…');

  return (
    <div className="layout theory-layout">
      <section className="panel" aria-labelledby="theory-heading">
        <h2 id="theory-heading">Theory: why in-context learning works in a linear MDP</h2>
        <p className="help">
          Each step the agent sees {settings.actions} actions, each a random feature vector φ, and earns ⟨φ, w⟩ for the one it picks; w is
          unknown and differs per task. A single linear self-attention (LSA) layer reads n examples (φ, Q-value) of the task and
          estimates ŷ = φᵀ Γ⁻¹ (1/n) Σ φᵢ yᵢ. The agent then picks the action with the highest estimate.
        </p>
        <Term term="Γ">
          Γ = (1 + 1/N) Λ + tr(Λ)/N · I, where Λ is the features’ covariance and N the prompt length the layer was trained on. It is what
          an LSA layer trained on such prompts converges to; train one below and watch it get there.
        </Term>
        {SLIDERS.map((s) => {
          const id = `theory-${s.key}`;
          const value = settings[s.key];
          return (
            <div className="field slider-field" key={s.key}>
              <label htmlFor={id}>
                {s.label}: <output htmlFor={id} data-testid={`${id}-value`}>{value}</output>
              </label>
              <input
                id={id}
                type="range"
                min={0}
                max={s.values.length - 1}
                step={1}
                value={sliderIndex(s.values, value)}
                aria-valuetext={`${s.label} ${value}`}
                aria-describedby={`${id}-help`}
                onChange={(e) => setSettings((old) => ({ ...old, [s.key]: s.values[Number(e.target.value)]! }))}
              />
              <p id={`${id}-help`} className="help">
                {s.help}
              </p>
            </div>
          );
        })}
        <div className="actions">
          <button type="button" onClick={() => setSettings(() => ({ ...THEORY_DEFAULTS }))}>
            Reset sliders
          </button>
        </div>
      </section>

      <section className="panel results" aria-labelledby="theory-results-heading">
        <h2 id="theory-results-heading">Gap against the bound</h2>
        {error && (
          <p className="field-error" role="alert">
            {error}
          </p>
        )}
        <dl className="kv theory-numbers" aria-live="polite">
          <dt>Simulated regret at n = {settings.n}</dt>
          <dd data-testid="theory-regret">
            {here ? `${pct(here.closedForm.mean)} [${pct(here.closedForm.low)}, ${pct(here.closedForm.high)}]` : '…'} of the oracle’s return ({settings.tasks} tasks, 95 % interval)
          </dd>
          <dt>Bound</dt>
          <dd data-testid="theory-bound">
            {here ? `${pct(here.bound)} = ${pct((here.bound * here.terms.estimation) / (here.terms.estimation + here.terms.bias))} estimation (shrinks with n) + ${pct((here.bound * here.terms.bias) / (here.terms.estimation + here.terms.bias))} training-length bias (shrinks with N)` : '…'}
          </dd>
          {here?.trained && (
            <>
              <dt>Trained layer</dt>
              <dd data-testid="theory-trained">{`${pct(here.trained.mean)} [${pct(here.trained.low)}, ${pct(here.trained.high)}]`}</dd>
            </>
          )}
        </dl>
        <RegretChart points={points} n={settings.n} />
        <p className="chart-caption">
          Both axes are logarithmic, so the estimation term is a straight line of slope −½. The bound holds in expectation and is loose by
          design (it covers every task distribution with this covariance); what it predicts is the shape: more support pairs always help,
          and a short training length N adds a bias that a longer one removes.
        </p>
        <LsaTrainingSection training={training} />
      </section>
    </div>
  );
}
