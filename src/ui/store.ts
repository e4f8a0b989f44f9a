/**
 * The lab's one store: a single zustand `create` composed of slices (the zustand slices
 * pattern), each in its own module under state/:
 *
 * - settings (state/settings.ts): what a person set up. Saved to localStorage (small, read
 *   synchronously so the first paint already shows it), checked panel by panel when read back
 *   (persist/settings-recovery.ts, whose schema also gives the defaults) and written into a
 *   shared link (share/lab-link.ts) through the same schema.
 * - saved (state/saved.ts): sweep runs and what they trained, in IndexedDB; notices about what
 *   was not saved, what could not be read back and what a link held that could not be used.
 * - live (state/live.ts): what a worker owns (progress, model loads, ICL and "Try the model"
 *   runs, busy flags), never saved, because a reload kills the worker that owned it.
 */
import { create } from 'zustand';
import { persist, type PersistStorage, type StorageValue } from 'zustand/middleware';
import { notSavedNotice } from './persist/notice.ts';
import { recoverSettings, SETTINGS_KEYS, sliceLabel, TAB_IDS } from './persist/settings-recovery.ts';
import { createLiveSlice, type LiveSlice } from './state/live.ts';
import { createSavedSlice, keepLegacyRuns, type SavedSlice } from './state/saved.ts';
import { createSettingsSlice, type Settings, type SettingsSlice } from './state/settings.ts';

export { DEFAULT_HUB_HOST, DEFAULT_TRY_PROMPT, type IclChoice, type ModelChoice } from './persist/settings-recovery.ts';
export type { RunStatus, SweepRun } from './persist/run-record.ts';
export type { LinkRestore, LiveProgress } from './state/live.ts';
export type { Settings, Tab } from './state/settings.ts';
export { defaultSettings } from './state/settings.ts';
export { TAB_IDS, sliceLabel };

export type LabState = SettingsSlice & SavedSlice & LiveSlice;
/** The middleware the store is made with, which every slice's StateCreator names. */
export type LabMutators = [['zustand/persist', unknown]];

/** Notices are set after the current update has finished, never from inside a storage call. */
function notifyRecovery(recoveryNotice: string): void {
  queueMicrotask(() => useLab.setState({ recoveryNotice }));
}

/**
 * localStorage that reports a failed save instead of throwing into whatever changed the state,
 * and that writes only when a settings key changed: every `set` of the store reaches persist,
 * and the live slices change many times a second (progress, tokens) while the settings, which
 * hold a solved task and an episode, do not.
 */
function settingsStorage(): PersistStorage<Partial<Settings>> {
  let written: Record<string, unknown> | null = null;
  let failed = false;
  const note = (sentence: string | null) => queueMicrotask(() => useLab.getState().noteUnsaved('settings', sentence));
  return {
    getItem: (name) => {
      const raw = typeof localStorage === 'undefined' ? null : localStorage.getItem(name);
      return raw === null ? null : (JSON.parse(raw) as StorageValue<Partial<Settings>>);
    },
    setItem: (name, value) => {
      const state = value.state as Record<string, unknown>;
      if (written && SETTINGS_KEYS.every((k) => Object.is(written![k], state[k]))) return;
      // Recorded even when the write fails: the next change of a setting tries again.
      written = state;
      try {
        localStorage.setItem(name, JSON.stringify(value));
        if (failed) note(null);
        failed = false;
      } catch (e) {
        failed = true;
        note(notSavedNotice('the latest change to your settings', e));
      }
    },
    removeItem: (name) => localStorage.removeItem(name),
  };
}

export const useLab = create<LabState>()(
  persist<LabState, [], [], Partial<Settings>>(
    (...a) => ({
      ...createSettingsSlice(...a),
      ...createSavedSlice(...a),
      ...createLiveSlice(...a),
    }),
    {
      name: 'decision-lab',
      // 2: runs moved to IndexedDB. Older states are read by `merge`, slice by slice.
      version: 2,
      // Unchecked here: `merge` checks every slice of what was read, whatever its version.
      migrate: (persisted) => persisted as Partial<Settings>,
      storage: settingsStorage(),
      partialize: (s) => Object.fromEntries(SETTINGS_KEYS.map((k) => [k, s[k as keyof LabState]])) as Partial<Settings>,
      merge: (persisted, current) => {
        const p = persisted as { runs?: unknown } | undefined;
        if (Array.isArray(p?.runs)) keepLegacyRuns(p.runs);
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

/** Reads the saved runs and artifacts from IndexedDB; the sweep panel shows "loading" until it is done. */
export function loadSaved(): Promise<void> {
  return useLab.getState().loadSaved();
}

/** Hides the storage notices shown now (the notice's Dismiss button). */
export function dismissUnsaved(): void {
  useLab.getState().dismissUnsaved();
}
