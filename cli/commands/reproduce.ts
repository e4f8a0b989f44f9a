/**
 * `reproduce [--scale smoke|quick|paper] [--only NAME,…] [--skip GROUP,…] [--out DIR] [--replace]
 * [--estimate] [--report] [--threads 1|2] [--json]`: runs the paper's figures through the one pipeline
 * (src/experiments/reproduce), unit by unit, appending each finished unit's rows to
 * DIR/results/<figure>.jsonl (a rerun skips stored units), then writes each figure's CSV and SVG
 * and regenerates DIR/results.md (with DIR/results-notes.md included verbatim).
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { rowsToCsv } from '../../src/experiments/rows-csv.ts';
import {
  chartData, estimateCost, FIGURES, figureNames, figureUnits, judgeClaims, parseStore, POLICY_GROUPS, renderChart, renderResults, runUnit, SCALES, storedScales,
  hash64, storeText, theoryRows, unitText, type AnyUnit, type PlanOptions, type Figure, type FigureReport, type FigureStore, type PolicyGroup, type Scale, type StoredRow, type UnitRecord,
} from '../../src/experiments/reproduce/index.ts';
import { formatDuration } from '../../src/models/pretrain/run.ts';
import { CliError, oneOf, printJson } from '../io.ts';
import { appendText, machineInfo, nodeUnitEnvironment, readIfExists, writeAtomic, type NodeUnitEnvironment } from '../reproduce-env.ts';
import { sftThreads } from '../sft-threads.ts';
import { REPO_ROOT, SHIPPED_MODEL_DIR } from '../language-model.ts';

export interface ReproduceArgs {
  scale?: string;
  only?: string;
  skip?: string;
  out?: string;
  threads?: string;
  replace: boolean;
  estimate: boolean;
  /** only regenerate CSV, SVG and results.md from the stored rows (after editing the notes file). */
  report: boolean;
  json: boolean;
}

function listOption<T extends string>(value: string | undefined, option: string, allowed: readonly T[]): T[] | undefined {
  if (value === undefined) return undefined;
  const names = value.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (names.length === 0) throw new CliError(`${option}: must name at least one of ${allowed.join(', ')}`);
  for (const n of names) if (!(allowed as readonly string[]).includes(n)) throw new CliError(`${option}: must be a comma-separated list of ${allowed.join(', ')}; got ${JSON.stringify(n)}`);
  return names as T[];
}

const rowsPath = (out: string, name: string, ext: string) => join(out, 'results', `${name}.${ext}`);

function loadStore(out: string, figure: Figure): FigureStore {
  return parseStore(readIfExists(rowsPath(out, figure.name, 'jsonl')) ?? '');
}

/** The one scale of a figure's stored rows; another scale than asked needs --replace. */
function checkScale(out: string, figure: Figure, store: FigureStore, scale: Scale, replace: boolean): FigureStore {
  const others = [...storedScales(store)].filter((s) => s !== scale);
  if (others.length > 0 && !replace) {
    throw new CliError(`--scale: ${rowsPath(out, figure.name, 'jsonl')} holds rows at scale ${others.join(', ')}; pass --replace to replace them with scale ${scale}, or --out another folder`);
  }
  if (others.length > 0 || store.dropped > 0) {
    // Rewrite without other scales and without the rows of units cut off mid-run.
    writeAtomic(rowsPath(out, figure.name, 'jsonl'), storeText(store, (u) => u.scale === scale));
    return loadStore(out, figure);
  }
  return store;
}

/** The shipped model's fingerprint (config and weights): icl and sft rows of another model are not resumed. */
function shippedModelTag(): string {
  const config = readIfExists(join(SHIPPED_MODEL_DIR, 'config.json')) ?? '';
  return hash64(new Uint8Array(Buffer.concat([Buffer.from(config), readFileSync(join(SHIPPED_MODEL_DIR, 'model.safetensors'))])));
}

function skipped(u: AnyUnit, skip: readonly PolicyGroup[]): boolean {
  return u.kind === 'pipeline' && skip.includes(u.unit.group);
}

async function runAnyUnit(u: AnyUnit, scale: Scale, env: NodeUnitEnvironment): Promise<{ rows: StoredRow[]; record: UnitRecord }> {
  if (u.kind === 'pipeline') return runUnit(u.unit, scale, env);
  const started = env.now();
  const rows = theoryRows(u.unit, scale).map((r) => ({ ...r, unit: u.unit.id, scale }));
  const record: UnitRecord = {
    unit: u.unit.id, scale, label: u.unit.label, seconds: (env.now() - started) / 1000, machine: env.machine, finished: new Date().toISOString(), load: env.load(),
    work: { env: 'linear-mdp', group: 'computed', evalSteps: 1, trainSteps: 0 },
  };
  return { rows, record };
}

/**
 * Every stored unit record under DIR/results and under this checkout's docs/results (any figure,
 * any scale): the measured rates of the estimate, so a paper-scale run into another folder is
 * estimated from the quick figures committed here.
 */
function allRecords(out: string): UnitRecord[] {
  const dirs = [...new Set([resolve(out), resolve(REPO_ROOT, 'docs')])];
  return dirs.flatMap((dir) => FIGURES.flatMap((f) => [...loadStore(dir, f).units.values()]));
}

interface FigureRun {
  name: string;
  planned: number;
  ran: number;
  skipped: number;
  seconds: number;
}

export async function runReproduce(args: ReproduceArgs): Promise<void> {
  const scale: Scale = oneOf(args.scale, '--scale', SCALES, 'quick');
  const only = listOption(args.only, '--only', figureNames());
  const skip = listOption(args.skip, '--skip', POLICY_GROUPS) ?? [];
  const out = args.out ?? 'docs';
  if (out === '') throw new CliError('--out: must be a folder path');
  const threads = sftThreads(args.threads);
  const selected = FIGURES.filter((f) => only === undefined || only.includes(f.name));
  const records = allRecords(out);
  const plan: PlanOptions = { lmTag: shippedModelTag() };
  if (args.report) {
    await writeOutputs(out, scale, plan);
    process.stderr.write(`reproduce: wrote ${join(out, 'results.md')} from the stored rows\n`);
    if (args.json) printJson({ scale, out, results: join(out, 'results.md') });
    return;
  }

  // What is left to run, and what it will cost (printed before anything starts).
  // An estimate only reads: rows of another scale count as not stored, and nothing is rewritten.
  const stores = new Map(
    selected.map((f) => {
      const store = loadStore(out, f);
      if (!args.estimate) return [f.name, checkScale(out, f, store, scale, args.replace)];
      return [f.name, { ...store, rows: store.rows.filter((r) => r.scale === scale), units: new Map([...store.units].filter(([, u]) => u.scale === scale)) }];
    }),
  );
  const pending = selected.flatMap((f) => {
    if (f.kind === 'experiment' && f.notRunnable) return [];
    const store = stores.get(f.name)!;
    return figureUnits(f, scale, store.rows, plan).filter((u) => !store.units.has(u.unit.id) && !skipped(u, skip));
  });
  const estimate = estimateCost(pending.map((u) => (u.kind === 'pipeline' ? u.unit.work : { env: 'linear-mdp', group: 'computed' as const, evalSteps: 1, trainSteps: 0 })), records);
  const basis = estimate.fallback > 0 ? `; ${estimate.fallback} at documented rates, nothing measured for them yet` : '';
  process.stderr.write(`reproduce: scale ${scale}, ${selected.map((f) => f.name).join(', ')}; ${pending.length} units to run${selected.some((f) => f.kind === 'fit') ? ' (the fit\'s later stages are planned after the earlier ones)' : ''}; estimated ${formatDuration(estimate.seconds)} (${estimate.measured} units at rates measured on this project's earlier runs${basis})\n`);
  if (args.estimate) {
    if (args.json) printJson({ scale, figures: selected.map((f) => f.name), units: pending.length, estimateSeconds: estimate.seconds, measured: estimate.measured, fallback: estimate.fallback });
    return;
  }

  const env = nodeUnitEnvironment({ threads });
  const started = performance.now();
  const runs: FigureRun[] = [];
  let doneEstimate = 0;
  let remaining = estimate.seconds;
  try {
    for (const figure of selected) {
      const run: FigureRun = { name: figure.name, planned: 0, ran: 0, skipped: 0, seconds: 0 };
      runs.push(run);
      if (figure.kind === 'experiment' && figure.notRunnable) {
        process.stderr.write(`reproduce: ${figure.name}: not runnable yet (${figure.notRunnable})\n`);
        continue;
      }
      let store = stores.get(figure.name)!;
      if (figure.kind !== 'fit') {
        // Units no longer in the plan (the figure's definition or the shipped model changed) are stale.
        const ids = new Set(figureUnits(figure, scale, store.rows, plan).map((u) => u.unit.id));
        const stale = [...store.units.keys()].filter((id) => !ids.has(id));
        if (stale.length > 0) {
          process.stderr.write(`reproduce: ${figure.name}: dropping ${stale.length} stored unit${stale.length === 1 ? '' : 's'} no longer in its plan (the figure's specs or the model changed)\n`);
          writeAtomic(rowsPath(out, figure.name, 'jsonl'), storeText(store, (u) => ids.has(u.unit)));
          store = loadStore(out, figure);
        }
      }
      for (;;) {
        const units = figureUnits(figure, scale, store.rows, plan);
        run.planned = units.length;
        const todo = units.filter((u) => !store.units.has(u.unit.id) && !skipped(u, skip));
        run.skipped = units.filter((u) => !store.units.has(u.unit.id) && skipped(u, skip)).length;
        if (todo.length === 0) break;
        for (const u of todo) {
          const own = estimateCost([u.kind === 'pipeline' ? u.unit.work : { env: 'linear-mdp', group: 'computed', evalSteps: 1, trainSteps: 0 }], records).seconds;
          const elapsed = (performance.now() - started) / 1000;
          // The estimate scaled by how fast the run has gone so far, damped by a 30 s prior so
          // that the first tiny units (estimated at milliseconds) cannot blow the ratio up.
          const eta = (remaining * (elapsed + 30)) / (doneEstimate + 30);
          process.stderr.write(`reproduce: ${figure.name}: ${u.unit.label} · elapsed ${formatDuration(elapsed)} · ETA ${formatDuration(eta)}\n`);
          const result = await runAnyUnit(u, scale, env);
          appendText(rowsPath(out, figure.name, 'jsonl'), unitText(result.rows, result.record));
          records.push(result.record);
          run.ran++;
          run.seconds += result.record.seconds;
          doneEstimate += own;
          remaining = Math.max(0, remaining - own);
        }
        store = loadStore(out, figure);
      }
    }
  } finally {
    env.close();
  }
  await writeOutputs(out, scale, plan);
  const wall = (performance.now() - started) / 1000;
  process.stderr.write(`reproduce: ${runs.reduce((s, r) => s + r.ran, 0)} units run in ${formatDuration(wall)}; wrote ${join(out, 'results.md')}\n`);
  if (args.json) printJson({ scale, out, machine: machineInfo(), figures: runs, estimateSeconds: estimate.seconds, wallSeconds: wall, results: join(out, 'results.md') });
}

/** Per figure: the rows of its current plan at its stored scale, the missing units; then CSV, SVG and results.md. */
async function writeOutputs(out: string, requested: Scale, plan: PlanOptions): Promise<void> {
  const reports: FigureReport[] = [];
  for (const figure of FIGURES) {
    const store = loadStore(out, figure);
    const scale = [...storedScales(store)][0] ?? requested;
    const units = figure.kind === 'experiment' && figure.notRunnable ? [] : figureUnits(figure, scale, store.rows, plan);
    const ids = new Set(units.map((u) => u.unit.id));
    const current = (id: string) => figure.kind === 'fit' || ids.has(id);
    const rows = store.rows.filter((r) => current(r.unit));
    const records = [...store.units.values()].filter((u) => current(u.unit));
    const missing = units.filter((u) => !store.units.has(u.unit.id)).map((u) => u.unit.label);
    if (rows.length > 0) {
      writeAtomic(rowsPath(out, figure.name, 'csv'), rowsToCsv(rows));
      const { data, options } = chartData(figure, rows);
      writeAtomic(rowsPath(out, figure.name, 'svg'), await renderChart(data, options));
    }
    const scaleNote = figure.kind === 'experiment' ? figure.plan(scale).scaleNote : figure.scaleNote(scale);
    reports.push({ figure, ...(rows.length > 0 ? { scale } : {}), rows, units: records, missing, scaleNote });
  }
  const claims = judgeClaims(Object.fromEntries(reports.map((r) => [r.figure.name, r.rows])));
  const notesFile = join(out, 'results-notes.md');
  const notes = readIfExists(notesFile) ?? '';
  writeAtomic(join(out, 'results.md'), renderResults({ figures: reports, claims, notes, notesFile: 'results-notes.md', rowsDir: 'results' }));
}
