/**
 * `export-dataset --spec FILE --out FILE [--format text|pairs] [--tasks N] [--point I] [--val-out FILE]`:
 * the experiment's SFT training set as JSONL (DESIGN §5 interop; docs/datasets.md).
 * Lines are written as they are made (darkroom pair files reach gigabytes); with --val-out the
 * last 10 % of training tasks go to a second file, so validation is split by task, not by line.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { parseExperimentSpec, sweepPoints, type ExperimentSpec } from '../../src/experiments/spec.ts';
import {
  DATASET_FORMATS, datasetPoint, defaultTrainTasks, maxTrainTasks, recordLines, trainingExamples, validationTaskCount, type DatasetFormat,
} from '../../src/experiments/dataset.ts';
import { CliError, oneOf, positiveInt, printJson, readSpecFile } from '../io.ts';

export interface ExportDatasetArgs {
  spec?: string;
  out?: string;
  format?: string;
  tasks?: string;
  point?: string;
  valOut?: string;
  json: boolean;
}

/** A buffered line writer over a file descriptor; opening errors name the option. */
class LineWriter {
  private fd: number;
  private buffer: string[] = [];
  private size = 0;
  lines = 0;
  constructor(readonly path: string, option: string) {
    try {
      this.fd = openSync(path, 'w');
    } catch (e) {
      throw new CliError(`${option}: cannot write ${path} (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
    }
  }
  write(line: string): void {
    this.buffer.push(line);
    this.size += line.length;
    this.lines++;
    if (this.size > 1 << 20) this.flush();
  }
  flush(): void {
    if (this.buffer.length > 0) writeSync(this.fd, `${this.buffer.join('\n')}\n`);
    this.buffer = [];
    this.size = 0;
  }
  close(): void {
    this.flush();
    closeSync(this.fd);
  }
}

function choosePoint(spec: ExperimentSpec, value: string | undefined): number {
  const points = sweepPoints(spec);
  if (value === undefined) {
    if (points.length > 1) {
      throw new CliError(`--point: the spec sweeps ${spec.sweep?.param} over ${points.length} values (${spec.sweep?.values.join(', ')}); choose one with --point 1..${points.length}`);
    }
    return 0;
  }
  return positiveInt(value, '--point', 1, points.length, 1) - 1;
}

export async function runExportDataset(args: ExportDatasetArgs): Promise<void> {
  const spec: ExperimentSpec = readSpecFile(args.spec, '--spec', parseExperimentSpec);
  const format: DatasetFormat = oneOf(args.format, '--format', DATASET_FORMATS, 'text');
  if (args.out === undefined || args.out === '') throw new CliError('--out: a file path is required');
  const pointIndex = choosePoint(spec, args.point);
  const { point, params } = datasetPoint(spec, pointIndex);
  const tasks = positiveInt(args.tasks, '--tasks', 1, maxTrainTasks(spec, params), defaultTrainTasks(spec, params));
  const nVal = args.valOut === undefined ? 0 : validationTaskCount(tasks);
  if (args.valOut !== undefined && nVal === 0) throw new CliError('--val-out: needs at least 2 training tasks (--tasks) to hold one out');

  const train = new LineWriter(args.out, '--out');
  const val = args.valOut === undefined ? null : new LineWriter(args.valOut, '--val-out');
  let examples = 0;
  try {
    for await (const ex of trainingExamples(spec, { tasks, point: pointIndex })) {
      const target = val && ex.task >= tasks - nVal ? val : train;
      for (const line of recordLines(ex, format)) target.write(line);
      examples++;
    }
  } finally {
    train.close();
    val?.close();
  }
  const summary = {
    experiment: spec.name,
    env: spec.env,
    point,
    format,
    tasks,
    trainTasks: tasks - nVal,
    valTasks: nVal,
    examples,
    out: { path: args.out, lines: train.lines },
    ...(val ? { valOut: { path: val.path, lines: val.lines } } : {}),
  };
  if (args.json) {
    printJson(summary);
    return;
  }
  console.log(`${spec.name}: ${examples} examples from ${tasks} training tasks -> ${train.lines} ${format} lines in ${args.out}`);
  if (val) console.log(`validation: ${nVal} tasks -> ${val.lines} lines in ${val.path}`);
}
