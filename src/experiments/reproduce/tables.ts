/** Markdown tables of stored rows: one row per policy, one column per point, gap % with its 95 % interval. */
import { FIGURE_POLICIES, type MachineInfo, type StoredRow, type UnitRecord } from './types.ts';

export function pct(x: number, digits = 1): string {
  return Number.isFinite(x) ? (100 * x).toFixed(digits) : '—';
}

/** `15.3 % [12.1, 18.4]`; an unbounded interval (one task) prints as `[—, —]`. */
export function gapCell(r: Pick<StoredRow, 'gap' | 'ciLow' | 'ciHigh'>): string {
  return `${pct(r.gap)} % [${pct(r.ciLow)}, ${pct(r.ciHigh)}]`;
}

/** `horizon = 5, q = 0.7`; a key whose `key=value` another label already spells out (test: "q=0.7") is left out. */
export function pointLabel(point: Record<string, number | string>, skip: readonly string[] = []): string {
  const spelled = Object.values(point).filter((v): v is string => typeof v === 'string');
  const parts = Object.entries(point)
    .filter(([k, v]) => !skip.includes(k) && !spelled.some((s) => s.includes(`${k}=${v}`)))
    .map(([k, v]) => `${k} = ${v}`);
  return parts.length > 0 ? parts.join(', ') : '—';
}

/** Policies in the order of the paper's tables, others after. */
export function policyOrder(a: string, b: string): number {
  const order = ['oracle', ...FIGURE_POLICIES] as string[];
  const ia = order.indexOf(a);
  const ib = order.indexOf(b);
  return (ia < 0 ? 99 : ia) - (ib < 0 ? 99 : ib) || a.localeCompare(b);
}

export function markdownTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

/**
 * Policies × points. `cell` formats a row (default: the gap with its interval); points are
 * in the order rows were stored, which is the plan's.
 */
export function policyTable(rows: readonly StoredRow[], cell: (r: StoredRow) => string = gapCell): string {
  const columns: string[] = [];
  for (const r of rows) {
    const label = pointLabel(r.point);
    if (!columns.includes(label)) columns.push(label);
  }
  const policies = [...new Set(rows.map((r) => r.policy))].sort(policyOrder);
  const body = policies.map((p) => [p, ...columns.map((c) => {
    const r = rows.find((x) => x.policy === p && pointLabel(x.point) === c);
    return r ? cell(r) : '—';
  })]);
  return markdownTable(['policy', ...columns], body);
}

export function machineText(m: MachineInfo): string {
  return `${m.os}, ${m.cpu}, ${m.cores} cores, Node ${m.node}`;
}

/** Wall time, machines and dates of a figure's stored units. */
export function provenance(units: readonly UnitRecord[]): { seconds: number; machines: string[]; from: string; to: string; load?: [number, number] } {
  const seconds = units.reduce((s, u) => s + u.seconds, 0);
  const machines = [...new Set(units.map((u) => machineText(u.machine)))];
  const dates = units.map((u) => u.finished).sort();
  const loads = units.flatMap((u) => (u.load === undefined ? [] : [u.load]));
  return { seconds, machines, from: dates[0] ?? '', to: dates[dates.length - 1] ?? '', ...(loads.length > 0 ? { load: [Math.min(...loads), Math.max(...loads)] as [number, number] } : {}) };
}

/**
 * The load average at the units' ends, and what it says: above the machine's core count, more
 * threads wanted to run than it has (other jobs, or the run's own helpers), so the wall times may be upper bounds.
 */
export function loadNote(p: Pick<ReturnType<typeof provenance>, 'load' | 'machines'>): string {
  if (!p.load) return '';
  const cores = Math.min(...p.machines.map((m) => Number(/(\d+) cores/.exec(m)?.[1] ?? Infinity)));
  const range = `, load average ${p.load[0].toFixed(1)}–${p.load[1].toFixed(1)} at the units' ends`;
  if (!Number.isFinite(cores)) return range;
  return p.load[1] > cores + 0.05
    ? `${range} (above its ${cores} cores: more threads wanted to run than there were cores, from other jobs or the run's own helpers, so the wall time may be an upper bound)`
    : `${range} (within its ${cores} cores)`;
}

export function duration(seconds: number): string {
  if (seconds < 120) return `${seconds.toFixed(1)} s`;
  if (seconds < 7200) return `${(seconds / 60).toFixed(1)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}
