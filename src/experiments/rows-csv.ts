/**
 * Result rows as CSV (papaparse writes it, quoting included): one line per row, the swept
 * parameters as their own columns, gaps as fractions. Shared by the app's export and the
 * reproduction's committed rows. Per-task gaps stay in the JSON export.
 */
import Papa from 'papaparse';
import type { ResultRow } from './types.ts';

const VALUE_COLUMNS = ['policy', 'tasks', 'gap', 'ciLow', 'ciHigh', 'meanReturn', 'meanOracleReturn', 'flaggedTasks'] as const;

export function rowsToCsv(rows: readonly ResultRow[]): string {
  const params = [...new Set(rows.flatMap((r) => Object.keys(r.point)))];
  const fields = ['experiment', 'env', ...params, ...VALUE_COLUMNS];
  const data = rows.map((r) => [
    r.experiment,
    r.env,
    ...params.map((p) => r.point[p] ?? ''),
    ...VALUE_COLUMNS.map((c) => {
      const v = r[c];
      // ±Infinity (one task: no spread) and JSON's null both mean "no interval": an empty cell.
      return typeof v === 'number' && Number.isFinite(v) ? v : typeof v === 'string' ? v : '';
    }),
  ]);
  return `${Papa.unparse({ fields, data }, { newline: '\n' })}\n`;
}
