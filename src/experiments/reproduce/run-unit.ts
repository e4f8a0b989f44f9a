/**
 * Runs one unit through the pipeline: its main spec with runExperiment (training sft's adapter
 * or the DPT at its point, as any experiment does), then its transfer specs evaluated with what
 * that run trained (named under the spec's `"trained"`, the pipeline's own way to evaluate
 * trained folders). No evaluation loop of its own: every number comes from runExperiment.
 */
import type { ExperimentSpecInput } from '../spec.ts';
import type { ExperimentSummary, ResultRow, TrainedArtifact } from '../types.ts';
import type { Unit, UnitSpec } from './units.ts';
import type { MachineInfo, Scale, StoredRow, UnitRecord } from './types.ts';

/** What the caller (the CLI) provides: its loaders, threads and files. */
export interface UnitEnvironment {
  /** runExperiment on `spec` with the caller's loaders; `keep` receives what the run trains. */
  run(spec: ExperimentSpecInput, keep?: (a: TrainedArtifact) => Promise<void>): AsyncGenerator<ResultRow, ExperimentSummary>;
  /** Stores a trained folder for the transfer specs and returns its location (a path in Node). */
  storeArtifact(unit: string, artifact: TrainedArtifact): Promise<string>;
  /** A model token such as `@random-init` → a model folder the loaders can read. */
  resolveModel(token: string): Promise<string>;
  machine: MachineInfo;
  now(): number;
  /** the 1-minute load average now (Node: os.loadavg), recorded with each unit. */
  load?(): number;
}

function storedRow(row: ResultRow, labels: UnitSpec['labels'], unit: string, scale: Scale, compact = false): StoredRow {
  return { ...row, point: { ...labels, ...row.point }, ...(compact ? { taskGaps: [] } : {}), unit, scale };
}

async function collect(env: UnitEnvironment, spec: ExperimentSpecInput, keep?: (a: TrainedArtifact) => Promise<void>): Promise<ResultRow[]> {
  const rows: ResultRow[] = [];
  const gen = env.run(spec, keep);
  for (;;) {
    const next = await gen.next();
    if (next.done) return rows;
    rows.push(next.value);
  }
}

async function withModel(env: UnitEnvironment, spec: ExperimentSpecInput): Promise<ExperimentSpecInput> {
  return spec.model?.startsWith('@') ? { ...spec, model: await env.resolveModel(spec.model) } : spec;
}

export async function runUnit(unit: Unit, scale: Scale, env: UnitEnvironment): Promise<{ rows: StoredRow[]; record: UnitRecord }> {
  const started = env.now();
  const trainedPolicy = unit.group === 'sft' || unit.group === 'dpt' ? unit.group : undefined;
  let trainedFolder: string | undefined;
  const keep =
    trainedPolicy && unit.transfer.length > 0
      ? async (a: TrainedArtifact): Promise<void> => {
          if (a.kind === 'sft-adapter' || a.kind === 'dpt-model') trainedFolder = await env.storeArtifact(unit.id, a);
        }
      : undefined;
  const rows = (await collect(env, await withModel(env, unit.main.spec), keep)).map((r) => storedRow(r, unit.main.labels, unit.id, scale, unit.compact));
  for (const t of unit.transfer) {
    let spec = await withModel(env, t.spec);
    if (trainedPolicy) {
      if (trainedFolder === undefined) throw new Error(`${unit.label}: the main run kept no trained ${trainedPolicy} for the transfer spec ${t.spec.name}`);
      const points = (spec.sweep?.values.length ?? 1) * (spec.series?.values.length ?? 1);
      spec = { ...spec, trained: { [trainedPolicy]: Array<string>(points).fill(trainedFolder) } };
    }
    rows.push(...(await collect(env, spec)).map((r) => storedRow(r, t.labels, unit.id, scale)));
  }
  const record: UnitRecord = {
    unit: unit.id,
    scale,
    label: unit.label,
    seconds: (env.now() - started) / 1000,
    machine: env.machine,
    finished: new Date().toISOString(),
    ...(env.load ? { load: env.load() } : {}),
    work: unit.work,
  };
  return { rows, record };
}
