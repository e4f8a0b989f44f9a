import { useState } from 'react';
import { useLab } from '../store.ts';
import { downloadZip, fileSafe } from '../common/download.ts';
import { artifactFiles } from '../persist/artifacts-db.ts';
import { errorMessage } from '../worker-client.ts';
import { artifactFromZip } from './import-artifact.ts';

const KIND = { 'sft-checkpoint': 'SFT checkpoint', 'sft-adapter': 'SFT adapter (PEFT)', 'dpt-model': 'DPT model' } as const;

/** What was trained and kept in this browser: list, export as a zip, delete, import. */
export function TrainedList() {
  const artifacts = useLab((s) => s.artifacts);
  const keep = useLab((s) => s.keepArtifact);
  const remove = useLab((s) => s.deleteArtifact);
  const [message, setMessage] = useState<string | null>(null);

  const onImport = async (file: File) => {
    try {
      const a = artifactFromZip(new Uint8Array(await file.arrayBuffer()), file.name);
      await keep(`import-${Date.now().toString(36)}`, a, 'imported');
      setMessage(`Imported ${KIND[a.kind]} “${a.label}”.`);
    } catch (e) {
      setMessage(`Could not import ${file.name}: ${errorMessage(e)}`);
    }
  };

  return (
    <div className="trained-list">
      <h3>Trained and kept in this browser</h3>
      {artifacts.length === 0 ? (
        <p className="note">Nothing yet: train above, or run a sweep with sft or dpt.</p>
      ) : (
        <table className="saved-table" data-testid="trained-list">
          <thead>
            <tr>
              <th scope="col">what</th>
              <th scope="col">from · point</th>
              <th scope="col">steps</th>
              <th scope="col">actions</th>
            </tr>
          </thead>
          <tbody>
            {artifacts.map((m) => (
              <tr key={m.id}>
                <td>{KIND[m.kind]}</td>
                <td>
                  {m.runName} · {m.label}
                </td>
                <td>
                  {m.step}/{m.steps}
                </td>
                <td className="row-actions">
                  <button
                    type="button"
                    aria-label={`Export ${KIND[m.kind]} ${m.label} as a zip`}
                    onClick={() => void artifactFiles(m.id).then((f) => (f ? downloadZip(fileSafe(`${m.runName}-${m.label}-${m.kind}`), f) : setMessage('Its files could not be read.')))}
                  >
                    Export
                  </button>
                  <button type="button" aria-label={`Delete ${KIND[m.kind]} ${m.label}`} onClick={() => remove(m.id)}>
                    Delete
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <label className="import-label">
        Import a zip (a PEFT adapter folder or a DPT model folder):{' '}
        <input type="file" accept=".zip,application/zip" onChange={(e) => e.target.files?.[0] && void onImport(e.target.files[0])} />
      </label>
      {message && (
        <p className="note" role="status">
          {message}
        </p>
      )}
    </div>
  );
}
