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
  /** a second swept parameter: one line per (policy, value), the policy's colour with its own dash. */
  series?: { param: string; values: (number | string)[] };
}

const DASHES = ['', '7 4', '2 3', '10 4 2 4', '4 4', '1 5'];

/** The data key of one line: the policy, and with a series the value it holds. */
function lineKey(policy: string, series: Props['series'], value: unknown): string {
  return series ? `${policy} · ${series.param}=${String(value)}` : policy;
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

/**
 * Optimality gap (%) against the swept parameter: one line per policy (per policy and series
 * value with a series), 95 % intervals as error bars. Memoized: progress ticks re-render the
 * panel, but the chart only changes when a row arrives.
 */
export const GapChart = memo(function GapChart({ rows, param, values, policies, series }: Props) {
  const chartRef = useRef<HTMLDivElement>(null);
  const xs = values.length > 0 ? values : [...new Set(rows.map((r) => r.point[param]!))];
  const data: Point[] = xs.map((x) => {
    const point: Point = { x: String(x) };
    for (const r of rows) {
      if (String(r.point[param]) !== String(x)) continue;
      const key = lineKey(r.policy, series, r.point[series?.param ?? '']);
      point[key] = r.gap * 100;
      point[`${key}__err`] = [(r.gap - r.ciLow) * 100, (r.ciHigh - r.gap) * 100];
    }
    return point;
  });
  const axis = gapAxis(rows);
  const names = policies.length > 0 ? policies : [...new Set(rows.map((r) => r.policy))];
  const seriesValues = series ? (series.values.length > 0 ? series.values : [...new Set(rows.map((r) => r.point[series.param]!))]) : [undefined];
  const lines = names.flatMap((p, i) => seriesValues.map((v, j) => ({ key: lineKey(p, series, v), color: COLORS[i % COLORS.length]!, dash: DASHES[j % DASHES.length]! })));
  return (
    <div className="chart-box">
      <ChartExport target={chartRef} name={series ? `gap-vs-${param}-by-${series.param}` : `gap-vs-${param}`} />
      <div ref={chartRef} className="gap-chart" role="img" aria-label={`Optimality gap in percent against ${param}${series ? `, one line per ${series.param}` : ''}; ${rows.length} results so far`} data-testid="gap-chart">
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
            {lines.map(({ key, color, dash }) => (
              <Line key={key} type="linear" dataKey={key} name={key} stroke={color} strokeDasharray={dash} strokeWidth={2} isAnimationActive={false} connectNulls>
                <ErrorBar dataKey={`${key}__err`} width={6} strokeWidth={1.5} stroke={color} direction="y" />
              </Line>
            ))}
          </LineChart>
        </ResponsiveContainer>
      </div>
    </div>
  );
});
