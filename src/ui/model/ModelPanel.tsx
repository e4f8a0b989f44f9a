/**
 * The Model tab: choose the shipped model or a hub id, load it in the model worker with
 * progress, and see what it costs. A refused load shows why and changes nothing else. Below,
 * TryModel runs the loaded model on a prompt, and IclPanel runs in-context learning with any
 * ONNX causal LM through transformers.js.
 */
import { useEffect, useState } from 'react';
import { DEFAULT_LIMITS, formatBytes, formatCount } from '../../models/loader/estimate.ts';
import { isHubId } from '../../models/loader/sources.ts';
import type { LoadEvent, ModelSource } from '../../models/loader/types.ts';
import type { ModelBackendInfo } from '../../../workers/api.ts';
import { Help } from '../common/Help.tsx';
import { DEFAULT_HUB_HOST, useLab } from '../store.ts';
import { Comlink, errorMessage, modelApi } from '../worker-client.ts';
import { applyEvent, initialLoad } from './load-state.ts';
import { IclPanel } from './IclPanel.tsx';
import { LoadStatus } from './LoadStatus.tsx';
import { TryModel } from './TryModel.tsx';
import { fetchManifest, type ManifestState } from './manifest.ts';

const EXAMPLE_ID = 'HuggingFaceTB/SmolLM2-135M';

export function ModelPanel() {
  const choice = useLab((s) => s.modelChoice);
  const hubHost = useLab((s) => s.hubHost);
  const lastModel = useLab((s) => s.lastModel);
  const set = useLab((s) => s.set);
  const status = useLab((s) => s.modelLoad.status);
  const updateLive = useLab((s) => s.updateLive);
  const [manifest, setManifest] = useState<ManifestState>({ state: 'loading' });
  const [backend, setBackend] = useState<ModelBackendInfo | null>(null);

  useEffect(() => {
    let live = true;
    void fetchManifest().then((m) => live && setManifest(m));
    modelApi()
      .backend()
      .then((b) => live && setBackend(b))
      .catch(() => live && setBackend({ backend: 'cpu', limit: DEFAULT_LIMITS.cpu }));
    return () => {
      live = false;
    };
  }, []);

  const shipped = manifest.state === 'ready' ? manifest.models : [];
  // The shipped model is the default: it needs no network.
  const shippedName = choice.shipped ?? shipped[0]?.name ?? null;
  const shippedModel = shipped.find((m) => m.name === shippedName) ?? null;
  const hubId = choice.hubId.trim();
  const idProblem = choice.kind === 'hub' && hubId !== '' && !isHubId(hubId) ? `“${hubId}” is not a hub id: ids look like owner/name, e.g. ${EXAMPLE_ID}.` : null;
  const source: ModelSource | null =
    choice.kind === 'shipped' ? (shippedModel ? { kind: 'local', location: shippedModel.path, name: shippedModel.name } : null) : hubId !== '' && !idProblem ? { kind: 'hub', id: hubId } : null;
  const loading = status === 'loading';

  const load = async () => {
    if (!source) return;
    const before = useLab.getState().modelLoad.info;
    updateLive('modelLoad', () => ({ ...initialLoad, status: 'loading', label: source.kind === 'hub' ? source.id : (source.name ?? source.location), startedAt: Date.now(), info: before }));
    const onEvent = Comlink.proxy((e: LoadEvent) => updateLive('modelLoad', (s) => applyEvent(s, e, Date.now())));
    try {
      const r = await modelApi().load({ source, remoteHost: hubHost.trim() || DEFAULT_HUB_HOST }, onEvent);
      if (r.ok) {
        updateLive('modelLoad', { status: 'ready', info: r.info, error: null, finishedAt: Date.now() });
        set({ lastModel: r.info });
      } else {
        updateLive('modelLoad', { status: 'failed', error: { kind: r.kind, message: r.message }, finishedAt: Date.now() });
      }
    } catch (e) {
      updateLive('modelLoad', { status: 'failed', error: { kind: 'format', message: `The model worker stopped: ${errorMessage(e)}` }, finishedAt: Date.now() });
    }
  };

  const pick = (kind: 'shipped' | 'hub') => set({ modelChoice: { ...choice, kind } });

  return (
    <div className="layout model-layout">
      <section className="panel" aria-labelledby="model-choose-title">
        <h2 id="model-choose-title">Language model</h2>
        <p className="note">The model the lab's language-model policies run and fine-tune. The shipped model works offline; a hub model is downloaded once and then read from the browser's cache.</p>
        <fieldset className="checkboxes" disabled={loading}>
          <legend>Source</legend>
          <label>
            <input type="radio" name="model-source" checked={choice.kind === 'shipped'} onChange={() => pick('shipped')} /> Shipped with the lab (offline)
          </label>
          {choice.kind === 'shipped' && (
            <div className="field indent">
              {manifest.state === 'loading' ? (
                <p className="note">Reading the list of shipped models…</p>
              ) : shipped.length === 0 ? (
                <p className="note" data-testid="no-shipped-model">
                  No shipped model yet{manifest.state === 'failed' ? ` (${manifest.why})` : ''}. The lab's own small model appears here once it is built; meanwhile use a hub model.
                </p>
              ) : (
                <>
                  <label htmlFor="shipped-model">Model</label>
                  <select id="shipped-model" value={shippedName ?? ''} onChange={(e) => set({ modelChoice: { ...choice, shipped: e.target.value } })}>
                    {shipped.map((m) => (
                      <option key={m.name} value={m.name}>
                        {m.name}
                        {m.parameters ? ` (${formatCount(m.parameters)} parameters)` : ''}
                      </option>
                    ))}
                  </select>
                  {shippedModel?.description ? <Help id="shipped-help">{shippedModel.description}</Help> : null}
                </>
              )}
            </div>
          )}
          <label>
            <input type="radio" name="model-source" checked={choice.kind === 'hub'} onChange={() => pick('hub')} /> Hugging Face hub (needs a network the first time)
          </label>
          {choice.kind === 'hub' && (
            <div className={`field indent${idProblem ? ' field-invalid' : ''}`}>
              <label htmlFor="hub-id">Model id</label>
              <input
                id="hub-id"
                type="text"
                spellCheck={false}
                placeholder={EXAMPLE_ID}
                value={choice.hubId}
                aria-invalid={idProblem ? true : undefined}
                aria-describedby="hub-id-help"
                onChange={(e) => set({ modelChoice: { ...choice, hubId: e.target.value } })}
                onKeyDown={(e) => {
                  if (e.key === 'Enter') void load();
                }}
              />
              <Help id="hub-id-help">
                A Llama-architecture model with a single <code>model.safetensors</code>, e.g. <code>{EXAMPLE_ID}</code> (135 M parameters, 270 MB). The size is checked from its config.json before anything large is downloaded.
              </Help>
              {idProblem ? <p className="field-error">{idProblem}</p> : null}
            </div>
          )}
        </fieldset>
        <details className="json-editor">
          <summary>Advanced: hub address and size limit</summary>
          <div className="field">
            <label htmlFor="hub-host">Hub address</label>
            <input id="hub-host" type="text" spellCheck={false} value={hubHost} aria-describedby="hub-host-help" onChange={(e) => set({ hubHost: e.target.value })} />
            <Help id="hub-host-help">Where hub ids are downloaded from ({'{host}'}/owner/name/resolve/main/…). Change it only for a mirror.</Help>
          </div>
          <p className="note">
            Size limit on this device: {backend ? `${formatBytes(backend.limit)} of weights in the engine (${backend.backend === 'webgpu' ? 'WebGPU' : 'CPU'} backend)` : 'checking…'}.
          </p>
        </details>
        <div className="actions">
          <button type="button" className="primary" disabled={!source || loading} onClick={() => void load()}>
            Load model
          </button>
          {loading ? (
            <button type="button" className="danger" onClick={() => void modelApi().cancel()}>
              Cancel
            </button>
          ) : null}
          {!source && !loading ? <span className="note">{choice.kind === 'hub' ? 'Type a model id first.' : 'No shipped model to load.'}</span> : null}
        </div>
      </section>
      <LoadStatus lastModel={lastModel} />
      <TryModel />
      <IclPanel />
    </div>
  );
}
