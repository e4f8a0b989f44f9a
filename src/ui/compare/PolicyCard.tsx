import type { ComparedEpisode } from '../../experiments/compare.ts';
import type { EnvName } from '../../core/types.ts';
import { actionName, fmt } from '../format.ts';

interface Props {
  env: EnvName;
  nActions: number;
  episode: ComparedEpisode;
  /** the policy's beliefs[t][m][s] (energy POMDP/APOMDP), null otherwise. */
  beliefs: (number[] | null)[][] | null;
  t: number;
  /** the model that generated the episode, whose belief is shown. */
  model: number;
  device?: string;
}

const showObs = (env: EnvName, o: number[]) => (env === 'darkroom' ? `(${o[0]}, ${o[1]})` : `level ${o[0]}`);

/** One policy at step t: what it saw, believed and preferred, what it did, and whether the oracle agrees. */
export function PolicyCard({ env, nActions, episode, beliefs, t, model, device }: Props) {
  const steps = episode.steps;
  const s = steps[Math.min(t, steps.length - 1)]!;
  const disagree = !s.agrees;
  const disagreements = steps.slice(0, t + 1).filter((x) => !x.agrees).length;
  const belief = beliefs?.[t]?.[model] ?? null;
  return (
    <article className={`policy-card${disagree ? ' disagrees' : ''}`} aria-label={`${episode.policy} at step ${t + 1}`} data-testid={`card-${episode.policy}`}>
      <h3>
        {episode.policy}
        {device && <span className="device"> · {device}</span>}
      </h3>
      <dl className="kv">
        {(env === 'energy-pomdp' || env === 'energy-apomdp') && (
          <>
            <dt title="The true battery level, hidden from the policy.">True level</dt>
            <dd>level {episode.latent[Math.min(t, steps.length - 1)]}</dd>
          </>
        )}
        <dt>Observation</dt>
        <dd>{showObs(env, s.obs)}</dd>
        {belief && (
          <>
            <dt title="Probability of each battery level given what this policy saw and did so far.">Belief</dt>
            <dd>
              <span className="belief-strip" aria-label={`belief ${belief.map((b) => b.toFixed(2)).join(', ')}`}>
                {belief.map((b, i) => (
                  <span key={i} style={{ opacity: 0.15 + 0.85 * b }} title={`level ${i}: ${b.toFixed(2)}`} />
                ))}
              </span>
            </dd>
          </>
        )}
        <dt>Return so far</dt>
        <dd data-testid={`return-${episode.policy}`}>{fmt(s.cumulative)}</dd>
        <dt>Off the oracle</dt>
        <dd>
          {disagreements} of {t + 1} steps
        </dd>
      </dl>
      <ul className="action-probs" aria-label="Action probabilities">
        {Array.from({ length: nActions }, (_, a) => {
          const p = s.probabilities?.[a];
          const chosen = a === s.action;
          const oracle = s.oracleEquivalents.includes(a);
          return (
            <li key={a} className={`${chosen ? 'chosen' : ''}${oracle ? ' oracle' : ''}`}>
              <span className="name">{actionName(env, a)}</span>
              <span className="prob-bar" aria-hidden="true">
                <span style={{ width: `${100 * (p ?? (chosen ? 1 : 0))}%` }} />
              </span>
              <span className="value">{p === undefined ? (chosen ? 'rule' : '') : p.toFixed(2)}</span>
              <span className="marks">
                {chosen && <strong>chosen</strong>}
                {oracle && <em>{chosen ? ' = oracle' : 'oracle'}</em>}
              </span>
            </li>
          );
        })}
      </ul>
      {disagree && (
        <p className="badge warn" role="note">
          The oracle would {actionName(env, s.oracleAction)} here
        </p>
      )}
    </article>
  );
}
