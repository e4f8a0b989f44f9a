/** `experiment --spec FILE`: a sweep, one JSON line per result row, then a summary line. */
import { parseExperimentSpec, runExperiment, sweepPoints, type ExperimentSpec } from '../../src/experiments/index.ts';
import type { SftShardRunner } from '../../src/training/sft-step.ts';
import { printJson, readSpecFile } from '../io.ts';
import { loadLanguageModelFolder } from '../language-model.ts';
import { attachAdapter, loadDptFolder } from '../model-io.ts';
import { progressReporter } from '../progress.ts';
import { sftShardsFor, sftThreads } from '../sft-threads.ts';

export interface ExperimentArgs {
  spec?: string;
  threads?: string;
  json: boolean;
}

function pct(x: number | null): string {
  return x === null || !Number.isFinite(x) ? '—' : `${(100 * x).toFixed(1)}%`;
}

export async function runExperimentCommand(args: ExperimentArgs): Promise<void> {
  const spec: ExperimentSpec = readSpecFile(args.spec, '--spec', parseExperimentSpec);
  const threads = sftThreads(args.threads);
  // A second thread only where an adapter is trained (sft, and not every point named under "trained").
  const trainsSft = spec.policies.includes('sft') && sweepPoints(spec).some((_, i) => spec.trained?.sft?.[i] === undefined);
  const sftShards = trainsSft ? await sftShardsFor(spec, threads) : undefined;
  try {
    await streamRows(args, spec, sftShards);
  } finally {
    await sftShards?.close();
  }
}

async function streamRows(args: ExperimentArgs, spec: ExperimentSpec, sftShards: SftShardRunner | undefined): Promise<void> {
  const progress = progressReporter('experiment');
  const training = progressReporter('train');
  const run = runExperiment(spec, {
    ...(sftShards ? { sftShards } : {}),
    loadLanguageModel: (model, o) => loadLanguageModelFolder(model, '--spec: model', o),
    loadTrained: {
      adapter: (dir, base) => {
        attachAdapter(base.model.backend, base.model, dir, '--spec: trained.sft');
        return Promise.resolve({ ...base, label: `${base.label} + ${dir}` });
      },
      dpt: (dir) => Promise.resolve(loadDptFolder(dir, '--spec: trained.dpt')),
    },
    onProgress: (p) => progress.update(p.done, p.total, p.label),
    onTrain: (p) => training.update(p.step, p.steps, `${p.policy} ${p.label} · epoch ${p.epoch} · loss ${p.loss.toFixed(4)}${p.valLoss === undefined ? '' : ` · val ${p.valLoss.toFixed(4)}`} · ${p.tokensPerSecond.toFixed(0)} tok/s`),
  });
  for (;;) {
    const next = await run.next();
    if (next.done) {
      progress.end();
      if (args.json) printJson({ summary: next.value });
      else process.stderr.write(`${process.stderr.isTTY ? '\n' : ''}${next.value.rows} rows in ${next.value.seconds.toFixed(1)} s\n`);
      return;
    }
    const row = next.value;
    if (args.json) {
      printJson(row);
    } else {
      const point = Object.entries(row.point).map(([k, v]) => `${k}=${v}`).join(' ');
      progress.clear();
      process.stdout.write(`${point.padEnd(14)} ${row.policy.padEnd(14)} gap ${pct(row.gap).padStart(7)}  95% CI [${pct(row.ciLow)}, ${pct(row.ciHigh)}]  (${row.tasks} tasks)\n`);
    }
  }
}
