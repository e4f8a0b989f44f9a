/**
 * The reproduction's Node side: the unit environment (runExperiment with the CLI's loaders and
 * SFT thread, trained folders and the random-initialised model written to a scratch folder), the
 * figure files (rows, CSV, SVG) and the machine description.
 */
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, platform, release, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseExperimentSpec, runExperiment } from '../src/experiments/index.ts';
import type { ExperimentSpecInput } from '../src/experiments/spec.ts';
import type { TrainedArtifact } from '../src/experiments/types.ts';
import { randomInitFolder, RANDOM_INIT_MODEL, type MachineInfo, type UnitEnvironment } from '../src/experiments/reproduce/index.ts';
import { CliError } from './io.ts';
import { loadLanguageModelFolder, SHIPPED_MODEL_DIR } from './language-model.ts';
import { attachAdapter, loadDptFolder } from './model-io.ts';
import { progressReporter } from './progress.ts';
import { sftShardsFor } from './sft-threads.ts';

export function machineInfo(): MachineInfo {
  const list = cpus();
  return { os: `${platform()} ${release()}`, cpu: list[0]?.model.trim() ?? 'unknown', cores: list.length, node: process.version };
}

/** Writes a file under a temporary name and renames it into place (a reader never sees half of it). */
export function writeAtomic(path: string, data: string | Uint8Array): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, data);
  renameSync(tmp, path);
}

export function readIfExists(path: string): string | undefined {
  return existsSync(path) ? readFileSync(path, 'utf8') : undefined;
}

export function appendText(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  appendFileSync(path, text);
}

function writeFolder(dir: string, files: Map<string, string | Uint8Array> | Record<string, string | Uint8Array>): void {
  mkdirSync(dir, { recursive: true });
  for (const [name, data] of files instanceof Map ? files : Object.entries(files)) writeFileSync(join(dir, name), data);
}

export interface NodeUnitEnvironment extends UnitEnvironment {
  load(): number;
  /** removes the scratch folder (trained folders, the random-initialised model). */
  close(): void;
}

export function nodeUnitEnvironment(o: { threads: number }): NodeUnitEnvironment {
  const scratch = mkdtempSync(join(tmpdir(), 'decision-lab-reproduce-'));
  const progress = progressReporter('  tasks');
  const training = progressReporter('  train');
  async function* run(input: ExperimentSpecInput, keep?: (a: TrainedArtifact) => Promise<void>) {
    const spec = parseExperimentSpec(input);
    const trainsSft = spec.policies.includes('sft') && spec.trained?.sft === undefined;
    const sftShards = trainsSft ? await sftShardsFor(spec, o.threads) : undefined;
    try {
      const gen = runExperiment(spec, {
        ...(sftShards ? { sftShards } : {}),
        loadLanguageModel: (model, l) => loadLanguageModelFolder(model, `${spec.name}: model`, l),
        loadTrained: {
          adapter: (dir, base) => {
            attachAdapter(base.model.backend, base.model, dir, `${spec.name}: trained.sft`);
            return Promise.resolve({ ...base, label: `${base.label} + ${dir}` });
          },
          dpt: (dir) => Promise.resolve(loadDptFolder(dir, `${spec.name}: trained.dpt`)),
        },
        // Only the finished adapter or DPT is kept (checkpoints are not needed: a unit reruns whole).
        ...(keep ? { artifacts: { checkpointEvery: Number.MAX_SAFE_INTEGER, save: keep } } : {}),
        onProgress: (p) => progress.update(p.done, p.total, p.label),
        onTrain: (p) => training.update(p.step, p.steps, `${p.policy} ${p.label} · epoch ${p.epoch} · loss ${p.loss.toFixed(4)}`),
      });
      for (;;) {
        const next = await gen.next();
        if (next.done) {
          progress.end();
          training.end();
          return next.value;
        }
        yield next.value;
      }
    } finally {
      await sftShards?.close();
    }
  }
  let randomInit: string | undefined;
  return {
    run,
    machine: machineInfo(),
    now: () => performance.now(),
    load: () => loadavg()[0]!,
    storeArtifact(unit, artifact) {
      const dir = join(scratch, `${unit}-${artifact.policy}-${artifact.pointIndex}`);
      writeFolder(dir, artifact.files);
      return Promise.resolve(dir);
    },
    resolveModel(token) {
      if (token !== RANDOM_INIT_MODEL) throw new CliError(`model: unknown model token ${JSON.stringify(token)}`);
      if (randomInit === undefined) {
        const read = (f: string) => readFileSync(join(SHIPPED_MODEL_DIR, f), 'utf8');
        randomInit = join(scratch, 'random-init');
        writeFolder(randomInit, randomInitFolder({ config: read('config.json'), tokenizer: read('tokenizer.json'), tokenizerConfig: read('tokenizer_config.json'), pretrain: readIfExists(join(SHIPPED_MODEL_DIR, 'pretrain.json')) }));
      }
      return Promise.resolve(randomInit);
    },
    close() {
      rmSync(scratch, { recursive: true, force: true });
    },
  };
}
