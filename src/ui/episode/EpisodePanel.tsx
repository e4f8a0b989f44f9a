import { useEffect, useState } from 'react';
import { useLab } from '../store.ts';
import { errorMessage, solverApi } from '../worker-client.ts';
import type { PolicyInfo } from '../../../workers/api.ts';
import { Stepper } from './Stepper.tsx';
import { fmt } from '../format.ts';
import { TaskCard } from '../env/TaskCard.tsx';

const POLICY_HELP: Record<string, string> = {
  oracle: 'The optimal policy, computed from the true task (it knows the hidden parameters).',
  random: 'Picks an action uniformly at random: the baseline every policy should beat.',
  'support-copy': 'Copies what the support trajectories (oracle demonstrations on this task) did in the most similar situation.',
  'ce-planning': 'Estimates the hidden parameters from the support trajectories, then plans as if the estimate were true (certainty equivalence).',
};
const FALLBACK_POLICIES: PolicyInfo[] = ['oracle', 'random', 'support-copy', 'ce-planning'].map((name) => ({ name, privileged: name === 'oracle' }));

export function EpisodePanel() {
  const task = useLab((s) => s.task);
  const policy = useLab((s) => s.policy);
  const episodeIndex = useLab((s) => s.episodeIndex);
  const trueModel = useLab((s) => s.trueModel);
  const episode = useLab((s) => s.episode);
  const busy = useLab((s) => s.episodeBusy);
  const error = useLab((s) => s.episodeError);
  const set = useLab((s) => s.set);
  const [policies, setPolicies] = useState<PolicyInfo[]>(FALLBACK_POLICIES);

  useEffect(() => {
    solverApi()
      .policies()
      .then((p) => {
        if (p.length > 0) setPolicies(p);
      })
      .catch(() => undefined); // the fallback list is fine; running will report the real error
  }, []);

  const run = async () => {
    if (!task) return;
    // The person's own episode replaces one a link is still computing.
    set({ episodeBusy: true, episodeError: null, linkRestore: null });
    try {
      const view = await solverApi().runEpisode({
        spec: task.spec,
        policy,
        episode: episodeIndex,
        model: trueModel === 'drawn' || task.nModels <= 1 ? undefined : Math.min(trueModel, task.nModels - 1),
      });
      set({ episode: view, step: 0, episodeBusy: false });
    } catch (e) {
      set({ episodeBusy: false, episodeError: errorMessage(e) });
    }
  };

  return (
    <section className="panel episode-panel" aria-labelledby="episode-heading">
      <TaskCard />
      <h2 id="episode-heading">Episode</h2>
      <div className="episode-controls">
        <div className="field">
          <label htmlFor="policy-select">Policy</label>
          <select id="policy-select" value={policy} aria-describedby="policy-help" onChange={(e) => set({ policy: e.target.value })}>
            {policies.map((p) => (
              <option key={p.name} value={p.name}>
                {p.name}
              </option>
            ))}
          </select>
          <p id="policy-help" className="help">
            {POLICY_HELP[policy] ?? ''}
          </p>
        </div>
        <div className="field narrow">
          <label htmlFor="episode-index">Episode #</label>
          <input
            id="episode-index"
            type="number"
            min={0}
            step={1}
            value={episodeIndex}
            aria-describedby="episode-index-help"
            onChange={(e) => set({ episodeIndex: Math.max(0, Math.floor(Number(e.target.value) || 0)) })}
          />
          <p id="episode-index-help" className="help">
            Each number gives different (seeded) random outcomes.
          </p>
        </div>
        {task && task.nModels > 1 && (
          <div className="field narrow">
            <label htmlFor="true-model">True model</label>
            <select
              id="true-model"
              value={String(trueModel)}
              aria-describedby="true-model-help"
              onChange={(e) => set({ trueModel: e.target.value === 'drawn' ? 'drawn' : Number(e.target.value) })}
            >
              <option value="drawn">drawn from the set</option>
              {Array.from({ length: task.nModels }, (_, m) => (
                <option key={m} value={m}>
                  model {m + 1}
                </option>
              ))}
            </select>
            <p id="true-model-help" className="help">
              Which model of the ambiguity set generates this episode.
            </p>
          </div>
        )}
        <div className="actions">
          <button type="button" className="primary" onClick={() => void run()} disabled={!task || busy}>
            {busy ? 'Running…' : 'Run episode'}
          </button>
        </div>
      </div>
      {error && (
        <p className="error-box" role="alert">
          The episode failed: {error}
        </p>
      )}
      {task?.env === 'energy-apomdp' && (
        <p className="definition" data-testid="apomdp-definition">
          <strong>How APOMDP policies are scored.</strong> R^π = α·min<sub>m</sub> R̄<sub>m</sub> + (1−α)·max<sub>m</sub> R̄<sub>m</sub> over per-model mean
          returns (30 episodes per model); the same for R*. Here α = {fmt(Number(task.params.alpha), 2)}.
        </p>
      )}
      {episode && <Stepper episode={episode} />}
    </section>
  );
}
