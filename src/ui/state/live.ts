/**
 * The store's live slices: what a worker or a running action owns (a sweep's progress, a model
 * load, an ICL run, "Try the model", the busy flags of the task and episode panels, an episode a
 * shared link is computing again). A reload ends the worker that owned them, so none is saved:
 * persist's `partialize` takes only the settings keys, and the settings storage skips a write when
 * no settings key changed (store.ts), so a progress event many times a second costs no save.
 */
import type { StateCreator } from 'zustand';
import type { TaskSpec } from '../../core/types.ts';
import type { ExperimentProgress } from '../../experiments/types.ts';
import type { CompareResult, EpisodeRequest } from '../../../workers/api.ts';
import { initialIcl, type IclState } from '../model/icl-state.ts';
import { initialLoad, type LoadState } from '../model/load-state.ts';
import { idleTry, type TryState } from '../model/try-state.ts';
import type { LabMutators, LabState } from '../store.ts';

export interface LiveProgress extends ExperimentProgress {
  startedAt: number;
  updatedAt: number;
}

/** The task and episode a shared link showed, being computed again (they are not in the link: only what makes them). */
export interface LinkRestore {
  task: TaskSpec;
  /** the episode to run on it, or null when the link showed the task only. */
  run: EpisodeRequest | null;
  step: number;
}

export interface LiveSlice {
  /** the running sweep's progress. */
  progress: LiveProgress | null;
  /** the engine model load of the Model tab. */
  modelLoad: LoadState;
  /** the ICL section of the Model tab: its ONNX model load and its run. */
  icl: IclState;
  /** "Try the model": the generation running or last finished. */
  tryRun: TryState;
  taskBusy: boolean;
  taskError: string | null;
  episodeBusy: boolean;
  episodeError: string | null;
  linkRestore: LinkRestore | null;
  /** the Compare tab's last result, with the task spec it ran on. */
  compareResult: (CompareResult & { spec: TaskSpec }) | null;
  compareRun: CompareRun;
  /** a Train-tab job that could not start (its spec, say). */
  trainError: string | null;
  /** how many links were applied: a form that keeps typed text in its own state remounts on a new one. */
  linkGeneration: number;
  /** Merges `patch` into one of the object-valued live slices, or replaces it by `patch(previous)`. */
  updateLive: <K extends LiveObjectKey>(key: K, patch: Partial<LiveSlice[K]> | ((previous: LiveSlice[K]) => LiveSlice[K])) => void;
}

export interface CompareRun {
  status: 'idle' | 'running' | 'done' | 'failed';
  error: string | null;
  startedAt?: number;
}

type LiveObjectKey = 'modelLoad' | 'icl' | 'tryRun';

export const createLiveSlice: StateCreator<LabState, LabMutators, [], LiveSlice> = (set) => ({
  progress: null,
  modelLoad: initialLoad,
  icl: initialIcl,
  tryRun: idleTry,
  taskBusy: false,
  taskError: null,
  episodeBusy: false,
  episodeError: null,
  linkRestore: null,
  compareResult: null,
  compareRun: { status: 'idle', error: null },
  trainError: null,
  linkGeneration: 0,
  updateLive: (key, patch) =>
    set((s) => {
      const next = typeof patch === 'function' ? patch(s[key]) : { ...s[key], ...patch };
      return { [key]: next } as Pick<LiveSlice, typeof key>;
    }),
});
