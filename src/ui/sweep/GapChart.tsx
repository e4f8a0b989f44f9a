import { memo, useRef } from 'react';
import { ChartExport } from '../common/ChartExport.tsx';
import { CartesianGrid, ErrorBar, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { ResultRow } from '../../experiments/types.ts';

const COLORS = ['#4263eb', '#d9480f', '#2b8a3e', '#ae3ec9', '#e67700', '#0b7285', '#495057'];

interface Props {
  rows: ResultRow[];
  param: string;
  /** every value of the swept parameter, so the x axis is complete before rows arrive. */
  values: (number | string)[];
  policies: string[];
}

/** A y axis that always shows 0 and every interval, with round ticks (gaps are in %). */
function gapAxis(rows: ResultRow[]): { lo: number; hi: number; ticks: number[] } {
  const lows = rows.map((r) => r.ciLow * 100).filter(Number.isFinite);
  const highs = rows.map((r) => r.ciHigh * 100).filter(Number.isFinite);
  const min = Math.min(0, ...lows);
  const max = Math.max(10, ...highs);
  const step = [5, 10, 20, 25, 50, 100, 200].find((s) => (max - min) / s <= 6) ?? 500;
  const lo = Math.floor(min / step) * step;
  const hi = Math.ceil(max / step) * step;
  const ticks: number[] = [];
  for (let t = lo; t <= hi + 1e-9; t += step) ticks.push(t);
  return { lo, hi, ticks };
}

type Point = Record<string, number | string | [number, number] | undefined>;

/** Optimality gap (%) against the swept parameter: one line per policy, 95 % intervals as error bars. */
/** Memoized: progress ticks re-render the panel, but the chart only changes when a row arrives. */
export const GapChart = memo(function GapChart({ rows, param, values, policies }: Props) {
  const chartRef = useRef<HTMLDivElement>(null);
  const xs = values.length > 0 ? values : [...new Set(rows.map((r) => r.point[param]!))];
  const data: Point[] = xs.map((x) => {
    const point: Point = { x: String(x) };
    for (const r of rows) {
      if (String(r.point[param]) !== String(x)) continue;
      point[r.policy] = r.gap * 100;
      point[`${r.policy}__err`] = [(r.gap - r.ciLow) * 100, (r.ciHigh - r.gap) * 100];
    }
    return point;
  });
  const axis = gapAxis(rows);
  const names = policies.length > 0 ? policies : [...new Set(rows.map((r) => r.policy))];
  return (
    <div className="chart-box">
      <ChartExport target={chartRef} name={`gap-vs-${param}`} />
      <div ref={chartRef} className="gap-chart" role="img" aria-label={`Optimality gap in percent against ${param}; ${rows.length} results so far`} data-testid="gap-chart">
        <ResponsiveContainer width="100%" height={300}>
          <LineChart data={data} margin={{ top: 10, right: 20, bottom: 24, left: 8 }}>
            <CartesianGrid strokeDasharray="3 3" />
            <XAxis dataKey="x" label={{ value: param, position: 'insideBottom', offset: -12 }} />
            <YAxis
              domain={[axis.lo, axis.hi]}
              ticks={axis.ticks}
              label={{ value: 'optimality gap (%)', angle: -90, position: 'insideLeft', offset: 4, style: { textAnchor: 'middle' } }} />
            <Tooltip formatter={(v) => (typeof v === 'number' ? `${v.toFixed(1)} %` : String(v))} />
            <Legend verticalAlign="top" height={28} />
            {names.map((p, i) => (
              <Line key={p} type="linear" dataKey={p} name={p} stroke={COLORS[i % COLORS.length]} strokeWidth={2} isAnimationActive={false} connectNulls>
                <ErrorBar dataKey={`${p}__err`} width={6} strokeWidth={1.5} stroke={COLORS[i % COLORS.length]} direction="y" />
              </Line>
            ))}
          </LineChart>
        </ResponsiveContainer>
      </div>
    </div>
  );
});
