import { dismissUnsaved, useLab } from '../store.ts';

/**
 * What could not be saved, one line per thing, what saved state could not be read back, and
 * what an opened link held that could not be used: shown above every tab, since it is about the
 * whole lab, until the person dismisses it (a later save that succeeds removes its own line).
 */
export function StorageNotices() {
  const unsaved = useLab((s) => s.unsaved);
  const recovery = useLab((s) => s.recoveryNotice);
  const linkProblems = useLab((s) => s.linkProblems);
  const set = useLab((s) => s.set);
  const lines = Object.values(unsaved);
  if (lines.length === 0 && !recovery && !linkProblems) return null;
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
      {linkProblems && (
        <div role="alert" className="info-box notice" data-testid="link-notice">
          <div>
            <strong>Some values in this link could not be used</strong>; the lab’s defaults are used for them, and the rest of the link applies:
            <ul>
              {linkProblems.map((l) => (
                <li key={l}>{l}</li>
              ))}
            </ul>
          </div>
          <button type="button" onClick={() => set({ linkProblems: null })}>
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
