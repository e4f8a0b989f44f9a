/**
 * The lab's single store. Settings and finished results are persisted to localStorage so a
 * reload (or a crash) loses nothing a person typed or waited for; transient run state
 * (progress, busy flags) is not, because a reload kills the worker that owned it.
 */
import { create } from 'zustand';
import { createJSONStorage, persist } from 'zustand/middleware';
import type { EnvName, TaskSpec } from '../core/types.ts';
import type { ExperimentProgress, ExperimentSummary, ResultRow } from '../experiments/types.ts';
import type { EpisodeView, TaskInfo } from '../../workers/api.ts';
import { defaultDrafts, type Drafts } from './env/param-form.ts';
import type { ModelInfo } from '../models/loader/types.ts';

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

export const TAB_IDS = ['episode', 'sweep', 'model', 'bench'] as const;
export type Tab = (typeof TAB_IDS)[number];
export type RunStatus = 'running' | 'done' | 'cancelled' | 'failed' | 'interrupted';

export interface SweepRun {
  id: string;
  name: string;
  spec: unknown;
  rows: ResultRow[];
  status: RunStatus;
  error?: string;
  startedAt: number;
  finishedAt?: number;
  summary?: ExperimentSummary;
}

export interface LiveProgress extends ExperimentProgress {
  startedAt: number;
  updatedAt: number;
}

/** How many finished runs are kept; older ones are dropped so localStorage stays small. */
const MAX_RUNS = 8;

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
  runs: SweepRun[];
  activeRunId: string | null;
  /** why the last sweep stopped early, when it produced no rows to show it with (not persisted). */
  sweepNotice: string | null;

  /** the model chosen in the Model tab (persisted; loading it again is one click). */
  modelChoice: ModelChoice;
  hubHost: string;
  /** the last model that loaded, for display after a reload (the worker's copy is gone then). */
  lastModel: ModelInfo | null;
  iclChoice: IclChoice;
  /** "Try the model": the prompt, and the tokens-to-generate field as typed (checked on use). */
  tryPrompt: string;
  tryTokens: string;

  set: (patch: Partial<LabState>) => void;
  setDraftField: (env: EnvName, key: string, value: string) => void;
  setStep: (step: number) => void;
  startRun: (run: SweepRun) => void;
  addRow: (id: string, row: ResultRow) => void;
  finishRun: (id: string, status: RunStatus, extra?: { error?: string; summary?: ExperimentSummary }) => void;
  deleteRun: (id: string) => void;
}

/**
 * Live progress lives in its own, unpersisted store: it changes many times a second, and every
 * change to the persisted store rewrites all saved results to localStorage.
 */
export const useProgress = create<{ progress: LiveProgress | null }>()(() => ({ progress: null }));

export const useLab = create<LabState>()(
  persist(
    (set) => ({
      tab: 'episode',
      env: 'energy-mdp',
      drafts: defaultDrafts(),
      seed: '1',
      lastValid: null,
      task: null,
      taskBusy: false,
      taskError: null,

      policy: 'oracle',
      episodeIndex: 0,
      trueModel: 'drawn',
      episode: null,
      step: 0,
      episodeBusy: false,
      episodeError: null,

      sweepSpec: null,
      runs: [],
      activeRunId: null,
      sweepNotice: null,

      modelChoice: { kind: 'shipped', shipped: null, hubId: '' },
      hubHost: DEFAULT_HUB_HOST,
      lastModel: null,
      iclChoice: { hubId: '', dtype: 'auto', device: 'auto', episodes: 1 },
      tryPrompt: DEFAULT_TRY_PROMPT,
      tryTokens: '16',

      set: (patch) => set(patch),
      setDraftField: (env, key, value) => set((s) => ({ drafts: { ...s.drafts, [env]: { ...s.drafts[env], [key]: value } } })),
      setStep: (step) =>
        set((s) => {
          const n = s.episode?.steps.length ?? 0;
          return { step: n === 0 ? 0 : Math.min(n - 1, Math.max(0, step)) };
        }),
      startRun: (run) => {
        useProgress.setState({ progress: null });
        set((s) => ({ runs: [run, ...s.runs].slice(0, MAX_RUNS), activeRunId: run.id, sweepNotice: null }));
      },
      addRow: (id, row) => set((s) => ({ runs: s.runs.map((r) => (r.id === id ? { ...r, rows: [...r.rows, row] } : r)) })),
      finishRun: (id, status, extra) => {
        useProgress.setState({ progress: null });
        set((s) => {
          const run = s.runs.find((r) => r.id === id);
          // A run that stopped before its first row has nothing to show: drop it and go back to the
          // results that were on screen before, with a note saying what happened.
          if (run && status !== 'done' && run.rows.length === 0) {
            const runs = s.runs.filter((r) => r.id !== id);
            const why = status === 'cancelled' ? 'The sweep was cancelled before its first row.' : `The sweep failed: ${extra?.error ?? 'unknown error'}`;
            return { runs, activeRunId: runs[0]?.id ?? null, sweepNotice: why };
          }
          return { runs: s.runs.map((r) => (r.id === id ? { ...r, status, finishedAt: Date.now(), ...extra } : r)) };
        });
      },
      deleteRun: (id) =>
        set((s) => {
          const runs = s.runs.filter((r) => r.id !== id);
          return { runs, activeRunId: s.activeRunId === id ? (runs[0]?.id ?? null) : s.activeRunId };
        }),
    }),
    {
      name: 'decision-lab',
      version: 1,
      storage: createJSONStorage(() => localStorage),
      partialize: (s) => ({
        tab: s.tab,
        env: s.env,
        drafts: s.drafts,
        seed: s.seed,
        lastValid: s.lastValid,
        task: s.task,
        policy: s.policy,
        episodeIndex: s.episodeIndex,
        trueModel: s.trueModel,
        episode: s.episode,
        step: s.step,
        sweepSpec: s.sweepSpec,
        runs: s.runs,
        activeRunId: s.activeRunId,
        modelChoice: s.modelChoice,
        hubHost: s.hubHost,
        lastModel: s.lastModel,
        iclChoice: s.iclChoice,
        tryPrompt: s.tryPrompt,
        tryTokens: s.tryTokens,
      }),
      // A run that was streaming when the page went away has no worker any more: say so.
      merge: (persisted, current) => {
        const p = (persisted ?? {}) as Partial<LabState>;
        const runs = (p.runs ?? []).map((r) => (r.status === 'running' ? { ...r, status: 'interrupted' as const } : r));
        // A stored tab the app no longer has (or a corrupted one) would leave no tab selected.
        const tab = (TAB_IDS as readonly unknown[]).includes(p.tab) ? p.tab! : current.tab;
        return { ...current, ...p, tab, drafts: { ...defaultDrafts(), ...p.drafts }, runs };
      },
    },
  ),
);
