/**
 * The lab's single store. What a person typed is saved to localStorage (small, read
 * synchronously so the first paint already shows it), checked panel by panel when read back
 * (persist/settings-recovery.ts); sweep runs and what they trained go to IndexedDB
 * (persist/runs-db.ts, persist/artifacts-db.ts), which holds far more. A save that fails (storage
 * full, private mode) never throws into the UI: the change stays on screen and a notice says
 * what was not saved. Transient run state (progress, busy flags) is not saved, because a reload
 * kills the worker that owned it.
 */
import { create } from 'zustand';
import { createJSONStorage, persist, type StateStorage } from 'zustand/middleware';
import type { EnvName, TaskSpec } from '../core/types.ts';
import type { ExperimentProgress, ExperimentSummary, ResultRow, TrainedArtifact } from '../experiments/types.ts';
import type { EpisodeView, TaskInfo } from '../../workers/api.ts';
import { defaultDrafts, type Drafts } from './env/param-form.ts';
import type { ModelInfo } from '../models/loader/types.ts';
import { recoverSettings, SETTINGS_KEYS, sliceKeys, sliceLabel, TAB_IDS, type SliceName } from './persist/settings-recovery.ts';
import { readRunRecord, type RunStatus, type SweepRun } from './persist/run-record.ts';
import { putRun, readRuns, removeRun } from './persist/runs-db.ts';
import { type ArtifactMeta, artifactId, listArtifacts, putArtifact, removeArtifact } from './persist/artifacts-db.ts';
import { notSavedNotice } from './persist/notice.ts';

/** Which model the person chose: a shipped folder (by manifest name) or a hub id; both fields are kept when switching. */
export interface ModelChoice {
  kind: 'shipped' | 'hub';
  shipped: string | null;
  hubId: string;
}

/** The ONNX model for in-context learning with transformers.js (Model tab), and how to run it. */
export interface IclChoice {
  hubId: string;
  /** 'auto' or a transformers.js dtype (fp32, q8, q4, fp16, q4f16, …). */
  dtype: string;
  device: 'auto' | 'webgpu' | 'wasm';
  episodes: number;
}

/**
 * The "Try the model" prefill: the in-context copying the shipped model is trained on (the
 * corpus's `copy:` … `again:` documents), so a good model visibly repeats the sequence.
 */
export const DEFAULT_TRY_PROMPT = 'copy: Ned 356 v32 pabre k7\nagain: ';

/** The hub as transformers.js addresses it by default; a mirror can replace it. */
export const DEFAULT_HUB_HOST = 'https://huggingface.co/';

export { TAB_IDS };
export type Tab = (typeof TAB_IDS)[number];
export type { RunStatus, SweepRun };

export interface LiveProgress extends ExperimentProgress {
  startedAt: number;
  updatedAt: number;
}

interface LabState {
  tab: Tab;
  env: EnvName;
  drafts: Drafts;
  seed: string;
  /** the last spec that passed validation: what "Sample task" uses while the form has errors. */
  lastValid: TaskSpec | null;
  task: TaskInfo | null;
  taskBusy: boolean;
  taskError: string | null;

  policy: string;
  episodeIndex: number;
  /** APOMDP: which model generates the episode; 'drawn' = drawn from the set. */
  trueModel: 'drawn' | number;
  episode: EpisodeView | null;
  step: number;
  episodeBusy: boolean;
  episodeError: string | null;

  /** the sweep spec being edited (a plain object; validated by the experiment spec parser). */
  sweepSpec: Record<string, unknown> | null;
  /** every saved run, newest first (IndexedDB; read at start by `loadSaved`). */
  runs: SweepRun[];
  activeRunId: string | null;
  /** why the last sweep stopped early, when it produced no rows to show it with (not persisted). */
  sweepNotice: string | null;
  /** what sweeps trained (checkpoints, adapters, DPT models): the list, the bytes stay in IndexedDB. */
  artifacts: ArtifactMeta[];
  /** false until the saved runs and artifacts have been read. */
  savedLoaded: boolean;

  /** the model chosen in the Model tab (persisted; loading it again is one click). */
  modelChoice: ModelChoice;
  hubHost: string;
  /** the last model that loaded, for display after a reload (the worker's copy is gone then). */
  lastModel: ModelInfo | null;
  iclChoice: IclChoice;
  /** "Try the model": the prompt, and the tokens-to-generate field as typed (checked on use). */
  tryPrompt: string;
  tryTokens: string;

  /**
   * What could not be saved, one sentence per thing (key: 'settings', 'run:<id>', …; a later
   * successful save of the same thing removes it), and what saved state could not be read back.
   */
  unsaved: Record<string, string>;
  recoveryNotice: string | null;

  set: (patch: Partial<LabState>) => void;
  setDraftField: (env: EnvName, key: string, value: string) => void;
  setStep: (step: number) => void;
  startRun: (run: SweepRun) => void;
  /** Resolves once the row is saved (or its save has failed) and shown. */
  addRow: (id: string, row: ResultRow) => Promise<void>;
  finishRun: (id: string, status: RunStatus, extra?: { error?: string; summary?: ExperimentSummary }) => void;
  deleteRun: (id: string) => void;
  keepArtifact: (runId: string, a: TrainedArtifact) => Promise<void>;
  deleteArtifact: (id: string) => void;
  /** Puts one panel's saved settings back to their defaults (the error boundary's way out). */
  resetSlice: (name: SliceName) => void;
}

/**
 * Live progress lives in its own, unpersisted store: it changes many times a second, and every
 * change to the persisted store rewrites the saved settings.
 */
export const useProgress = create<{ progress: LiveProgress | null }>()(() => ({ progress: null }));

/** The settings every panel starts from, and goes back to on `resetSlice`. */
function defaultSettings() {
  return {
    tab: 'episode' as Tab,
    env: 'energy-mdp' as EnvName,
    drafts: defaultDrafts(),
    seed: '1',
    lastValid: null,
    task: null,
    policy: 'oracle',
    episodeIndex: 0,
    trueModel: 'drawn' as const,
    episode: null,
    step: 0,
    sweepSpec: null,
    activeRunId: null,
    modelChoice: { kind: 'shipped' as const, shipped: null, hubId: '' },
    hubHost: DEFAULT_HUB_HOST,
    lastModel: null,
    iclChoice: { hubId: '', dtype: 'auto', device: 'auto' as const, episodes: 1 },
    tryPrompt: DEFAULT_TRY_PROMPT,
    tryTokens: '16',
  } satisfies Partial<LabState>;
}

/** Runs a version-1 state kept in localStorage: moved to IndexedDB by `loadSaved`. */
let legacyRuns: unknown[] = [];

/** Notices are set after the current update has finished, never from inside a storage call. */
function notifyRecovery(recoveryNotice: string): void {
  queueMicrotask(() => useLab.setState({ recoveryNotice }));
}

/** Failures the person dismissed: not shown again until a save of the same thing succeeds. */
const dismissed = new Set<string>();

/** Hides the notices shown now; each comes back only if its thing saves, then fails again. */
export function dismissUnsaved(): void {
  for (const k of Object.keys(useLab.getState().unsaved)) dismissed.add(k);
  useLab.setState({ unsaved: {} });
}

/** Records (sentence) or clears (null) what failed to save under `key`; a no-op when nothing changes. */
function markUnsaved(key: string, sentence: string | null): void {
  if (sentence === null) dismissed.delete(key);
  else if (dismissed.has(key)) return;
  queueMicrotask(() => {
    const { unsaved } = useLab.getState();
    if ((unsaved[key] ?? null) === sentence) return;
    const others = Object.fromEntries(Object.entries(unsaved).filter(([k]) => k !== key));
    useLab.setState({ unsaved: sentence === null ? others : { ...others, [key]: sentence } });
  });
}

function saving(key: string, what: string, p: Promise<unknown>): void {
  p.then(
    () => markUnsaved(key, null),
    (e: unknown) => markUnsaved(key, notSavedNotice(what, e)),
  );
}

/** Writes a run; a run whose last write failed is marked `unsaved` (the saved-data list says so) until one succeeds. */
function saveRun(run: SweepRun): Promise<void> {
  const what = `the run "${run.name}" and its rows`;
  const mark = (unsaved: boolean) => {
    const runs = useLab.getState().runs;
    if (runs.some((r) => r.id === run.id && (r.unsaved === true) !== unsaved)) {
      useLab.setState({ runs: runs.map((r) => (r.id === run.id ? { ...r, unsaved } : r)) });
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
}

/** Whether the last settings save failed (kept here: the first save runs while the store is being made). */
let settingsUnsaved = false;

/** localStorage that reports a failed save instead of throwing into whatever changed the state. */
const settingsStorage: StateStorage = {
  getItem: (k) => localStorage.getItem(k),
  setItem: (k, v) => {
    try {
      localStorage.setItem(k, v);
      if (settingsUnsaved) markUnsaved('settings', null);
      settingsUnsaved = false;
    } catch (e) {
      settingsUnsaved = true;
      markUnsaved('settings', notSavedNotice('the latest change to your settings', e));
    }
  },
  removeItem: (k) => localStorage.removeItem(k),
};

export const useLab = create<LabState>()(
  persist(
    (set, get) => ({
      ...defaultSettings(),
      taskBusy: false,
      taskError: null,
      episodeBusy: false,
      episodeError: null,
      runs: [],
      sweepNotice: null,
      artifacts: [],
      savedLoaded: false,
      unsaved: {},
      recoveryNotice: null,

      set: (patch) => set(patch),
      setDraftField: (env, key, value) => set((s) => ({ drafts: { ...s.drafts, [env]: { ...s.drafts[env], [key]: value } } })),
      setStep: (step) =>
        set((s) => {
          const n = s.episode?.steps.length ?? 0;
          return { step: n === 0 ? 0 : Math.min(n - 1, Math.max(0, step)) };
        }),
      startRun: (run) => {
        useProgress.setState({ progress: null });
        set((s) => ({ runs: [run, ...s.runs], activeRunId: run.id, sweepNotice: null }));
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
        useProgress.setState({ progress: null });
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
      keepArtifact: async (runId, a) => {
        const run = get().runs.find((r) => r.id === runId);
        const what = `the ${a.kind === 'sft-checkpoint' ? `SFT checkpoint (step ${a.step})` : a.kind === 'sft-adapter' ? 'SFT adapter' : 'DPT model'} at ${a.label}`;
        try {
          const meta = await putArtifact({ id: runId, name: run?.name ?? 'sweep' }, a);
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
      resetSlice: (name) => {
        const d: Record<string, unknown> = defaultSettings();
        set(Object.fromEntries(sliceKeys(name).map((k) => [k, d[k]])));
      },
    }),
    {
      name: 'decision-lab',
      // 2: runs moved to IndexedDB. Older states are read by `merge`, slice by slice.
      version: 2,
      migrate: (persisted) => persisted,
      storage: createJSONStorage(() => settingsStorage),
      partialize: (s) => Object.fromEntries(SETTINGS_KEYS.map((k) => [k, s[k as keyof LabState]])),
      merge: (persisted, current) => {
        const p = persisted as { runs?: unknown } | undefined;
        if (Array.isArray(p?.runs)) legacyRuns = p.runs;
        const { state, reset } = recoverSettings(persisted, current);
        if (reset.length > 0) notifyRecovery(`The saved settings of ${reset.join(', ')} could not be read and were reset; everything else was kept.`);
        return state;
      },
      onRehydrateStorage: () => (_state, error) => {
        if (error) notifyRecovery(`The saved settings could not be read (${error instanceof Error ? error.message : String(error)}); the defaults are used.`);
      },
    },
  ),
);

/**
 * Reads the saved runs and artifacts from IndexedDB (moving a version-1 state's runs there
 * first). Called once at start; the sweep panel shows "loading" until it is done.
 */
export async function loadSaved(): Promise<void> {
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
    const s = useLab.getState();
    // Runs started before the read finished (none in practice) stay in front.
    const mine = new Set(s.runs.map((r) => r.id));
    const all = [...s.runs, ...runs.filter((r) => !mine.has(r.id))];
    useLab.setState({ runs: all, artifacts, savedLoaded: true, activeRunId: all.some((r) => r.id === s.activeRunId) ? s.activeRunId : (all[0]?.id ?? null) });
  } catch (e) {
    notes.push(`saved runs could not be read (${e instanceof Error ? e.message : String(e)})`);
    useLab.setState({ savedLoaded: true });
  }
  if (notes.length > 0) notifyRecovery(`${notes.join('; ')}.`);
}

export { sliceLabel };
