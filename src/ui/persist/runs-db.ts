/**
 * Sweep runs in IndexedDB (through idb-keyval): one record per run, rewritten as its rows arrive.
 * IndexedDB, not localStorage: a run with 1,000 tasks per row is ~17 kB a row, and
 * localStorage's ~5 MB would fill after a few runs. Every function rejects with the browser's
 * error (QuotaExceededError when storage is full); the store turns that into a notice.
 */
import { createStore, del, get, set, values, type UseStore } from 'idb-keyval';
import { readRunRecord, type SweepRun } from './run-record.ts';

let store: UseStore | null = null;
function runsStore(): UseStore {
  store ??= createStore('decision-lab-runs', 'runs');
  return store;
}

export function putRun(run: SweepRun): Promise<void> {
  return set(run.id, run, runsStore());
}

export function removeRun(id: string): Promise<void> {
  return del(id, runsStore());
}

export function getRun(id: string): Promise<SweepRun | null> {
  return get<unknown>(id, runsStore()).then((x) => (x === undefined ? null : readRunRecord(x)));
}

/** Every readable run, newest first, and how many records could not be read (left in place, not shown). */
export async function readRuns(): Promise<{ runs: SweepRun[]; unreadable: number }> {
  const all = await values<unknown>(runsStore());
  const runs: SweepRun[] = [];
  for (const x of all) {
    const r = readRunRecord(x);
    if (r) runs.push(r);
  }
  runs.sort((a, b) => b.startedAt - a.startedAt);
  return { runs, unreadable: all.length - runs.length };
}
