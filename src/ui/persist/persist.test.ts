/**
 * Saved state read back: settings panel by panel (a bad slice resets alone), run records
 * (old ones, cut ones, streaming ones), and the IndexedDB stores through fake-indexeddb,
 * including a store that refuses a write as a full disk does.
 */
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { recoverSettings, SETTINGS_KEYS, settingsDefaults, sliceKeys, SLICE_NAMES } from './settings-recovery.ts';
import { approximateBytes, readRunRecord, type SweepRun } from './run-record.ts';
import { getRun, putRun, readRuns, removeRun } from './runs-db.ts';
import { artifactFiles, listArtifacts, putArtifact, removeArtifact } from './artifacts-db.ts';
import { isQuotaError, notSavedNotice } from './notice.ts';

// Every settings key (a panel's new ones included), with the values these tests read written out.
const DEFAULTS = {
  ...settingsDefaults(),
  tab: 'episode', env: 'energy-mdp', drafts: { 'energy-mdp': { horizon: '10' }, 'energy-pomdp': {}, 'energy-apomdp': {}, darkroom: {} }, seed: '1', lastValid: null, task: null,
  policy: 'oracle', episodeIndex: 0, trueModel: 'drawn', episode: null, step: 0, sweepSpec: null, activeRunId: null,
  modelChoice: { kind: 'shipped', shipped: null, hubId: '' }, hubHost: 'https://huggingface.co/', lastModel: null,
  iclChoice: { hubId: '', dtype: 'auto', device: 'auto', episodes: 1 }, tryPrompt: 'p', tryTokens: '16',
  set: () => undefined,
};

const row = { experiment: 'e', env: 'energy-mdp', point: { horizon: 5 }, policy: 'random', tasks: 2, gap: 0.5, ciLow: 0.1, ciHigh: 0.9, meanReturn: 1, meanOracleReturn: 2, taskGaps: [0.4, 0.6] };
const run = (id: string, extra: Partial<SweepRun> = {}): SweepRun => ({ id, name: `run ${id}`, spec: { env: 'energy-mdp' }, rows: [row], status: 'done', startedAt: Number(id.replace(/\D/g, '')) || 1, ...extra });

describe('settings recovery', () => {
  it('keeps every slice of a good saved state, and the defaults keep the functions', () => {
    const saved = { ...DEFAULTS, tab: 'sweep', seed: '42', sweepSpec: { name: 'x' }, tryPrompt: 'hello' };
    const { state, reset } = recoverSettings(saved, DEFAULTS);
    expect(reset).toEqual([]);
    expect(state).toMatchObject({ tab: 'sweep', seed: '42', sweepSpec: { name: 'x' }, tryPrompt: 'hello' });
    expect(state.set).toBe(DEFAULTS.set);
  });

  it('resets only the slice that is wrong (modelChoice: null) and names it', () => {
    const saved = { ...DEFAULTS, modelChoice: null, tryPrompt: 'kept?', seed: '42', tab: 'model' };
    const { state, reset } = recoverSettings(saved, DEFAULTS);
    expect(reset).toEqual(['the model panel']);
    expect(state.modelChoice).toEqual(DEFAULTS.modelChoice);
    expect(state.tryPrompt).toBe('p'); // same slice: back to its default with the rest of it
    expect(state).toMatchObject({ seed: '42', tab: 'model' });
  });

  it('a tab the app does not have goes back to the first tab', () => {
    const { state, reset } = recoverSettings({ tab: 'bogus', seed: '7' }, DEFAULTS);
    expect(state.tab).toBe('episode');
    expect(state.seed).toBe('7');
    expect(reset).toEqual(['the selected tab']);
  });

  it('an older state without newer keys takes their defaults without counting as a reset, and new draft fields are filled in', () => {
    const { state, reset } = recoverSettings({ seed: '3', drafts: { 'energy-mdp': { levels: '8' } } }, DEFAULTS);
    expect(reset).toEqual([]);
    expect(state.drafts['energy-mdp']).toEqual({ horizon: '10', levels: '8' });
    expect(state.drafts.darkroom).toEqual({});
  });

  it('reads garbage as the defaults: null, an array, a string', () => {
    for (const bad of [null, [], 'x', 3]) expect(recoverSettings(bad, DEFAULTS)).toEqual({ state: DEFAULTS, reset: [] });
  });

  it('an episode with no steps or a negative step resets the task and episode panels only', () => {
    const { reset } = recoverSettings({ episode: { steps: [] }, hubHost: 'h' }, DEFAULTS);
    expect(reset).toEqual(['the task and episode panels']);
    expect(recoverSettings({ step: -1 }, DEFAULTS).reset).toEqual(['the task and episode panels']);
  });

  it('every slice key is saved, and no key belongs to two slices', () => {
    const keys = SLICE_NAMES.flatMap(sliceKeys);
    expect(new Set(keys).size).toBe(keys.length);
    expect([...SETTINGS_KEYS].sort()).toEqual(Object.keys(DEFAULTS).filter((k) => k !== 'set').sort());
  });
});

describe('run records', () => {
  it('a run saved while it streamed comes back interrupted, with its rows', () => {
    expect(readRunRecord(run('r1', { status: 'running' }))).toMatchObject({ status: 'interrupted', rows: [row] });
  });
  it('JSON nulls for the intervals of one task are accepted; a row without its gap or a spec that is not an object is not', () => {
    expect(readRunRecord(run('r1', { rows: [{ ...row, ciLow: null as unknown as number }] }))).not.toBeNull();
    expect(readRunRecord(run('r1', { rows: [{ ...row, gap: undefined as unknown as number }] }))).toBeNull();
    expect(readRunRecord(run('r1', { spec: null }))).toBeNull();
    expect(readRunRecord({ id: 'x' })).toBeNull();
  });
});

describe('run sizes', () => {
  it('are the JSON bytes of the spec and every row plus 200 for the other fields, and grow by exactly the new row', () => {
    const bytes = (x: unknown) => Buffer.byteLength(JSON.stringify(x));
    const r = run('r9', { spec: { env: 'energy-mdp', name: 'é' } });
    expect(approximateBytes(r)).toBe(bytes(r.spec) + bytes(row) + 200);
    const more = { ...row, policy: 'sft' };
    expect(approximateBytes({ ...r, rows: [...r.rows, more] }) - approximateBytes(r)).toBe(bytes(more));
  });
});

describe('IndexedDB stores', () => {
  it('runs: put, read back newest first, skip unreadable records, delete', async () => {
    await putRun(run('r1'));
    await putRun(run('r3'));
    await putRun(run('r2', { status: 'running' }));
    const { set, createStore } = await import('idb-keyval');
    await set('broken', { id: 'broken', rows: 'no' }, createStore('decision-lab-runs', 'runs'));
    const { runs, unreadable } = await readRuns();
    expect(runs.map((r) => [r.id, r.status])).toEqual([['r3', 'done'], ['r2', 'interrupted'], ['r1', 'done']]);
    expect(unreadable).toBe(1);
    await removeRun('r3');
    expect(await getRun('r3')).toBeNull();
    expect((await readRuns()).runs).toHaveLength(2);
  });

  it('artifacts: the list holds sizes, the files come back byte for byte, a newer checkpoint of a point replaces the older', async () => {
    const bytes = new Uint8Array([1, 2, 3, 250]);
    const a = { kind: 'sft-checkpoint', policy: 'sft', pointIndex: 1, label: 'horizon=10', step: 20, steps: 60, files: { 'checkpoint.safetensors': bytes } } as const;
    await putArtifact({ id: 'r1', name: 'run 1' }, a, 10);
    await putArtifact({ id: 'r1', name: 'run 1' }, { ...a, step: 40, files: { 'checkpoint.safetensors': new Uint8Array([9]) } }, 20);
    await putArtifact({ id: 'r1', name: 'run 1' }, { ...a, kind: 'dpt-model', policy: 'dpt', files: { 'config.json': '{"é":1}', 'model.safetensors': bytes } }, 30);
    const list = await listArtifacts();
    expect(list.map((m) => [m.kind, m.step, m.bytes])).toEqual([['dpt-model', 20, 8 + 4], ['sft-checkpoint', 40, 1]]);
    // '{"é":1}' is 7 characters and 8 UTF-8 bytes (é takes two), plus 4 bytes of weights
    expect(list[0]!.fileNames).toEqual(['config.json', 'model.safetensors']);
    expect(await artifactFiles(list[0]!.id)).toEqual({ 'config.json': '{"é":1}', 'model.safetensors': bytes });
    await removeArtifact(list[1]!.id);
    expect(await artifactFiles(list[1]!.id)).toBeNull();
    expect(await listArtifacts()).toHaveLength(1);
  });
});

describe('notices', () => {
  it('says what was not saved, and why', () => {
    const full = new DOMException('quota', 'QuotaExceededError');
    expect(isQuotaError(full)).toBe(true);
    expect(notSavedNotice('the run "x" and its rows', full)).toBe('The run "x" and its rows — browser storage is full');
    expect(notSavedNotice('the run "x"', new Error('blocked'))).toBe('The run "x" — blocked');
  });
});
