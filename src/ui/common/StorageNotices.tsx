import { dismissUnsaved, useLab } from '../store.ts';

/**
 * What could not be saved, one line per thing, and what saved state could not be read back:
 * shown above every tab, since it is about the whole lab, until the person dismisses it (a
 * later save that succeeds removes its own line).
 */
export function StorageNotices() {
  const unsaved = useLab((s) => s.unsaved);
  const recovery = useLab((s) => s.recoveryNotice);
  const set = useLab((s) => s.set);
  const lines = Object.values(unsaved);
  if (lines.length === 0 && !recovery) return null;
  return (
    <div className="notices">
      {lines.length > 0 && (
        <div role="alert" className="error-box notice" data-testid="storage-notice">
          <div>
            <strong>Not saved:</strong>
            <ul>
              {lines.map((l) => (
                <li key={l}>{l}</li>
              ))}
            </ul>
            What was not saved stays on screen until you reload. To free space, open “Saved data” in the Sweep tab: export, then delete old runs.
          </div>
          <button type="button" onClick={dismissUnsaved}>
            Dismiss
          </button>
        </div>
      )}
      {recovery && (
        <div role="status" className="info-box notice" data-testid="recovery-notice">
          <span>{recovery}</span>
          <button type="button" onClick={() => set({ recoveryNotice: null })}>
            Dismiss
          </button>
        </div>
      )}
    </div>
  );
}
