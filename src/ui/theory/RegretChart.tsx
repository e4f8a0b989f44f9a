import { memo, useRef } from 'react';
import { ChartExport } from '../common/ChartExport.tsx';
import { CartesianGrid, ErrorBar, Legend, Line, LineChart, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { CurvePoint } from '../../core/theory/index.ts';

/** Log axes cannot show 0 or below: an interval's low end is drawn at a tenth of its mean instead. */
const floorFor = (mean: number) => Math.max(mean / 10, 1e-6);

interface Props {
  points: CurvePoint[];
  /** the n the sliders select, marked on the axis. */
  n: number;
}

/**
 * Regret as a percentage of the oracle's return against n, log–log: the bound's estimation term
 * falls as 1/√n, a straight line of slope −½ here, and the simulated regret of the closed form
 * (with its 95 % interval over tasks) sits under it; a trained layer, when there is one, beside it.
 */
export const RegretChart = memo(function RegretChart({ points, n }: Props) {
  const chartRef = useRef<HTMLDivElement>(null);
  const pct = (p: CurvePoint, v: number) => (100 * v) / p.optimalReturn;
  const data = points.map((p) => {
    const closed = pct(p, p.closedForm.mean);
    const low = Math.max(pct(p, p.closedForm.low), floorFor(closed));
    const row: Record<string, number | [number, number]> = {
      n: p.n,
      bound: pct(p, p.bound),
      closed,
      closedErr: [closed - low, pct(p, p.closedForm.high) - closed],
    };
    if (p.trained) row.trained = Math.max(pct(p, p.trained.mean), 1e-6);
    return row;
  });
  const hasTrained = points.some((p) => p.trained);
  return (
    <div className="chart-box">
      <ChartExport target={chartRef} name="theory-regret-vs-n" />
      <div ref={chartRef} role="img" aria-label="Regret in percent of the oracle's return against the number of support pairs n, simulated and bounded" data-testid="regret-chart">
        <ResponsiveContainer width="100%" height={320}>
          <LineChart data={data} margin={{ top: 10, right: 20, bottom: 24, left: 8 }}>
            <CartesianGrid strokeDasharray="3 3" />
            <XAxis dataKey="n" type="number" scale="log" domain={['dataMin', 'dataMax']} ticks={[1, 2, 5, 10, 20, 50, 100, 200, 500, 1000]} label={{ value: 'support pairs n (log scale)', position: 'insideBottom', offset: -12 }} />
            <YAxis scale="log" domain={['auto', 'auto']} allowDataOverflow tickFormatter={(v: number) => `${v >= 10 ? v.toFixed(0) : v.toPrecision(1)}`} label={{ value: 'regret, % of oracle return (log)', angle: -90, position: 'insideLeft', offset: 4, style: { textAnchor: 'middle' } }} />
            <Tooltip formatter={(v) => (typeof v === 'number' ? `${v.toFixed(2)} %` : String(v))} labelFormatter={(v) => `n = ${String(v)}`} />
            <Legend verticalAlign="top" height={28} />
            <ReferenceLine x={n} stroke="#868e96" strokeDasharray="4 4" label={{ value: `n = ${n}`, position: 'top', fontSize: 12 }} />
            <Line dataKey="bound" name="bound (Proposition 1)" stroke="#d9480f" strokeDasharray="6 3" strokeWidth={2} isAnimationActive={false} dot={false} />
            <Line dataKey="closed" name="closed-form LSA (simulated)" stroke="#4263eb" strokeWidth={2} isAnimationActive={false}>
              <ErrorBar dataKey="closedErr" width={5} strokeWidth={1.5} stroke="#4263eb" direction="y" />
            </Line>
            {hasTrained && <Line dataKey="trained" name="trained LSA layer (simulated)" stroke="#2b8a3e" strokeWidth={2} isAnimationActive={false} />}
          </LineChart>
        </ResponsiveContainer>
      </div>
    </div>
  );
});
