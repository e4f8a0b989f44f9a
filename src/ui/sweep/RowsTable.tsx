import type { ResultRow } from '../../experiments/types.ts';
import { fmt, pct } from '../format.ts';
import { smallSampleWarning } from './small-sample.ts';

/** One column per swept param (the sweep's, then a series' if any), then the row's figures. */
export function RowsTable({ rows, param, series }: { rows: ResultRow[]; param: string; series?: string | undefined }) {
  if (rows.length === 0) return <p className="note">No rows yet.</p>;
  const params = series ? [param, series] : [param];
  const warning = smallSampleWarning(rows);
  return (
    <>
      {warning && (
        <p className="note" data-testid="small-sample">
          {warning}
        </p>
      )}
      <div className="table-wrap">
        <table className="rows" data-testid="rows-table">
          <caption className="visually-hidden">Result rows, one per swept value and policy</caption>
          <thead>
            <tr>
              {params.map((p) => (
                <th key={p} scope="col">
                  {p}
                </th>
              ))}
              <th scope="col">policy</th>
              <th scope="col" title="Mean over test tasks of (R* − R^π) / R*">gap</th>
              <th scope="col" title="95 % Student-t interval over test tasks">95 % interval</th>
              <th scope="col" title="Mean return of the policy">R^π</th>
              <th scope="col" title="Mean return of the oracle">R*</th>
              <th scope="col">tasks</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r, i) => (
              <tr key={i}>
                {params.map((p) => (
                  <td key={p}>{String(r.point[p] ?? Object.values(r.point).join(', '))}</td>
                ))}
                <td>{r.policy}</td>
                <td>{pct(r.gap)}</td>
                <td>
                  [{pct(r.ciLow)}, {pct(r.ciHigh)}]
                </td>
                <td>{fmt(r.meanReturn)}</td>
                <td>{fmt(r.meanOracleReturn)}</td>
                <td>{r.tasks}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}
