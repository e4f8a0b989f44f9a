import { type ReactNode, useEffect, useMemo, useState } from 'react';
import { rowsToCsv } from '../../experiments/rows-csv.ts';
import { formatBytes } from '../../models/loader/estimate.ts';
import { downloadText, downloadZip, fileSafe } from '../common/download.ts';
import { artifactFiles, type ArtifactMeta } from '../persist/artifacts-db.ts';
import { approximateBytes } from '../persist/run-record.ts';
import { useLab, type SweepRun } from '../store.ts';

const ARTIFACT_KIND: Record<ArtifactMeta['kind'], string> = {
  'sft-checkpoint': 'SFT checkpoint',
  'sft-adapter': 'SFT adapter (PEFT)',
  'dpt-model': 'DPT model',
};

/** What the browser says this site uses and may use, re-read when `stored` changes while `open`; null where the browser does not say. */
function useStorageEstimate(stored: string, open: boolean): StorageEstimate | null {
  const [estimate, setEstimate] = useState<StorageEstimate | null>(null);
  useEffect(() => {
    if (!open) return;
    let live = true;
    void navigator.storage
      ?.estimate()
      .then((e) => live && setEstimate(e))
      .catch(() => live && setEstimate(null));
    return () => {
      live = false;
    };
  }, [stored, open]);
  return estimate;
}

function exportRun(run: SweepRun, as: 'csv' | 'json'): void {
  const base = `${fileSafe(run.name)}-${new Date(run.startedAt).toISOString().slice(0, 19).replace(/:/g, '')}`;
  if (as === 'csv') downloadText(`${base}.csv`, rowsToCsv(run.rows), 'text/csv');
  else downloadText(`${base}.json`, `${JSON.stringify({ name: run.name, spec: run.spec, status: run.status, startedAt: run.startedAt, rows: run.rows }, null, 2)}\n`, 'application/json');
}

async function exportArtifact(m: ArtifactMeta, onError: (msg: string) => void): Promise<void> {
  const files = await artifactFiles(m.id);
  if (!files) return onError(`The files of this ${ARTIFACT_KIND[m.kind]} are missing from storage.`);
  downloadZip(fileSafe(`${m.runName}-${m.label}-${m.kind}`), files);
}

function SavedTable({ caption, testId, columns, children }: { caption: string; testId: string; columns: string[]; children: ReactNode }) {
  return (
    <table className="rows file-table saved-table" data-testid={testId}>
      <caption className="visually-hidden">{caption}</caption>
      <thead>
        <tr>
          {columns.map((c) => (
            <th key={c} scope="col">
              {c}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>{children}</tbody>
    </table>
  );
}

/**
 * Everything the lab keeps in this browser: the runs and what their training produced, with
 * their sizes, an export for each, and delete. A person whose storage fills up comes here.
 */
export function SavedData() {
  const runs = useLab((s) => s.runs);
  const artifacts = useLab((s) => s.artifacts);
  const loaded = useLab((s) => s.savedLoaded);
  const deleteRun = useLab((s) => s.deleteRun);
  const deleteArtifact = useLab((s) => s.deleteArtifact);
  const set = useLab((s) => s.set);
  const [open, setOpen] = useState(false);
  const estimate = useStorageEstimate(`${runs.map((r) => `${r.id}:${r.rows.length}`).join()}|${artifacts.map((m) => m.id).join()}`, open);
  const sizes = useMemo(() => new Map(runs.map((r) => [r.id, approximateBytes(r)])), [runs]);
  const total = [...sizes.values()].reduce((a, b) => a + b, 0) + artifacts.reduce((a, m) => a + m.bytes, 0);

  return (
    <details className="saved-data" data-testid="saved-data" onToggle={(e) => setOpen(e.currentTarget.open)}>
      <summary>
        Saved data · {runs.length} run{runs.length === 1 ? '' : 's'}, {artifacts.length} trained artifact{artifacts.length === 1 ? '' : 's'} · {formatBytes(total)}
      </summary>
      <p className="help">
        Kept in this browser (IndexedDB), on this computer only. Export what you want to keep elsewhere; delete old runs when storage runs low.
      </p>
      {estimate?.quota !== undefined && (
        <p className="note" data-testid="storage-estimate">
          This site uses {formatBytes(estimate.usage ?? 0)} of the {formatBytes(estimate.quota)} the browser allows it.
        </p>
      )}
      {!loaded && <p className="note">Reading saved runs…</p>}
      {runs.length > 0 && (
        <SavedTable caption="Saved runs" testId="saved-runs" columns={['started', 'run', 'rows', 'status', 'size', 'actions']}>
            {runs.map((r) => (
              <tr key={r.id}>
                <td>{new Date(r.startedAt).toLocaleString()}</td>
                <td>{r.name}</td>
                <td>{r.rows.length}</td>
                <td>
                  {r.status}
                  {r.unsaved && <strong className="unsaved"> · not saved</strong>}
                </td>
                <td>{formatBytes(sizes.get(r.id) ?? 0)}</td>
                <td className="row-actions">
                  <button type="button" onClick={() => exportRun(r, 'csv')} aria-label={`Export ${r.name} as CSV`}>
                    CSV
                  </button>
                  <button type="button" onClick={() => exportRun(r, 'json')} aria-label={`Export ${r.name} as JSON`}>
                    JSON
                  </button>
                  <button type="button" disabled={r.status === 'running'} onClick={() => deleteRun(r.id)} aria-label={`Delete ${r.name}`}>
                    Delete
                  </button>
                </td>
              </tr>
            ))}
        </SavedTable>
      )}
      {artifacts.length > 0 && (
        <SavedTable caption="Trained artifacts" testId="saved-artifacts" columns={['saved', 'what', 'run · point', 'steps', 'size', 'actions']}>
            {artifacts.map((m) => (
              <tr key={m.id}>
                <td>{new Date(m.createdAt).toLocaleString()}</td>
                <td>{ARTIFACT_KIND[m.kind]}</td>
                <td>
                  {m.runName} · {m.label}
                </td>
                <td>
                  {m.step} of {m.steps}
                </td>
                <td>{formatBytes(m.bytes)}</td>
                <td className="row-actions">
                  <button type="button" onClick={() => void exportArtifact(m, (msg) => set({ unsaved: { ...useLab.getState().unsaved, [`artifact:${m.id}`]: msg } }))} aria-label={`Export ${ARTIFACT_KIND[m.kind]} ${m.label} as a zip`}>
                    Zip
                  </button>
                  <button type="button" onClick={() => deleteArtifact(m.id)} aria-label={`Delete ${ARTIFACT_KIND[m.kind]} ${m.label}`}>
                    Delete
                  </button>
                </td>
              </tr>
            ))}
        </SavedTable>
      )}
    </details>
  );
}
