import { useMemo } from 'react';
import { useLab, type SweepRun } from '../store.ts';
import { Term } from '../common/Help.tsx';
import { duration } from '../format.ts';
import { EXAMPLES } from './examples.ts';
import { GapChart } from './GapChart.tsx';
import { RowsTable } from './RowsTable.tsx';
import { RunProgress } from './RunProgress.tsx';
import { cancelSweep, startSweep } from './runner.ts';
import { SavedData } from './SavedData.tsx';
import { SweepForm } from './SweepForm.tsx';
import { policiesOf, seriesOf, sweepOf, type SweepSpec } from './sweep-spec.ts';
import { validateSweep } from './validate.ts';

const STATUS_TEXT: Record<SweepRun['status'], string> = {
  running: 'running',
  done: 'finished',
  cancelled: 'cancelled — partial results',
  failed: 'failed — partial results',
  interrupted: 'interrupted by a reload — partial results',
};

function runLabel(r: SweepRun): string {
  const when = new Date(r.startedAt).toLocaleTimeString();
  return `${r.name} · ${when} · ${r.rows.length} rows · ${STATUS_TEXT[r.status]}`;
}

export function SweepPanel() {
  const stored = useLab((s) => s.sweepSpec);
  const runs = useLab((s) => s.runs);
  const activeRunId = useLab((s) => s.activeRunId);
  const progress = useLab((s) => s.progress);
  const set = useLab((s) => s.set);
  const deleteRun = useLab((s) => s.deleteRun);
  const notice = useLab((s) => s.sweepNotice);
  const loaded = useLab((s) => s.savedLoaded);
  const linkGeneration = useLab((s) => s.linkGeneration);

  const spec: SweepSpec = stored ?? structuredClone(EXAMPLES[0]!.spec);
  const errors = useMemo(() => validateSweep(spec), [spec]);
  const running = runs.find((r) => r.status === 'running');
  const active = runs.find((r) => r.id === activeRunId) ?? runs[0];
  const activeSweep = active ? sweepOf(active.spec as SweepSpec) : sweepOf(spec);

  return (
    <div className="layout sweep-layout">
      <section className="panel" aria-labelledby="sweep-heading">
        <h2 id="sweep-heading">Sweep experiment</h2>
        <p className="help">
          Evaluates each policy on freshly drawn test tasks at every value of one parameter and plots how far it falls short of the oracle.
        </p>
        {/* A new link remounts the form, whose values box keeps its text in local state. */}
        <SweepForm key={linkGeneration} spec={spec} onChange={(next) => set({ sweepSpec: next })} errors={errors} disabled={running !== undefined} />
        <div className="actions">
          <button type="button" className="primary" disabled={running !== undefined || errors.length > 0} onClick={() => void startSweep(spec)}>
            Run sweep
          </button>
        </div>
      </section>

      <section className="panel results" aria-labelledby="results-heading">
        <h2 id="results-heading">Results</h2>
        <Term term="optimality gap">
          (R* − R^π) / R*: the share of the oracle's return that the policy loses, averaged over test tasks. 0 % means as good as the optimal policy;
          100 % means it earns nothing of what the oracle earns. Error bars are 95 % intervals over the test tasks.
        </Term>
        {notice && (
          <p className="error-box" role="alert">
            {notice} Earlier results are kept below.
          </p>
        )}
        {running && <RunProgress progress={progress} startedAt={running.startedAt} onCancel={cancelSweep} />}
        {runs.length > 0 && (
          <div className="field run-picker">
            <label htmlFor="run-select">Showing run</label>
            <div className="inline-controls">
              <select id="run-select" value={active?.id ?? ''} onChange={(e) => set({ activeRunId: e.target.value })}>
                {runs.map((r) => (
                  <option key={r.id} value={r.id}>
                    {runLabel(r)}
                  </option>
                ))}
              </select>
              {active && active.status !== 'running' && (
                <button type="button" onClick={() => deleteRun(active.id)}>
                  Delete run
                </button>
              )}
            </div>
          </div>
        )}
        {active ? (
          <>
            <p className={`run-status status-${active.status}`} role="status" data-testid="run-status">
              {STATUS_TEXT[active.status]}
              {active.summary ? ` in ${duration(active.summary.seconds)}` : ''} · {active.rows.length} rows
              {active.error ? `: ${active.error}` : ''}
            </p>
            <GapChart rows={active.rows} param={activeSweep.param} values={activeSweep.values} policies={policiesOf(active.spec as SweepSpec)} series={seriesOf(active.spec as SweepSpec)} />
            <RowsTable rows={active.rows} param={activeSweep.param} series={seriesOf(active.spec as SweepSpec)?.param} />
          </>
        ) : loaded ? (
          <p className="note">No results yet: pick an experiment and press Run sweep. Rows appear in the chart as they are computed.</p>
        ) : (
          <p className="note">Reading saved runs…</p>
        )}
        <SavedData />
      </section>
    </div>
  );
}
