import { memo, useRef } from 'react';
import { ChartExport } from '../common/ChartExport.tsx';
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { LsaStep } from '../../core/theory/index.ts';

/** The live LSA training: the layer's distance to the closed form Γ⁻¹ and its loss, per step. */
export const TrainingChart = memo(function TrainingChart({ log }: { log: LsaStep[] }) {
  const chartRef = useRef<HTMLDivElement>(null);
  return (
    <div className="chart-box">
      <ChartExport target={chartRef} name="lsa-training" />
      <div ref={chartRef} role="img" aria-label={`Training of the LSA layer: ${log.length > 0 ? log.at(-1)!.step : 0} steps`} data-testid="lsa-chart">
        <ResponsiveContainer width="100%" height={220}>
          <LineChart data={log} margin={{ top: 10, right: 20, bottom: 24, left: 8 }}>
            <CartesianGrid strokeDasharray="3 3" />
            <XAxis dataKey="step" type="number" domain={[0, 'dataMax']} label={{ value: 'SGD step', position: 'insideBottom', offset: -12 }} />
            <YAxis yAxisId="d" domain={[0, 1]} label={{ value: '‖M − Γ⁻¹‖ / ‖Γ⁻¹‖', angle: -90, position: 'insideLeft', offset: 4, style: { textAnchor: 'middle' } }} />
            <YAxis yAxisId="l" orientation="right" domain={[0, 'auto']} tickFormatter={(v: number) => v.toPrecision(2)} label={{ value: 'loss', angle: 90, position: 'insideRight' }} />
            <Tooltip formatter={(v) => (typeof v === 'number' ? v.toFixed(3) : String(v))} labelFormatter={(v) => `step ${String(v)}`} />
            <Legend verticalAlign="top" height={28} />
            <Line yAxisId="d" dataKey="distance" name="distance to the closed form" stroke="#2b8a3e" strokeWidth={2} dot={false} isAnimationActive={false} />
            <Line yAxisId="l" dataKey="loss" name="training loss (mean of 32 prompts)" stroke="#adb5bd" strokeWidth={1} dot={false} isAnimationActive={false} />
          </LineChart>
        </ResponsiveContainer>
      </div>
    </div>
  );
});
