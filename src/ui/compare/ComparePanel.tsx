import { useLab } from '../store.ts';
import { Term } from '../common/Help.tsx';
import { CompareView } from './CompareView.tsx';
import { COMPARE_POLICIES, type CompareSettings } from './compare-settings.ts';
import { chosenArtifact, runCompare } from './compare-runner.ts';

const POLICY_HELP: Record<(typeof COMPARE_POLICIES)[number], string> = {
  icl: 'the language model reading two example episodes of this task in its prompt (no training)',
  sft: 'the same model after fine-tuning (QLoRA) on other tasks of this family',
  dpt: 'a small transformer trained from scratch on those tasks',
  oracle: 'the optimal policy, computed from the hidden task',
  random: 'a uniformly random action each step',
  'support-copy': 'repeats what the example episodes did at the same observation',
};

export function ComparePanel() {
  const settings = useLab((s) => s.compare);
  const task = useLab((s) => s.task);
  const artifacts = useLab((s) => s.artifacts);
  const run = useLab((s) => s.compareRun);
  const result = useLab((s) => s.compareResult);
  const set = useLab((s) => s.set);
  const update = (patch: Partial<CompareSettings>) => set({ compare: { ...settings, ...patch } });
  const adapters = artifacts.filter((a) => a.kind === 'sft-adapter');
  const dpts = artifacts.filter((a) => a.kind === 'dpt-model');
  const adapter = chosenArtifact(artifacts, 'sft-adapter', settings.adapterId);
  const dpt = chosenArtifact(artifacts, 'dpt-model', settings.dptId);
  const stale = result !== null && task !== null && JSON.stringify(result.spec) !== JSON.stringify(task.spec);

  return (
    <div className={`layout compare-layout${settings.large ? ' large-type' : ''}`}>
      <section className="panel" aria-labelledby="compare-heading">
        <h2 id="compare-heading">Compare policies step by step</h2>
        <p className="help">
          The policies play the same episode of the task from tab 1, one beside the other: same start, same noise. Step through it and see
          where each one departs from the oracle.
        </p>
        <p className="note" data-testid="compare-task">
          {task ? `Task: ${task.env}, seed ${task.spec.seed}, horizon ${String(task.params.horizon ?? '—')}.` : 'No task yet: sample one on tab 1.'}
        </p>
        <fieldset className="checkboxes">
          <legend>Policies</legend>
          {COMPARE_POLICIES.map((p) => (
            <label key={p}>
              <input
                type="checkbox"
                checked={settings.policies.includes(p)}
                onChange={(e) => update({ policies: e.target.checked ? COMPARE_POLICIES.filter((x) => x === p || settings.policies.includes(x)) : settings.policies.filter((x) => x !== p) })}
              />{' '}
              <strong>{p}</strong> <span className="help inline">— {POLICY_HELP[p]}</span>
            </label>
          ))}
        </fieldset>
        <div className="field">
          <label htmlFor="compare-adapter">Adapter for sft</label>
          <select id="compare-adapter" value={adapter?.id ?? ''} onChange={(e) => update({ adapterId: e.target.value || null })} aria-describedby="compare-adapter-help">
            {adapters.length === 0 && <option value="">none trained yet</option>}
            {adapters.map((a) => (
              <option key={a.id} value={a.id}>
                {a.runName} · {a.label}
              </option>
            ))}
          </select>
          <p id="compare-adapter-help" className="help">
            LoRA adapters that sweeps trained and kept in this browser (tab 2). Use one trained on this environment and horizon.
          </p>
        </div>
        <div className="field">
          <label htmlFor="compare-dpt">Model for dpt</label>
          <select id="compare-dpt" value={dpt?.id ?? ''} onChange={(e) => update({ dptId: e.target.value || null })} aria-describedby="compare-dpt-help">
            {dpts.length === 0 && <option value="">none trained yet</option>}
            {dpts.map((a) => (
              <option key={a.id} value={a.id}>
                {a.runName} · {a.label}
              </option>
            ))}
          </select>
          <p id="compare-dpt-help" className="help">
            Decision-Pretrained Transformers that sweeps trained; it must match the environment and horizon of the task.
          </p>
        </div>
        <div className="field">
          <label htmlFor="compare-episode">Episode</label>
          <input id="compare-episode" type="number" min={0} max={9999} value={settings.episode} aria-describedby="compare-episode-help" onChange={(e) => update({ episode: Math.max(0, Math.min(9999, Math.floor(Number(e.target.value) || 0))), step: 0 })} />
          <p id="compare-episode-help" className="help">
            Each number gives another start and other noise, the same for every policy.
          </p>
        </div>
        <label className="inline-check">
          <input type="checkbox" checked={settings.large} onChange={(e) => update({ large: e.target.checked })} /> Large type (for a projector)
        </label>
        <Term term="action probabilities">
          What each policy thought of every action at this step: a language model’s probabilities over the action tokens, the DPT’s softmax.
          The oracle and the rule-based policies have none; their bar marks the action they take.
        </Term>
        <div className="actions">
          <button type="button" className="primary" disabled={run.status === 'running' || settings.policies.length === 0} onClick={() => void runCompare()}>
            {run.status === 'running' ? 'Running…' : 'Run comparison'}
          </button>
        </div>
        {run.status === 'running' && (
          <p className="note" role="status">
            <progress aria-label="Running the episodes" /> Playing {settings.policies.length} policies; language models run on this device.
          </p>
        )}
        {run.error && (
          <p className="field-error" role="alert">
            {run.error}
          </p>
        )}
      </section>
      <section className="panel results" aria-labelledby="compare-results-heading">
        <h2 id="compare-results-heading">Side by side</h2>
        {stale && <p className="note">The task on tab 1 changed since this comparison; run it again to compare on the new one.</p>}
        {result ? (
          <CompareView env={result.spec.env} result={result} step={settings.step} setStep={(t) => update({ step: t })} />
        ) : (
          <p className="note">Choose the policies and run the comparison.</p>
        )}
      </section>
    </div>
  );
}
