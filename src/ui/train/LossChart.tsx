import { memo, useRef } from 'react';
import { ChartExport } from '../common/ChartExport.tsx';
import { CartesianGrid, ComposedChart, Legend, Line, ResponsiveContainer, Scatter, Tooltip, XAxis, YAxis } from 'recharts';
import type { TrainJob } from './train-settings.ts';

/** Training loss per step and validation loss per epoch of the job, on one step axis. */
export const LossChart = memo(function LossChart({ job }: { job: Pick<TrainJob, 'losses' | 'valLosses' | 'steps'> }) {
  const chartRef = useRef<HTMLDivElement>(null);
  const val = job.valLosses.map((v) => ({ step: v.step, val: v.loss }));
  return (
    <div className="chart-box">
      <ChartExport target={chartRef} name="training-loss" />
      <div ref={chartRef} role="img" aria-label={`Loss curve: ${job.losses.length} steps so far, ${job.valLosses.length} validation losses`} data-testid="loss-chart" data-points={job.losses.length}>
        <ResponsiveContainer width="100%" height={260}>
          <ComposedChart margin={{ top: 10, right: 20, bottom: 24, left: 8 }}>
            <CartesianGrid strokeDasharray="3 3" />
            <XAxis dataKey="step" type="number" domain={[0, Math.max(1, job.steps)]} allowDuplicatedCategory={false} label={{ value: 'optimiser step', position: 'insideBottom', offset: -12 }} />
            <YAxis domain={['auto', 'auto']} tickFormatter={(v: number) => v.toFixed(2)} label={{ value: 'loss (nats / token)', angle: -90, position: 'insideLeft', offset: 4, style: { textAnchor: 'middle' } }} />
            <Tooltip formatter={(v) => (typeof v === 'number' ? v.toFixed(4) : String(v))} labelFormatter={(v) => `step ${String(v)}`} />
            <Legend verticalAlign="top" height={28} />
            <Line data={job.losses} dataKey="loss" name="training loss" stroke="#4263eb" dot={false} strokeWidth={1.5} isAnimationActive={false} />
            <Scatter data={val} dataKey="val" name="validation loss (held-out tasks, each epoch)" fill="#d9480f" isAnimationActive={false} />
          </ComposedChart>
        </ResponsiveContainer>
      </div>
    </div>
  );
});
