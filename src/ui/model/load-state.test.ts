import { describe, expect, it } from 'vitest';
import type { FileProgress } from '../../models/loader/types.ts';
import { applyEvent, initialLoad, type LoadState, totals } from './load-state.ts';

const file = (f: string, loaded: number, total: number | null, extra: Partial<FileProgress> = {}): FileProgress => ({ type: 'file', file: f, loaded, total, fromCache: false, done: false, ...extra });

describe('model load progress', () => {
  it('sums files, and estimates the time left from the download pace', () => {
    let s: LoadState = { ...initialLoad, status: 'loading', startedAt: 0 };
    s = applyEvent(s, file('config.json', 100, 100, { done: true, fromCache: true }), 0);
    s = applyEvent(s, file('model.safetensors', 0, 1000), 1000);
    s = applyEvent(s, file('model.safetensors', 250, 1000), 1000);
    // 250 bytes in 2 s since the first downloaded byte: 750 left → 6 s.
    const t = totals(s, 3000);
    expect(t).toEqual({ loaded: 350, total: 1100, eta: 6 });
  });

  it('has no total while a size is unknown, and never moves a finished file back', () => {
    let s = applyEvent(initialLoad, file('a', 10, null), 0);
    expect(totals(s, 1000).total).toBeNull();
    s = applyEvent(s, file('a', 20, 20, { done: true }), 10);
    s = applyEvent(s, file('a', 15, null), 20);
    expect(s.files.a).toMatchObject({ loaded: 20, done: true });
  });

  it('tracks the building fraction from stage events', () => {
    const s = applyEvent(initialLoad, { type: 'stage', stage: 'building', fraction: 0.5 }, 0);
    expect(s).toMatchObject({ stage: 'building', building: 0.5 });
  });
});
