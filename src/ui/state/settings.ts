/**
 * The store's settings slice: what a person set up, saved to localStorage and written into a
 * shared link. Its defaults are the settings schema's (persist/settings-recovery.ts), the one
 * schema that a saved state, a link and a reset all go through.
 */
import type { StateCreator } from 'zustand';
import type { EnvName, TaskSpec } from '../../core/types.ts';
import type { ModelInfo } from '../../models/loader/types.ts';
import type { EpisodeView, TaskInfo } from '../../../workers/api.ts';
import type { Drafts } from '../env/param-form.ts';
import type { CompareSettings } from '../compare/compare-settings.ts';
import type { TrainJob, TrainSettings } from '../train/train-settings.ts';
import type { TheorySettings } from '../../core/theory/explorer.ts';
import { settingsDefaults, sliceKeys, type IclChoice, type ModelChoice, type SliceName, type TAB_IDS } from '../persist/settings-recovery.ts';
import type { LabMutators, LabState } from '../store.ts';

export type Tab = (typeof TAB_IDS)[number];

export interface Settings {
  tab: Tab;
  env: EnvName;
  /** the parameter fields as typed, per environment (switching keeps what was typed). */
  drafts: Drafts;
  seed: string;
  /** the last spec that passed validation: what "Sample task" uses while the form has errors. */
  lastValid: TaskSpec | null;
  task: TaskInfo | null;
  policy: string;
  episodeIndex: number;
  /** APOMDP: which model generates the episode; 'drawn' = drawn from the set. */
  trueModel: 'drawn' | number;
  episode: EpisodeView | null;
  step: number;
  /** the sweep spec being edited (a plain object; validated by the experiment spec parser); null = the first example. */
  sweepSpec: Record<string, unknown> | null;
  activeRunId: string | null;
  /** the model chosen in the Model tab (loading it again is one click). */
  modelChoice: ModelChoice;
  hubHost: string;
  /** the last model that loaded, for display after a reload (the worker's copy is gone then). */
  lastModel: ModelInfo | null;
  iclChoice: IclChoice;
  /** "Try the model": the prompt, and the tokens-to-generate field as typed (checked on use). */
  tryPrompt: string;
  tryTokens: string;
  /** the Compare tab's choices and the step shown. */
  compare: CompareSettings;
  /** the Theory tab's sliders. */
  theory: TheorySettings;
  /** the Train tab's choices, and its job (kept so that a reload can continue it). */
  train: TrainSettings;
  trainJob: TrainJob | null;
}

export interface SettingsSlice extends Settings {
  set: (patch: Partial<LabState>) => void;
  setDraftField: (env: EnvName, key: string, value: string) => void;
  setStep: (step: number) => void;
  /** Puts one panel's saved settings back to their defaults (the error boundary's way out). */
  resetSlice: (name: SliceName) => void;
}

/** The settings every panel starts from, and goes back to on `resetSlice`: the schema's defaults. */
export function defaultSettings(): Settings {
  // The schema checks the top of a task and an episode (their full types are the workers',
  // workers/api.ts); both default to null, every other field is typed by the schema itself.
  return settingsDefaults() as unknown as Settings;
}

export const createSettingsSlice: StateCreator<LabState, LabMutators, [], SettingsSlice> = (set) => ({
  ...defaultSettings(),
  set: (patch) => set(patch),
  setDraftField: (env, key, value) => set((s) => ({ drafts: { ...s.drafts, [env]: { ...s.drafts[env], [key]: value } } })),
  setStep: (step) =>
    set((s) => {
      const n = s.episode?.steps.length ?? 0;
      return { step: n === 0 ? 0 : Math.min(n - 1, Math.max(0, step)) };
    }),
  resetSlice: (name) => {
    const d: Record<string, unknown> = { ...defaultSettings() };
    set(Object.fromEntries(sliceKeys(name).map((k) => [k, d[k]])));
  },
});
