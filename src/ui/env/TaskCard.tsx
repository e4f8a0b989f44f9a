import { useMemo } from 'react';
import { useLab } from '../store.ts';
import { fmt } from '../format.ts';
import { validateDraft } from './param-form.ts';

/** What the sampled task is and what the oracle can achieve on it. */
export function TaskCard() {
  const task = useLab((s) => s.task);
  const env = useLab((s) => s.env);
  const draft = useLab((s) => s.drafts[s.env]);
  const seed = useLab((s) => s.seed);
  const current = useMemo(() => validateDraft(env, draft, seed), [env, draft, seed]);
  if (!task) {
    return (
      <div className="task-card empty" role="region" aria-label="Sampled task">
        <p className="note">
          No task yet. Choose an environment and its parameters on the left, then press <strong>Sample task</strong>. The oracle (the optimal policy)
          is computed in the background.
        </p>
      </div>
    );
  }
  const noisy = task.env === 'energy-pomdp' || task.env === 'energy-apomdp';
  const stale = current.resolved !== null && JSON.stringify(current.spec) !== JSON.stringify(task.spec);
  return (
    <div className="task-card" role="region" aria-label="Sampled task">
      <h2>
        Task: <code>{task.env}</code>, seed {task.spec.seed}
      </h2>
      <dl className="kv inline-kv">
        <dt>Oracle expected return</dt>
        <dd data-testid="oracle-return">{fmt(task.oracle.expectedReturn)}</dd>
        {noisy && task.oracle.upperBound !== undefined && (
          <>
            <dt title="Expected return of an agent that sees the true level: no policy that only sees noisy observations can beat it.">
              Upper bound (level visible)
            </dt>
            <dd data-testid="oracle-bound">{fmt(task.oracle.upperBound)}</dd>
          </>
        )}
        <dt>Solved by</dt>
        <dd>
          {task.oracle.method} in {fmt(task.oracle.seconds, 2)} s
        </dd>
        {task.nModels > 1 && (
          <>
            <dt>Models</dt>
            <dd>{task.nModels}</dd>
          </>
        )}
      </dl>
      {stale && (
        <p className="note" role="status">
          The form on the left has changed since this task was sampled; press <strong>Sample task</strong> to use the new values.
        </p>
      )}
    </div>
  );
}
