/** Reading model and adapter folders for the CLI: missing files and format problems become errors naming the option. */
import { readFileSync, realpathSync, renameSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { ModelFormatError } from '../src/nn/llama-config.ts';
import { SafetensorsError } from '../src/nn/safetensors.ts';
import { parsePeftConfig } from '../src/models/peft.ts';
import type { Backend } from '../src/nn/backend.ts';
import type { LlamaModel } from '../src/nn/llama.ts';
import { CliError, readJsonFile } from './io.ts';
import { CpuBackend } from '../src/nn/cpu/index.ts';
import { type DptModel, parseDptConfig } from '../src/training/dpt-model.ts';
import { attachAdapterFiles, dptFromFiles } from '../src/training/artifact-load.ts';

export function folder(path: string | undefined, option: string): string {
  if (path === undefined || path === '') throw new CliError(`${option}: a folder path is required`);
  return path;
}

export function readBytes(dir: string, file: string, option: string): Uint8Array {
  const path = join(dir, file);
  try {
    return readFileSync(path);
  } catch (e) {
    throw new CliError(`${option}: cannot read ${path} (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
}

/** Format problems in a model or adapter folder become CLI errors prefixed with the option. */
export function asCliError<T>(option: string, file: string, load: () => T): T {
  try {
    return load();
  } catch (e) {
    if (e instanceof ModelFormatError) throw new CliError(`${option}: ${e.message}`);
    if (e instanceof SafetensorsError) throw new CliError(`${option}: ${file}: ${e.message}`);
    throw e;
  }
}

/** Attaches the PEFT adapter folder `dir` to `model`, dropout off (DESIGN §7); errors name `option`. */
export function attachAdapter(be: Backend, model: LlamaModel, dir: string | undefined, option = '--adapter'): void {
  if (dir === undefined) return;
  const path = folder(dir, option);
  const adapterConfig = readJsonFile(join(path, 'adapter_config.json'), option);
  asCliError(option, 'adapter_config.json', () => parsePeftConfig(adapterConfig));
  const tensors = readBytes(path, 'adapter_model.safetensors', option);
  asCliError(option, 'adapter_model.safetensors', () => attachAdapterFiles(be, model, adapterConfig, tensors));
}

/** A DPT model folder (config.json, model.safetensors, as `train --policy dpt` writes it) on the CPU. */
export function loadDptFolder(dir: string, option: string): DptModel {
  const config = readJsonFile(join(dir, 'config.json'), option);
  asCliError(option, 'config.json', () => parseDptConfig(config, join(dir, 'config.json')));
  const bytes = readBytes(dir, 'model.safetensors', option);
  return asCliError(option, 'model.safetensors', () => dptFromFiles(new CpuBackend(), config, bytes, join(dir, 'model.safetensors')));
}

/** The real path of `p`, or of its nearest existing parent with the rest appended (symlinks resolved). */
function realish(p: string): string {
  let head = resolve(p);
  const rest: string[] = [];
  for (;;) {
    try {
      return join(realpathSync(head), ...rest.reverse());
    } catch {
      const parent = dirname(head);
      if (parent === head) return resolve(p);
      rest.push(basename(head));
      head = parent;
    }
  }
}

/**
 * Refuses an output path that is one of the command's inputs or lies inside one, symlinks resolved:
 * `forward --out <model>/model.safetensors` would otherwise overwrite the weights it just read.
 */
export function assertNotAnInput(option: string, out: string, inputs: { option: string; path: string | undefined }[]): void {
  const o = realish(out);
  for (const input of inputs) {
    if (input.path === undefined) continue;
    const i = realish(input.path);
    if (o === i || o.startsWith(`${i}${sep}`)) {
      throw new CliError(`${option}: ${out} would overwrite ${input.option} ${input.path} (the command's own input); write somewhere else`);
    }
  }
}

/** Writes to a temporary file beside `path`, then renames it into place, so a failure never leaves a half-written file. */
export function writeFileAtomic(path: string, content: string | Uint8Array): void {
  const tmp = join(dirname(path), `.${basename(path)}.tmp-${process.pid}`);
  writeFileSync(tmp, content);
  renameSync(tmp, path);
}
