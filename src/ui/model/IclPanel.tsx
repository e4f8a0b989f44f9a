/**
 * The Model tab's ICL section: load any ONNX causal LM (a hub id, on the hub address set above —
 * the hub, a mirror or a local test hub) through @huggingface/transformers in the ICL worker, and
 * run in-context-learning episodes with it on the current task. A refused load or a failed run
 * shows why here and changes nothing else (the engine model, tasks and results live elsewhere).
 */
import { useEffect, useState } from 'react';
import type { IclDevice } from '../../models/icl/load.ts';
import { formatBytes } from '../../models/loader/estimate.ts';
import { ERROR_TITLES } from '../../models/loader/errors.ts';
import { isHubId } from '../../models/loader/sources.ts';
import type { LoadEvent } from '../../models/loader/types.ts';
import type { IclProgress } from '../../../workers/api.ts';
import { Help } from '../common/Help.tsx';
import { actionName, duration, fmt } from '../format.ts';
import { DEFAULT_HUB_HOST, type IclChoice, useLab } from '../store.ts';
import { RunProgress } from '../sweep/RunProgress.tsx';
import { Comlink, errorMessage, iclApi, terminateIcl } from '../worker-client.ts';
import { IclResults } from './IclResults.tsx';
import { iclRunRow, idleRun } from './icl-state.ts';
import type { ResultRow } from '../../experiments/types.ts';
import { applyEvent, initialLoad } from './load-state.ts';
import { LoadProgress, type StageLabels } from './LoadStatus.tsx';

const EXAMPLE_ID = 'HuggingFaceTB/SmolLM2-135M-Instruct';
const DTYPES = ['auto', 'fp32', 'fp16', 'q8', 'q4', 'q4f16'];
const STAGES: StageLabels = [
  { id: 'config', label: 'Read config.json (a causal LM?) and list the ONNX files' },
  { id: 'tokenizer', label: 'Tokenizer' },
  { id: 'weights', label: 'ONNX graph (onnx/model*.onnx)' },
  { id: 'building', label: 'Create the onnxruntime session' },
];

export function IclPanel() {
  const choice = useLab((s) => s.iclChoice);
  const hubHost = useLab((s) => s.hubHost);
  const task = useLab((s) => s.task);
  const set = useLab((s) => s.set);
  const { load, info, run } = useLab((s) => s.icl);
  const updateLive = useLab((s) => s.updateLive);
  const [autoDevice, setAutoDevice] = useState<IclDevice | null>(null);

  useEffect(() => {
    let live = true;
    iclApi()
      .device()
      .then((d) => live && setAutoDevice(d))
      .catch(() => live && setAutoDevice('wasm'));
    return () => {
      live = false;
    };
  }, []);

  const edit = (patch: Partial<IclChoice>) => set({ iclChoice: { ...choice, ...patch } });
  const id = choice.hubId.trim();
  const idProblem = id !== '' && !isHubId(id) ? `“${id}” is not a hub id: ids look like owner/name, e.g. ${EXAMPLE_ID}.` : null;
  const loading = load.status === 'loading';
  const running = run.status === 'running';

  const doLoad = async () => {
    if (id === '' || idProblem) return;
    updateLive('icl', { load: { ...initialLoad, status: 'loading', label: id, startedAt: Date.now() } });
    const onEvent = Comlink.proxy((e: LoadEvent) => updateLive('icl', (s) => ({ ...s, load: applyEvent(s.load, e, Date.now()) })));
    try {
      const r = await iclApi().load({ id, remoteHost: hubHost.trim() || DEFAULT_HUB_HOST, dtype: choice.dtype, device: choice.device }, onEvent);
      updateLive('icl', (s) =>
        r.ok
          ? { ...s, load: { ...s.load, status: 'ready', finishedAt: Date.now(), error: null }, info: r.info }
          : { ...s, load: { ...s.load, status: 'failed', finishedAt: Date.now(), error: { kind: r.kind, message: r.message } } },
      );
    } catch (e) {
      updateLive('icl', (s) => ({ ...s, load: { ...s.load, status: 'failed', finishedAt: Date.now(), error: { kind: 'runtime', message: `The ICL worker stopped: ${errorMessage(e)}` } } }));
    }
  };

  const cancelLoad = () => {
    // transformers.js cannot abort a download: stopping the worker is the only way.
    terminateIcl();
    updateLive('icl', (s) => ({
      ...s,
      info: null,
      load: { ...s.load, status: 'failed', finishedAt: Date.now(), error: { kind: 'cancelled', message: `Loading was cancelled (the ICL worker was stopped${s.info ? `, so ${s.info.id} has to be loaded again` : ''}).` } },
    }));
  };

  /** The finished run joins the saved runs (Sweep tab) as an ordinary row, exportable like any sweep's. */
  const keepAsRun = async (row: ResultRow, startedAt: number) => {
    const lab = useLab.getState();
    const id = `icl-${startedAt.toString(36)}`;
    lab.startRun({ id, name: `ICL ${info?.id ?? ''} (Model tab)`, spec: { name: 'model-tab-icl', env: row.env, policies: [row.policy] }, rows: [], status: 'running', startedAt });
    await lab.addRow(id, row);
    lab.finishRun(id, 'done');
  };

  const doRun = async () => {
    if (!task || !info) return;
    const startedAt = Date.now();
    const caption = `${info.id} (${info.dtype}, ${info.device}) on ${task.env}, seed ${task.spec.seed}`;
    updateLive('icl', { run: { ...idleRun, status: 'running', startedAt, caption } });
    const onProgress = Comlink.proxy((p: IclProgress) =>
      updateLive('icl', (s) => ({ ...s, run: { ...s.run, progress: { done: p.done, total: p.total, label: p.label, startedAt, updatedAt: Date.now() }, last: p.last ?? s.run.last } })),
    );
    try {
      const r = await iclApi().run({ spec: task.spec, episodes: choice.episodes }, onProgress);
      const row = r.ok && !r.cancelled ? iclRunRow({ episodes: r.episodes, oracle: r.oracle }, info.id) : null;
      if (row) void keepAsRun(row, startedAt);
      updateLive('icl', (s) => ({
        ...s,
        run: r.ok
          ? { ...s.run, status: r.cancelled ? 'cancelled' : 'done', episodes: r.episodes, oracle: r.oracle, seconds: r.seconds, progress: null, last: null }
          : { ...s.run, status: 'failed', error: r.message, progress: null },
      }));
    } catch (e) {
      updateLive('icl', (s) => ({ ...s, run: { ...s.run, status: 'failed', error: errorMessage(e), progress: null } }));
    }
  };

  return (
    <section className="panel icl-panel" aria-labelledby="icl-title">
      <h2 id="icl-title">In-context learning with an ONNX model</h2>
      <p className="note">
        Any ONNX causal language model from the hub, run by transformers.js (onnxruntime) — models far bigger than the browser could fine-tune. At each step it reads the task's support
        trajectories and the episode so far, scores only the action tokens after <code>&lt;A_t&gt; </code>, and takes the most probable action.
      </p>
      <div className="icl-controls">
        <div className={`field${idProblem ? ' field-invalid' : ''}`}>
          <label htmlFor="icl-hub-id">ONNX repository</label>
          <input
            id="icl-hub-id"
            type="text"
            spellCheck={false}
            placeholder={EXAMPLE_ID}
            value={choice.hubId}
            disabled={loading}
            aria-invalid={idProblem ? true : undefined}
            aria-describedby="icl-hub-id-help"
            onChange={(e) => edit({ hubId: e.target.value })}
            onKeyDown={(e) => {
              if (e.key === 'Enter') void doLoad();
            }}
          />
          <Help id="icl-hub-id-help">A repo with an onnx/ folder (transformers.js layout), read from the hub address under “Advanced” above — e.g. {EXAMPLE_ID}.</Help>
          {idProblem ? <p className="field-error">{idProblem}</p> : null}
        </div>
        <div className="field">
          <label htmlFor="icl-dtype">Weights</label>
          <select id="icl-dtype" value={choice.dtype} disabled={loading} aria-describedby="icl-dtype-help" onChange={(e) => edit({ dtype: e.target.value })}>
            {DTYPES.map((d) => (
              <option key={d} value={d}>
                {d === 'auto' ? 'auto (fp32 if offered)' : d}
              </option>
            ))}
          </select>
          <Help id="icl-dtype-help">Which ONNX file to run: fp32 is exact; q8/q4 are smaller and faster but approximate. Only files the repo has can load.</Help>
        </div>
        <div className="field">
          <label htmlFor="icl-device">Device</label>
          <select id="icl-device" value={choice.device} disabled={loading} aria-describedby="icl-device-help" onChange={(e) => edit({ device: e.target.value as IclChoice['device'] })}>
            <option value="auto">auto{autoDevice ? ` (${autoDevice === 'webgpu' ? 'WebGPU' : 'WebAssembly'} here)` : ''}</option>
            <option value="webgpu">WebGPU</option>
            <option value="wasm">WebAssembly (CPU)</option>
          </select>
          <Help id="icl-device-help">auto: WebGPU when this browser offers a GPU adapter, else WebAssembly on the CPU.</Help>
        </div>
      </div>
      <div className="actions">
        <button type="button" className="primary" disabled={id === '' || !!idProblem || loading || running} onClick={() => void doLoad()}>
          Load ONNX model
        </button>
        {loading ? (
          <button type="button" className="danger" onClick={cancelLoad}>
            Cancel
          </button>
        ) : null}
        {id === '' && !loading ? <span className="note">Type a model id first.</span> : null}
      </div>
      {load.status === 'loading' || load.status === 'ready' ? <LoadProgress s={load} stages={STAGES} testId="icl-download" what="ONNX model loading progress" buildFraction={false} /> : null}
      {load.status === 'failed' && load.error && (
        <div className="error-box" role="alert" data-testid="icl-error">
          <strong data-testid="icl-error-title">{ERROR_TITLES[load.error.kind]}</strong>
          <p>{load.error.message}</p>
          <p className="note">Nothing else changed: the engine model, tasks, episodes and sweep results are as they were{info ? `, and ${info.id} is still loaded for ICL` : ''}.</p>
        </div>
      )}
      {info && (
        <dl className="kv" data-testid="icl-loaded">
          <dt>Loaded</dt>
          <dd data-testid="icl-loaded-id">{info.id}</dd>
          <dt>Weights</dt>
          <dd>
            {info.dtype} ({info.modelType}; the repo offers {info.dtypes.join(', ')}){info.fileBytes ? ` · ${formatBytes(info.fileBytes)}` : ''}
          </dd>
          <dt>Device</dt>
          <dd data-testid="icl-device-used">{info.device === 'webgpu' ? 'WebGPU' : info.device === 'wasm' ? 'WebAssembly (CPU)' : info.device}</dd>
          <dt>KV cache</dt>
          <dd>{info.cached ? 'yes: the prompt is fed in chunks, long actions reuse it' : 'no: every forward recomputes the whole prompt'}</dd>
          <dt>Load time</dt>
          <dd>{duration(info.seconds)}</dd>
        </dl>
      )}

      <h3>Run ICL on the current task</h3>
      {task ? (
        <p className="note" data-testid="icl-task">
          Task: {task.env}, seed {task.spec.seed}, horizon {String(task.params.horizon)} — k = 2 oracle support trajectories, as in the episode stepper. Oracle expected return{' '}
          {fmt(task.oracle.expectedReturn)}.
        </p>
      ) : (
        <p className="note">No task yet: sample one in tab 1 (Task &amp; episode).</p>
      )}
      <div className="actions">
        <div className="field narrow">
          <label htmlFor="icl-episodes">Episodes</label>
          <input
            id="icl-episodes"
            type="number"
            min={1}
            max={50}
            step={1}
            value={choice.episodes}
            disabled={running}
            aria-describedby="icl-episodes-help"
            onChange={(e) => edit({ episodes: Math.min(50, Math.max(1, Math.floor(Number(e.target.value) || 1))) })}
          />
          <Help id="icl-episodes-help">Episodes 0, 1, … of this task (the stepper's noise); every step is one forward pass over the prompt.</Help>
        </div>
        <button type="button" className="primary" disabled={!task || !info || running || loading} onClick={() => void doRun()}>
          Run ICL
        </button>
        {!info ? <span className="note">Load an ONNX model first.</span> : null}
      </div>
      {running && (
        <>
          <RunProgress progress={run.progress} startedAt={run.startedAt} onCancel={() => void iclApi().cancel()} what="ICL progress" unit="decisions" testId="icl-progress" />
          {run.last && task ? (
            <p className="note" aria-live="polite" data-testid="icl-last">
              Episode {run.last.episode}, step {run.last.t}: chose {actionName(task.env, run.last.action)} ({run.last.action}).
            </p>
          ) : null}
        </>
      )}
      {run.status === 'failed' && run.error ? (
        <p className="error-box" role="alert" data-testid="icl-run-error">
          The ICL run failed: {run.error}
        </p>
      ) : null}
      {(run.status === 'done' || run.status === 'cancelled') && <IclResults run={run} />}
    </section>
  );
}
