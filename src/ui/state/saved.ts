/**
 * The store's saved-data slice: sweep runs and what they trained, kept in IndexedDB
 * (persist/runs-db.ts, persist/artifacts-db.ts), which holds far more than localStorage; and the
 * notices about storage and links. A save that fails (storage full, private mode) never throws
 * into the UI: the change stays on screen and a notice says what was not saved.
 */
import type { StateCreator } from 'zustand';
import type { ExperimentSummary, ResultRow, TrainedArtifact } from '../../experiments/types.ts';
import { type ArtifactMeta, artifactId, listArtifacts, putArtifact, removeArtifact } from '../persist/artifacts-db.ts';
import { notSavedNotice } from '../persist/notice.ts';
import { readRunRecord, type RunStatus, type SweepRun } from '../persist/run-record.ts';
import { putRun, readRuns, removeRun } from '../persist/runs-db.ts';
import type { LabMutators, LabState } from '../store.ts';

export interface SavedSlice {
  /** every saved run, newest first (IndexedDB; read at start by `loadSaved`). */
  runs: SweepRun[];
  /** why the last sweep stopped early, when it produced no rows to show it with (not persisted). */
  sweepNotice: string | null;
  /** what sweeps trained (checkpoints, adapters, DPT models): the list, the bytes stay in IndexedDB. */
  artifacts: ArtifactMeta[];
  /** false until the saved runs and artifacts have been read. */
  savedLoaded: boolean;
  /**
   * What could not be saved, one sentence per thing (key: 'settings', 'run:<id>', …; a later
   * successful save of the same thing removes it), and what saved state could not be read back.
   */
  unsaved: Record<string, string>;
  recoveryNotice: string | null;
  /** the fields of an opened link that could not be used, each naming the field and its allowed values. */
  linkProblems: string[] | null;

  startRun: (run: SweepRun) => void;
  /** Resolves once the row is saved (or its save has failed) and shown. */
  addRow: (id: string, row: ResultRow) => Promise<void>;
  finishRun: (id: string, status: RunStatus, extra?: { error?: string; summary?: ExperimentSummary }) => void;
  deleteRun: (id: string) => void;
  /** `name` labels a job that is not a sweep run (the Train tab's); a sweep's artifacts take its run's name. */
  keepArtifact: (runId: string, a: TrainedArtifact, name?: string) => Promise<void>;
  deleteArtifact: (id: string) => void;
  /** Records (sentence) or clears (null) what failed to save under `key`. */
  noteUnsaved: (key: string, sentence: string | null) => void;
  /** Hides the notices shown now; each comes back only if its thing saves, then fails again. */
  dismissUnsaved: () => void;
  /** Reads the saved runs and artifacts (moving a version-1 state's runs there first); called once at start. */
  loadSaved: () => Promise<void>;
}

/** Runs a version-1 state kept in localStorage: moved to IndexedDB by `loadSaved`. */
let legacyRuns: unknown[] = [];
export function keepLegacyRuns(runs: unknown[]): void {
  legacyRuns = runs;
}

/** Failures the person dismissed: not shown again until a save of the same thing succeeds. */
const dismissed = new Set<string>();

export const createSavedSlice: StateCreator<LabState, LabMutators, [], SavedSlice> = (set, get) => {
  /** A no-op when nothing changes; set after the current update has finished, never from inside a storage call. */
  const markUnsaved = (key: string, sentence: string | null): void => {
    if (sentence === null) dismissed.delete(key);
    else if (dismissed.has(key)) return;
    queueMicrotask(() => {
      const { unsaved } = get();
      if ((unsaved[key] ?? null) === sentence) return;
      const others = Object.fromEntries(Object.entries(unsaved).filter(([k]) => k !== key));
      set({ unsaved: sentence === null ? others : { ...others, [key]: sentence } });
    });
  };

  const saving = (key: string, what: string, p: Promise<unknown>): void => {
    p.then(
      () => markUnsaved(key, null),
      (e: unknown) => markUnsaved(key, notSavedNotice(what, e)),
    );
  };

  /** Writes a run; a run whose last write failed is marked `unsaved` (the saved-data list says so) until one succeeds. */
  const saveRun = (run: SweepRun): Promise<void> => {
    const what = `the run "${run.name}" and its rows`;
    const mark = (unsaved: boolean) => {
      const runs = get().runs;
      if (runs.some((r) => r.id === run.id && (r.unsaved === true) !== unsaved)) {
        set({ runs: runs.map((r) => (r.id === run.id ? { ...r, unsaved } : r)) });
      }
    };
    const key = `run:${run.id}`;
    return putRun({ ...run, unsaved: false }).then(
      () => {
        mark(false);
        markUnsaved(key, null);
      },
      (e: unknown) => {
        mark(true);
        markUnsaved(key, notSavedNotice(what, e));
      },
    );
  };

  return {
    runs: [],
    sweepNotice: null,
    artifacts: [],
    savedLoaded: false,
    unsaved: {},
    recoveryNotice: null,
    linkProblems: null,

    startRun: (run) => {
      set((s) => ({ progress: null, runs: [run, ...s.runs], activeRunId: run.id, sweepNotice: null }));
      void saveRun(run);
    },
    addRow: async (id, row) => {
      const run = get().runs.find((r) => r.id === id);
      if (!run) return;
      // Saved before it is shown, so a row on screen survives a reload (a save that fails is
      // shown anyway, and the banner says it was not saved).
      await saveRun({ ...run, rows: [...run.rows, row] });
      set((s) => ({ runs: s.runs.map((r) => (r.id === id ? { ...r, rows: [...r.rows, row] } : r)) }));
    },
    finishRun: (id, status, extra) => {
      set({ progress: null });
      const run = get().runs.find((r) => r.id === id);
      // A run that stopped before its first row has nothing to show: drop it and go back to the
      // results that were on screen before, with a note saying what happened.
      if (run && status !== 'done' && run.rows.length === 0) {
        const why = status === 'cancelled' ? 'The sweep was cancelled before its first row.' : `The sweep failed: ${extra?.error ?? 'unknown error'}`;
        set((s) => {
          const runs = s.runs.filter((r) => r.id !== id);
          return { runs, activeRunId: runs[0]?.id ?? null, sweepNotice: why };
        });
        saving(`run:${id}`, 'the removal of an empty run', removeRun(id));
        return;
      }
      set((s) => ({ runs: s.runs.map((r) => (r.id === id ? { ...r, status, finishedAt: Date.now(), ...extra } : r)) }));
      const finished = get().runs.find((r) => r.id === id);
      if (finished) void saveRun(finished);
    },
    deleteRun: (id) => {
      set((s) => {
        const runs = s.runs.filter((r) => r.id !== id);
        return { runs, activeRunId: s.activeRunId === id ? (runs[0]?.id ?? null) : s.activeRunId };
      });
      saving(`run:${id}`, 'the deletion of a run', removeRun(id));
    },
    keepArtifact: async (runId, a, name) => {
      const run = get().runs.find((r) => r.id === runId);
      const what = `the ${a.kind === 'sft-checkpoint' ? `SFT checkpoint (step ${a.step})` : a.kind === 'sft-adapter' ? 'SFT adapter' : 'DPT model'} at ${a.label}`;
      try {
        const meta = await putArtifact({ id: runId, name: name ?? run?.name ?? 'sweep' }, a);
        // The finished adapter makes the point's checkpoint redundant.
        const stale = a.kind === 'sft-adapter' ? artifactId(runId, { kind: 'sft-checkpoint', pointIndex: a.pointIndex }) : null;
        if (stale) await removeArtifact(stale);
        set((s) => ({ artifacts: [meta, ...s.artifacts.filter((m) => m.id !== meta.id && m.id !== stale)] }));
        markUnsaved(`artifact:${artifactId(runId, a)}`, null);
      } catch (e) {
        markUnsaved(`artifact:${artifactId(runId, a)}`, notSavedNotice(what, e));
      }
    },
    deleteArtifact: (id) => {
      set((s) => ({ artifacts: s.artifacts.filter((m) => m.id !== id) }));
      saving(`artifact:${id}`, 'the deletion of a trained artifact', removeArtifact(id));
    },
    noteUnsaved: markUnsaved,
    dismissUnsaved: () => {
      for (const k of Object.keys(get().unsaved)) dismissed.add(k);
      set({ unsaved: {} });
    },
    loadSaved: async () => {
      const notes: string[] = [];
      try {
        for (const x of legacyRuns) {
          const run = readRunRecord(x);
          if (run) await putRun(run);
        }
        legacyRuns = [];
        const { runs, unreadable } = await readRuns();
        if (unreadable > 0) notes.push(`${unreadable} saved run${unreadable === 1 ? '' : 's'} could not be read and ${unreadable === 1 ? 'is' : 'are'} not shown`);
        const artifacts = await listArtifacts();
        const s = get();
        // Runs started before the read finished (none in practice) stay in front.
        const mine = new Set(s.runs.map((r) => r.id));
        const all = [...s.runs, ...runs.filter((r) => !mine.has(r.id))];
        set({ runs: all, artifacts, savedLoaded: true, activeRunId: all.some((r) => r.id === s.activeRunId) ? s.activeRunId : (all[0]?.id ?? null) });
      } catch (e) {
        notes.push(`saved runs could not be read (${e instanceof Error ? e.message : String(e)})`);
        set({ savedLoaded: true });
      }
      if (notes.length > 0) set({ recoveryNotice: `${notes.join('; ')}.` });
    },
  };
};
