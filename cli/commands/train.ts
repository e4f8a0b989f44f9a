/**
 * `train --spec FILE --policy sft|dpt --out DIR [--point I] [--resume] [--json]` (DESIGN §7): trains on the
 * spec's training set at one sweep point (default the first) and writes DIR — for sft a PEFT
 * adapter folder for the spec's model, for dpt a DPT model folder (config.json,
 * model.safetensors) — with training.json (settings, loss and validation-loss curves, tokens/s,
 * wall time). Files are written to temporary names and renamed into place, so an interrupted
 * run never leaves a half-written folder; for sft, DIR/checkpoint.safetensors (every 50 steps
 * and each epoch's end) lets `--resume` continue it exactly, and goes once the run is done. A
 * DPT trains in seconds to minutes and is simply rerun.
 */
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseExperimentSpec, sweepPoints } from '../../src/experiments/spec.ts';
import { SftCheckpointError } from '../../src/training/sft-checkpoint.ts';
import { type PointTraining, trainDptAtPoint, trainSftAtPoint } from '../../src/training/at-point.ts';
import { adapterFolderFiles, dptFolderFiles, jsonFile } from '../../src/training/artifact-files.ts';
import type { TrainCurves, TrainProgress } from '../../src/training/sft.ts';
import { CpuBackend } from '../../src/nn/cpu/index.ts';
import type { ExperimentSpec } from '../../src/experiments/spec.ts';
import { CliError, oneOf, positiveInt, printJson, readSpecFile } from '../io.ts';
import { loadLanguageModelFolder, SHIPPED_MODEL_DIR } from '../language-model.ts';
import { assertNotAnInput, writeFileAtomic } from '../model-io.ts';
import { progressReporter } from '../progress.ts';
import { sftShardsFor, sftThreads } from '../sft-threads.ts';
import { machineDescription } from './pretrain.ts';

export const TRAIN_POLICIES = ['sft', 'dpt'] as const;

export interface TrainArgs {
  spec?: string;
  policy?: string;
  out?: string;
  point?: string;
  threads?: string;
  /** continue from DIR/checkpoint.safetensors. */
  resume: boolean;
  json: boolean;
}

/** Steps between checkpoints (and one at every epoch's end). */
const CHECKPOINT_EVERY = 50;

function writeAtomic(dir: string, files: Map<string, string | Uint8Array>): void {
  mkdirSync(dir, { recursive: true });
  for (const [name, content] of files) writeFileAtomic(join(dir, name), content);
}

export async function runTrain(a: TrainArgs): Promise<void> {
  const spec = readSpecFile(a.spec, '--spec', parseExperimentSpec);
  const policy = oneOf(a.policy, '--policy', TRAIN_POLICIES);
  if (a.out === undefined || a.out === '') throw new CliError('--out: a folder path is required');
  if (policy === 'dpt') {
    if (a.resume) throw new CliError('--resume: only sft runs keep checkpoints; rerun the dpt command (it is deterministic)');
    return runTrainDpt(a, spec, a.out);
  }
  assertNotAnInput('--out', a.out, [{ option: '--spec model', path: spec.model ?? SHIPPED_MODEL_DIR }, { option: '--spec', path: a.spec }]);
  const points = sweepPoints(spec);
  const point = positiveInt(a.point, '--point', 1, points.length, 1) - 1;

  const ckpt = join(a.out, 'checkpoint.safetensors');
  if (existsSync(ckpt) && !a.resume) throw new CliError(`--out: ${ckpt} exists (an unfinished run); pass --resume to continue it, or choose another --out`);
  if (a.resume && !existsSync(ckpt)) throw new CliError(`--resume: no checkpoint at ${ckpt}`);
  const threads = sftThreads(a.threads);
  const base = await loadLanguageModelFolder(spec.model, '--spec: model', { nf4: spec.training.nf4, adapter: true });
  const progress = progressReporter('train');
  const shards = await sftShardsFor(spec, threads);
  let trained: PointTraining;
  try {
    trained = await trainSftAtPoint(spec, point, base, {
      ...(shards ? { shards } : {}),
      checkpointEvery: CHECKPOINT_EVERY,
      saveCheckpoint: (bytes) => writeAtomic(a.out!, new Map([['checkpoint.safetensors', bytes]])),
      ...(a.resume ? { resume: readFileSync(ckpt) } : {}),
      onProgress: (p) => progress.update(p.step, p.steps, progressLine(p)),
    });
  } catch (e) {
    if (e instanceof SftCheckpointError) throw new CliError(`--resume: ${e.message}`);
    throw e;
  } finally {
    await shards?.close();
  }
  progress.end();
  const { result, data } = trained;
  const record = { ...trainingRecord('sft', spec, points[point]!.point, data, result), threads };
  const files = await adapterFolderFiles(base.model.backend, result.adapter, spec.model ?? base.label);
  writeAtomic(a.out, files.set('training.json', jsonFile(record)));
  rmSync(ckpt, { force: true }); // finished: the adapter folder is a plain PEFT folder again
  report(a, { out: a.out, policy: 'sft', point: record.point, trainRows: data.trainRows, valRows: data.valRows }, result);
}

function progressLine(p: TrainProgress): string {
  return `epoch ${p.epoch} · loss ${p.loss.toFixed(4)}${p.valLoss === undefined ? '' : ` · val ${p.valLoss.toFixed(4)}`} · ${p.tokensPerSecond.toFixed(0)} tok/s`;
}

/** training.json: what was trained, on what, and how it went. */
function trainingRecord(policy: 'sft' | 'dpt', spec: ExperimentSpec, point: Record<string, number>, data: object, result: TrainCurves) {
  return {
    policy,
    spec: { ...spec, model: spec.model ?? null },
    point,
    settings: policy === 'dpt' ? { ...spec.training.dpt, seed: spec.training.seed, tasks: spec.training.tasks } : spec.training,
    data,
    losses: result.losses,
    valLosses: result.valLosses,
    tokens: result.tokens,
    tokensPerSecond: result.tokens / result.seconds,
    wallSeconds: result.seconds,
    machine: machineDescription(),
  };
}

function report(a: TrainArgs, head: Record<string, unknown>, result: TrainCurves): void {
  const summary = {
    ...head, steps: result.losses.length, finalLoss: result.losses.at(-1)?.loss ?? null, valLoss: result.valLosses.at(-1)?.loss ?? null,
    tokensPerSecond: result.tokens / result.seconds, wallSeconds: result.seconds,
  };
  if (a.json) printJson(summary);
  else process.stderr.write(`train: wrote ${a.out} (${summary.steps} steps, loss ${summary.finalLoss?.toFixed(4)}, validation ${summary.valLoss?.toFixed(4) ?? '—'}, ${summary.tokensPerSecond.toFixed(0)} tokens/s, ${result.seconds.toFixed(0)} s)\n`);
}

async function runTrainDpt(a: TrainArgs, spec: ExperimentSpec, out: string): Promise<void> {
  assertNotAnInput('--out', out, [{ option: '--spec', path: a.spec }]);
  const points = sweepPoints(spec);
  const point = positiveInt(a.point, '--point', 1, points.length, 1) - 1;
  const progress = progressReporter('train');
  const { result, data } = await trainDptAtPoint(spec, point, new CpuBackend(), { onProgress: (p) => progress.update(p.step, p.steps, progressLine(p)) });
  progress.end();
  const record = trainingRecord('dpt', spec, points[point]!.point, data, result);
  writeAtomic(out, (await dptFolderFiles(result.model)).set('training.json', jsonFile(record)));
  report(a, { out, policy: 'dpt', point: record.point, trainSamples: data.trainSamples, valSamples: data.valSamples }, result);
}
