/**
 * The one store: every slice in one zustand store (the model load, the ICL and "Try the model"
 * runs and the sweep progress used to be stores of their own), defaults read from the settings
 * schema, and saves only when a setting changed (the reason progress once had its own store).
 */
import 'fake-indexeddb/auto';
import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { defaultDrafts } from './env/param-form.ts';
import { initialIcl } from './model/icl-state.ts';
import { applyEvent, initialLoad } from './model/load-state.ts';
import { idleTry } from './model/try-state.ts';
import { SETTINGS_KEYS, settingsDefaults } from './persist/settings-recovery.ts';

/** localStorage as the browser has it, counting writes; `full` makes it refuse them as a full disk does. */
const storage = {
  items: new Map<string, string>(),
  writes: 0,
  full: false,
  getItem(k: string) {
    return this.items.get(k) ?? null;
  },
  setItem(k: string, v: string) {
    if (this.full) throw new DOMException('quota', 'QuotaExceededError');
    this.writes++;
    this.items.set(k, v);
  },
  removeItem(k: string) {
    this.items.delete(k);
  },
};
vi.stubGlobal('localStorage', storage);

let lab: typeof import('./store.ts');
beforeAll(async () => {
  lab = await import('./store.ts');
});

const settled = () => new Promise((r) => setTimeout(r, 0));

beforeEach(() => {
  storage.full = false;
  lab.useLab.setState({ ...lab.defaultSettings(), unsaved: {} });
});

describe('the lab store', () => {
  it('holds every slice: settings, saved data and the live state the model tab and sweeps had in stores of their own', () => {
    const s = lab.useLab.getState();
    for (const k of SETTINGS_KEYS) expect(s).toHaveProperty(k);
    expect(s).toMatchObject({ runs: [], artifacts: [], progress: null, modelLoad: initialLoad, icl: initialIcl, tryRun: idleTry, linkRestore: null });
  });

  it('starts from the settings schema’s defaults, which cover every saved key', () => {
    const d = lab.defaultSettings();
    expect(d).toEqual(settingsDefaults());
    expect(Object.keys(d).sort()).toEqual([...SETTINGS_KEYS].sort());
    expect(d).toMatchObject({ tab: 'episode', env: 'energy-mdp', seed: '1', step: 0, sweepSpec: null, tryTokens: '16' });
    expect(d.drafts).toEqual(defaultDrafts());
    // fresh objects each time: a panel editing its copy cannot change the defaults
    expect(lab.defaultSettings().drafts).not.toBe(d.drafts);
  });

  it('writes the saved settings when a setting changes, and not when only live state does', () => {
    const before = storage.writes;
    lab.useLab.getState().set({ seed: '7' });
    expect(storage.writes).toBe(before + 1);
    expect(JSON.parse(storage.items.get('decision-lab')!)).toMatchObject({ state: { seed: '7' }, version: 2 });
    for (let i = 0; i < 50; i++) {
      lab.useLab.setState({ progress: { done: i, total: 50, label: 'evaluating', startedAt: 0, updatedAt: i } });
      lab.useLab.getState().updateLive('tryRun', { status: 'running' });
    }
    expect(storage.writes).toBe(before + 1);
    // nor are live slices ever part of what is saved
    const saved = JSON.parse(storage.items.get('decision-lab')!) as { state: Record<string, unknown> };
    expect(Object.keys(saved.state).sort()).toEqual([...SETTINGS_KEYS].sort());
  });

  it('updateLive merges a patch into a live slice, or replaces it by a function of the previous value', () => {
    const { updateLive } = lab.useLab.getState();
    updateLive('modelLoad', { status: 'loading', label: 'm' });
    updateLive('modelLoad', (s) => applyEvent(s, { type: 'stage', stage: 'building', fraction: 0.25 }, 0));
    expect(lab.useLab.getState().modelLoad).toMatchObject({ status: 'loading', label: 'm', stage: 'building', building: 0.25, files: {} });
    updateLive('icl', (s) => ({ ...s, load: { ...s.load, status: 'ready' } }));
    expect(lab.useLab.getState().icl).toMatchObject({ load: { status: 'ready' }, info: null, run: { status: 'idle' } });
  });

  it('resetSlice puts one panel’s settings back to the schema defaults and leaves the others', () => {
    lab.useLab.getState().set({ seed: '9', policy: 'random', tryPrompt: 'hello', tab: 'model' });
    lab.useLab.getState().resetSlice('episode');
    expect(lab.useLab.getState()).toMatchObject({ seed: '1', policy: 'oracle', tryPrompt: 'hello', tab: 'model' });
  });

  it('a settings save that fails becomes a notice, which the next successful save removes', async () => {
    storage.full = true;
    lab.useLab.getState().set({ seed: '11' });
    await settled();
    expect(lab.useLab.getState().unsaved.settings).toBe('The latest change to your settings — browser storage is full');
    expect(lab.useLab.getState().seed).toBe('11');
    storage.full = false;
    lab.useLab.getState().set({ seed: '12' });
    await settled();
    expect(lab.useLab.getState().unsaved.settings).toBeUndefined();
  });
});
