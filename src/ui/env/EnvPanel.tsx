import { useMemo } from 'react';
import { ENV_NAMES, type EnvName } from '../../core/types.ts';
import { useLab } from '../store.ts';
import { errorMessage, solverApi } from '../worker-client.ts';
import { ENV_LABELS, fieldsOf, validateDraft } from './param-form.ts';
import { ParamField } from './ParamField.tsx';

export function EnvPanel() {
  const env = useLab((s) => s.env);
  const drafts = useLab((s) => s.drafts);
  const seed = useLab((s) => s.seed);
  const lastValid = useLab((s) => s.lastValid);
  const taskBusy = useLab((s) => s.taskBusy);
  const taskError = useLab((s) => s.taskError);
  const set = useLab((s) => s.set);
  const setDraftField = useLab((s) => s.setDraftField);

  const draft = drafts[env];
  const validation = useMemo(() => validateDraft(env, draft, seed), [env, draft, seed]);
  const invalid = validation.resolved === null;
  // While the form has errors, the last valid spec stays in force; it must be for this environment.
  const usable = invalid ? (lastValid?.env === env ? lastValid : null) : validation.spec;

  // Remember the spec whenever an edit leaves the form valid, so a later typo cannot lose it.
  const remember = (nextEnv: EnvName, nextDraft: Record<string, string>, nextSeed: string) => {
    const v = validateDraft(nextEnv, nextDraft, nextSeed);
    if (v.resolved) set({ lastValid: v.spec });
  };

  const sample = async () => {
    if (!usable) return;
    // The person's own task replaces one a link is still computing.
    set({ taskBusy: true, taskError: null, linkRestore: null });
    try {
      const task = await solverApi().sampleTask(usable);
      set({ task, taskBusy: false, episode: null, step: 0, episodeError: null });
    } catch (e) {
      set({ taskBusy: false, taskError: errorMessage(e) });
    }
  };

  return (
    <section className="panel env-panel" aria-labelledby="env-heading">
      <h2 id="env-heading">Set up a task</h2>
      <div className="field">
        <label htmlFor="env-select">Environment</label>
        <select
          id="env-select"
          value={env}
          aria-describedby="env-help"
          onChange={(e) => {
            const next = e.target.value as EnvName;
            set({ env: next });
            remember(next, drafts[next], seed);
          }}
        >
          {ENV_NAMES.map((e) => (
            <option key={e} value={e}>
              {e}
            </option>
          ))}
        </select>
        <p id="env-help" className="help">
          {ENV_LABELS[env]}
        </p>
      </div>

      <form
        className="param-grid"
        aria-label={`${env} parameters`}
        onSubmit={(e) => {
          e.preventDefault();
          void sample();
        }}
      >
        {fieldsOf(env).map((key) => (
          <ParamField
            key={`${env}-${key}`}
            name={key}
            value={draft[key] ?? ''}
            errors={validation.errors[key]}
            onChange={(value) => {
              setDraftField(env, key, value);
              remember(env, { ...draft, [key]: value }, seed);
            }}
          />
        ))}
        <div className={`field${validation.errors.seed ? ' field-invalid' : ''}`}>
          <label htmlFor="seed">Seed</label>
          <input
            id="seed"
            type="text"
            inputMode="numeric"
            value={seed}
            aria-invalid={validation.errors.seed !== undefined}
            aria-describedby="seed-help"
            onChange={(e) => {
              set({ seed: e.target.value });
              remember(env, draft, e.target.value);
            }}
          />
          <p id="seed-help" className="help">
            Same seed → same task and same random draws, on every machine.
          </p>
          {validation.errors.seed && (
            <p className="field-error" role="alert">
              {validation.errors.seed.join('; ')}
            </p>
          )}
        </div>
        {validation.errors[''] && (
          <p className="field-error" role="alert">
            {validation.errors[''].join('; ')}
          </p>
        )}
        <div className="actions">
          <button type="submit" className="primary" disabled={!usable || taskBusy}>
            {taskBusy ? 'Solving…' : 'Sample task'}
          </button>
          {invalid && (
            <p className="note" role="status">
              {usable ? 'Fix the marked field; until then the last valid values are used.' : 'Fix the marked field to sample a task.'}
            </p>
          )}
        </div>
      </form>
      {taskError && (
        <p className="error-box" role="alert">
          Could not sample the task: {taskError}
        </p>
      )}
    </section>
  );
}
