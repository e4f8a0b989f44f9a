/**
 * A figure's rows file (`results/<figure>.jsonl`), the reproduction's record and its resume
 * state in one: one JSON line per row (the pipeline's row plus `unit` and `scale`), and after a
 * unit's rows, in the same append, one `{"unitDone": …}` line. A unit counts as done only with
 * its marker, so rows of a unit cut off mid-write are dropped on the next run and the unit runs
 * again. Pure text in and out; the CLI reads and writes the file.
 */
import type { Scale, StoredRow, UnitRecord } from './types.ts';

export interface FigureStore {
  /** rows of complete units, in file order. */
  rows: StoredRow[];
  /** complete units by id. */
  units: Map<string, UnitRecord>;
  /** lines dropped: rows of incomplete units and unreadable lines (a write cut short). */
  dropped: number;
}

/** JSON turns ±Infinity (a one-task interval) into null; read them back as unbounded. */
function revive(row: StoredRow): StoredRow {
  return { ...row, ciLow: row.ciLow ?? -Infinity, ciHigh: row.ciHigh ?? Infinity };
}

export function parseStore(text: string): FigureStore {
  const rows: StoredRow[] = [];
  const units = new Map<string, UnitRecord>();
  let unreadable = 0;
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    let v: unknown;
    try {
      v = JSON.parse(line);
    } catch {
      unreadable++;
      continue;
    }
    if (v !== null && typeof v === 'object' && 'unitDone' in v) {
      const u = (v as { unitDone: UnitRecord }).unitDone;
      units.set(u.unit, u);
    } else if (v !== null && typeof v === 'object' && 'unit' in v && 'policy' in v) rows.push(revive(v as StoredRow));
    else unreadable++;
  }
  const complete = rows.filter((r) => units.has(r.unit));
  return { rows: complete, units, dropped: unreadable + rows.length - complete.length };
}

/** The text of one finished unit: its rows, then its marker. */
export function unitText(rows: readonly StoredRow[], record: UnitRecord): string {
  return `${[...rows.map((r) => JSON.stringify(r)), JSON.stringify({ unitDone: record })].join('\n')}\n`;
}

/** The file rewritten with the given complete units only (in their stored order). */
export function storeText(store: FigureStore, keep: (unit: UnitRecord) => boolean): string {
  let out = '';
  for (const u of store.units.values()) {
    if (!keep(u)) continue;
    out += unitText(store.rows.filter((r) => r.unit === u.unit), u);
  }
  return out;
}

/** The scales of the stored units (a figure's file should hold one). */
export function storedScales(store: FigureStore): Set<Scale> {
  return new Set([...store.units.values()].map((u) => u.scale));
}
