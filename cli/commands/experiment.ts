/** `experiment --spec FILE`: a sweep, one JSON line per result row, then a summary line. */
import { parseExperimentSpec, runExperiment, type ExperimentSpec } from '../../src/experiments/index.ts';
import { printJson, readSpecFile } from '../io.ts';

export interface ExperimentArgs {
  spec?: string;
  json: boolean;
}

function pct(x: number | null): string {
  return x === null || !Number.isFinite(x) ? '—' : `${(100 * x).toFixed(1)}%`;
}

export async function runExperimentCommand(args: ExperimentArgs): Promise<void> {
  const spec: ExperimentSpec = readSpecFile(args.spec, '--spec', parseExperimentSpec);
  const run = runExperiment(spec, {
    onProgress: args.json || !process.stderr.isTTY ? undefined : (p) => process.stderr.write(`\r${p.done}/${p.total} ${p.label}`.padEnd(60)),
  });
  for (;;) {
    const next = await run.next();
    if (next.done) {
      if (args.json) printJson({ summary: next.value });
      else process.stderr.write(`${process.stderr.isTTY ? '\n' : ''}${next.value.rows} rows in ${next.value.seconds.toFixed(1)} s\n`);
      return;
    }
    const row = next.value;
    if (args.json) {
      printJson(row);
    } else {
      const point = Object.entries(row.point).map(([k, v]) => `${k}=${v}`).join(' ');
      process.stdout.write(`\r${point.padEnd(14)} ${row.policy.padEnd(14)} gap ${pct(row.gap).padStart(7)}  95% CI [${pct(row.ciLow)}, ${pct(row.ciHigh)}]  (${row.tasks} tasks)\n`);
    }
  }
}
