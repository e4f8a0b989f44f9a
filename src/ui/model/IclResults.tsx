/**
 * What an ICL run gave: the mean return against the oracle's, and the last episode decision by
 * decision — every action's probability at `<A_t> `, the chosen one marked — with the prompt the
 * model read at the last step.
 */
import { actionName, duration, fmt } from '../format.ts';
import { type IclRunState, probText, summarizeReturns } from './icl-state.ts';

export function IclResults({ run }: { run: IclRunState }) {
  const s = summarizeReturns(run.episodes.map((e) => e.episode.return));
  const last = run.episodes.at(-1);
  if (!last) return <p className="note">{run.status === 'cancelled' ? 'Cancelled before the first episode finished.' : 'No episodes.'}</p>;
  const env = last.episode.env;
  const nActions = last.decisions[0]?.logProbs.length ?? 0;
  const lastPrompt = last.decisions.at(-1)?.prompt;
  return (
    <div className="results" data-testid="icl-results">
      <p className={`run-status ${run.status === 'done' ? 'status-done' : ''}`}>
        {run.status === 'cancelled' ? 'Cancelled; ' : ''}
        {s.n} episode{s.n === 1 ? '' : 's'} in {duration(run.seconds)} — {run.caption}
      </p>
      <dl className="kv">
        <dt>Mean return</dt>
        <dd data-testid="icl-mean-return">
          {fmt(s.mean)}
          {s.n > 1 ? ` ± ${fmt(s.half)} (95 %)` : ''}
        </dd>
        <dt>Oracle expected return</dt>
        <dd>{fmt(run.oracle?.expectedReturn)}</dd>
      </dl>
      <div className="table-wrap">
        <table className="rows" data-testid="icl-decisions">
          <caption className="visually-hidden">Decisions of the last episode</caption>
          <thead>
            <tr>
              <th>t</th>
              <th>observation</th>
              {Array.from({ length: nActions }, (_, a) => (
                <th key={a}>
                  p({actionName(env, a)})
                </th>
              ))}
              <th>chosen</th>
              <th>reward</th>
            </tr>
          </thead>
          <tbody>
            {last.decisions.map((d, i) => {
              const step = last.episode.steps[i];
              return (
                <tr key={d.t}>
                  <td>{d.t}</td>
                  <td>{step ? step.obs.join(' ') : ''}</td>
                  {d.logProbs.map((lp, a) => (
                    <td key={a} className={a === d.action ? 'chosen' : undefined} title={`log p = ${lp.toFixed(4)}`} data-testid={`icl-logp-${d.t}-${a}`} data-logp={lp}>
                      {probText(lp)}
                    </td>
                  ))}
                  <td data-testid={`icl-action-${d.t}`}>
                    {actionName(env, d.action)} ({d.action})
                  </td>
                  <td>{step ? fmt(step.reward, 2) : ''}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      <p className="help">Probabilities of each action's tokens at the action slot; the chosen action is the most probable (ties: the lowest index). Last episode shown (episode {last.episode.episode}).</p>
      {lastPrompt ? (
        <details className="json-editor">
          <summary>The prompt at the last step</summary>
          <pre className="prompt-text" data-testid="icl-prompt">
            {lastPrompt}
          </pre>
        </details>
      ) : null}
    </div>
  );
}
