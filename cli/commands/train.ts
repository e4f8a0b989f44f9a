/**
 * `train --spec FILE --policy sft|dpt --out DIR [--point I] [--json]` (DESIGN §7): trains on the
 * spec's training set at one sweep point (default the first) and writes DIR — for sft a PEFT
 * adapter folder for the spec's model, with training.json (settings, loss and validation-loss
 * curves, tokens/s, wall time). Files are written to temporary names and renamed into place, so
 * an interrupted run never leaves a half-written adapter.
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseExperimentSpec, sweepPoints } from '../../src/experiments/spec.ts';
import { savePeftAdapter } from '../../src/models/peft.ts';
import { trainSftAtPoint } from '../../src/training/sft-point.ts';
import { CliError, positiveInt, printJson, readSpecFile } from '../io.ts';
import { loadLanguageModelFolder, SHIPPED_MODEL_DIR } from '../language-model.ts';
import { progressReporter } from '../progress.ts';
import { machineDescription } from './pretrain.ts';

export const TRAIN_POLICIES = ['sft', 'dpt'] as const;

export interface TrainArgs {
  spec?: string;
  policy?: string;
  out?: string;
  point?: string;
  json: boolean;
}

function writeAtomic(dir: string, files: Map<string, string | Uint8Array>): void {
  mkdirSync(dir, { recursive: true });
  for (const [name, content] of files) {
    const tmp = join(dir, `.${name}.tmp-${process.pid}`);
    writeFileSync(tmp, content);
    renameSync(tmp, join(dir, name));
  }
}

export async function runTrain(a: TrainArgs): Promise<void> {
  const spec = readSpecFile(a.spec, '--spec', parseExperimentSpec);
  if (a.policy === undefined || !(TRAIN_POLICIES as readonly string[]).includes(a.policy)) {
    throw new CliError(`--policy: must be one of ${TRAIN_POLICIES.join(', ')}, got ${JSON.stringify(a.policy ?? null)}`);
  }
  if (a.out === undefined || a.out === '') throw new CliError('--out: a folder path is required');
  if (a.policy === 'dpt') throw new CliError('--policy: dpt training is not built yet (issue "The training stage"); sft is');
  const modelDir = spec.model === undefined ? SHIPPED_MODEL_DIR : resolve(spec.model);
  if (resolve(a.out) === modelDir) throw new CliError(`--out: ${a.out} is the model folder; the adapter goes in a folder of its own`);
  const points = sweepPoints(spec);
  const point = positiveInt(a.point, '--point', 1, points.length, 1) - 1;

  const base = await loadLanguageModelFolder(spec.model, '--spec: model', { nf4: spec.training.nf4 });
  const progress = progressReporter('train');
  const trained = await trainSftAtPoint(spec, point, base, {
    onProgress: (p) => progress.update(p.step, p.steps, `epoch ${p.epoch} · loss ${p.loss.toFixed(4)}${p.valLoss === undefined ? '' : ` · val ${p.valLoss.toFixed(4)}`} · ${p.tokensPerSecond.toFixed(0)} tok/s`),
  });
  progress.end();
  const { result, data } = trained;
  const peft = await savePeftAdapter(base.model.backend, result.adapter, spec.model ?? base.label);
  const record = {
    policy: 'sft',
    spec: { ...spec, model: spec.model ?? null },
    point: points[point]!.point,
    settings: spec.training,
    data,
    losses: result.losses,
    valLosses: result.valLosses,
    tokens: result.tokens,
    tokensPerSecond: result.tokens / result.seconds,
    wallSeconds: result.seconds,
    machine: machineDescription(),
  };
  writeAtomic(a.out, new Map<string, string | Uint8Array>([
    ['adapter_config.json', `${JSON.stringify(peft.config, null, 2)}\n`],
    ['adapter_model.safetensors', peft.safetensors],
    ['training.json', `${JSON.stringify(record, null, 2)}\n`],
  ]));
  const summary = {
    out: a.out, policy: 'sft', point: record.point, trainRows: data.trainRows, valRows: data.valRows, steps: result.losses.length,
    finalLoss: result.losses.at(-1)?.loss ?? null, valLoss: result.valLosses.at(-1)?.loss ?? null, tokensPerSecond: record.tokensPerSecond, wallSeconds: result.seconds,
  };
  if (a.json) printJson(summary);
  else process.stderr.write(`train: wrote ${a.out} (${summary.steps} steps, loss ${summary.finalLoss?.toFixed(4)}, validation ${summary.valLoss?.toFixed(4) ?? '—'}, ${summary.tokensPerSecond.toFixed(0)} tokens/s, ${result.seconds.toFixed(0)} s)\n`);
}
