import { parseJsonStrict } from '../../core/spec/json.ts';
import { useState } from 'react';
import { ENV_NAMES, type EnvName } from '../../core/types.ts';
import { BUILTIN_POLICIES } from '../../policies/registry.ts';
import { EXPERIMENT_DEFAULTS } from '../../experiments/spec.ts';
import { EXAMPLES } from './examples.ts';
import { ValuesField } from './ValuesField.tsx';
import { envOf, policiesOf, seriesOf, sweepableParams, sweepOf, withEnv, type SweepSpec } from './sweep-spec.ts';
import { SeriesFields } from './SeriesFields.tsx';

interface Props {
  spec: SweepSpec;
  onChange: (spec: SweepSpec) => void;
  errors: string[];
  disabled: boolean;
}

interface NumberFieldProps {
  id: string;
  label: string;
  help: string;
  value: unknown;
  /** the spec's default, shown while the field is empty (the parser fills it in). */
  fallback: number;
  onChange: (v: number | string | undefined) => void;
  disabled: boolean;
}

function NumberField({ id, label, help, value, fallback, onChange, disabled }: NumberFieldProps) {
  return (
    <div className="field narrow">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        type="text"
        inputMode="numeric"
        value={value === undefined ? '' : String(value)}
        placeholder={`${fallback} (default)`}
        aria-describedby={`${id}-help`}
        disabled={disabled}
        onChange={(e) => {
          const t = e.target.value.trim();
          onChange(t === '' ? undefined : Number.isFinite(Number(t)) ? Number(t) : t);
        }}
      />
      <p id={`${id}-help`} className="help">
        {help}
      </p>
    </div>
  );
}

export function SweepForm({ spec, onChange, errors, disabled }: Props) {
  const env = envOf(spec);
  const sweep = sweepOf(spec);
  const policies = policiesOf(spec);
  const series = seriesOf(spec);
  const [jsonText, setJsonText] = useState<string | null>(null);
  const [jsonError, setJsonError] = useState<string | null>(null);
  const example = EXAMPLES.find((e) => JSON.stringify(e.spec) === JSON.stringify(spec))?.name ?? '';

  // Bumped when the whole spec is replaced, so the values fields re-read their text.
  const [generation, setGeneration] = useState(0);
  const replace = (next: SweepSpec) => {
    setGeneration((g) => g + 1);
    setJsonText(null);
    onChange(next);
  };
  // An undefined value removes the key, so the parser's default applies.
  const patch = (p: SweepSpec) => onChange(Object.fromEntries(Object.entries({ ...spec, ...p }).filter(([, v]) => v !== undefined)));

  return (
    <fieldset className="sweep-form" disabled={disabled}>
      <legend className="visually-hidden">Sweep settings</legend>
      <div className="field">
        <label htmlFor="example-select">Example experiment</label>
        <select
          id="example-select"
          value={example}
          aria-describedby="example-help"
          onChange={(e) => {
            const ex = EXAMPLES.find((x) => x.name === e.target.value);
            if (ex) replace(structuredClone(ex.spec));
          }}
        >
          <option value="">(custom)</option>
          {EXAMPLES.map((e) => (
            <option key={e.name} value={e.name}>
              {e.name}
            </option>
          ))}
        </select>
        <p id="example-help" className="help">
          Start from a ready-made experiment, then edit the fields below.
        </p>
      </div>
      <div className="field">
        <label htmlFor="sweep-env">Environment</label>
        <select id="sweep-env" value={env} onChange={(e) => replace(withEnv(spec, e.target.value as EnvName))}>
          {ENV_NAMES.map((e) => (
            <option key={e} value={e}>
              {e}
            </option>
          ))}
        </select>
      </div>
      <div className="field-row">
        <div className="field narrow">
          <label htmlFor="sweep-param">Swept parameter</label>
          <select id="sweep-param" value={sweep.param} aria-describedby="sweep-param-help" onChange={(e) => patch({ sweep: { param: e.target.value, values: sweep.values } })}>
            {sweepableParams(env).map((k) => (
              <option key={k} value={k}>
                {k}
              </option>
            ))}
          </select>
          <p id="sweep-param-help" className="help">
            The x axis of the chart. trainTasks: how many training tasks sft and dpt learn from (one adapter and one DPT per value).
          </p>
        </div>
        <ValuesField
          key={generation}
          id="sweep-values"
          label="Values"
          values={sweep.values}
          help="Comma-separated, e.g. 5, 10, 20."
          onChange={(values) => patch({ sweep: { param: sweep.param, values } })}
        />
      </div>
      <SeriesFields
        key={`${generation}:${sweep.param}:${series?.param ?? ''}`}
        series={series}
        params={sweepableParams(env).filter((k) => k !== sweep.param)}
        onChange={(next) => patch({ series: next })}
      />
      <div className="field-row">
        <NumberField
          id="sweep-tasks"
          label="Test tasks"
          help="Tasks drawn from the task distribution (e.g. p ~ U(0.3, 0.9)) to evaluate on. More tasks: narrower intervals, longer run."
          value={spec.testTasks}
          fallback={EXPERIMENT_DEFAULTS.testTasks}
          onChange={(v) => patch({ testTasks: v })}
          disabled={disabled}
        />
        <NumberField
          id="sweep-episodes"
          label="Episodes per task"
          help="Evaluation episodes per test task (APOMDP: per model); returns are averaged over them."
          value={spec.episodes}
          fallback={EXPERIMENT_DEFAULTS.episodes}
          onChange={(v) => patch({ episodes: v })}
          disabled={disabled}
        />
      </div>
      <NumberField
        id="sweep-support"
        label="Support trajectories (k)"
        help="Example episodes of the same test task, played by the oracle, that a few-shot policy sees before acting. The oracle and random ignore them."
        value={spec.support}
        fallback={EXPERIMENT_DEFAULTS.support}
        onChange={(v) => patch({ support: v })}
        disabled={disabled}
      />
      <fieldset className="checkboxes">
        <legend>Policies</legend>
        {/* sft and dpt train one model per sweep point (progress on the bar; the Train tab has the loss chart). */}
        {BUILTIN_POLICIES.map((f) => (
          <label key={f.name} title={f.description}>
            <input
              type="checkbox"
              checked={policies.includes(f.name)}
              onChange={(e) => patch({ policies: e.target.checked ? [...policies, f.name] : policies.filter((p) => p !== f.name) })}
            />{' '}
            {f.name}
            <span className="help inline"> — {f.description}</span>
          </label>
        ))}
      </fieldset>
      {errors.length > 0 && (
        <ul className="field-error" role="alert" aria-label="Problems with the sweep spec">
          {errors.map((e) => (
            <li key={e}>{e}</li>
          ))}
        </ul>
      )}
      <details className="json-editor">
        <summary>Full spec (JSON)</summary>
        <label htmlFor="spec-json" className="visually-hidden">
          Experiment spec as JSON
        </label>
        <textarea
          id="spec-json"
          rows={12}
          spellCheck={false}
          value={jsonText ?? JSON.stringify(spec, null, 2)}
          onChange={(e) => {
            setJsonText(e.target.value);
            try {
              const parsed: unknown = parseJsonStrict(e.target.value, 'the spec');
              if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('the spec must be a JSON object');
              setJsonError(null);
              setGeneration((g) => g + 1);
              onChange(parsed as SweepSpec);
            } catch (err) {
              setJsonError(err instanceof Error ? err.message : String(err));
            }
          }}
        />
        {jsonError && (
          <p className="field-error" role="alert">
            {jsonError}
          </p>
        )}
      </details>
    </fieldset>
  );
}
