/** Reading model and adapter folders for the CLI: missing files and format problems become errors naming the option. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ModelFormatError } from '../src/nn/llama-config.ts';
import { SafetensorsError } from '../src/nn/safetensors.ts';
import { loadPeftAdapter, parsePeftConfig } from '../src/models/peft.ts';
import type { Backend } from '../src/nn/backend.ts';
import type { LlamaConfig } from '../src/nn/llama-config.ts';
import type { LlamaModel } from '../src/nn/llama.ts';
import { CliError, readJsonFile } from './io.ts';

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

/** Attaches the PEFT adapter folder `dir` to `model`, dropout off (DESIGN §7). */
export function attachAdapter(be: Backend, model: LlamaModel, config: LlamaConfig, dir: string | undefined): void {
  if (dir === undefined) return;
  const path = folder(dir, '--adapter');
  const adapterConfig = readJsonFile(join(path, 'adapter_config.json'), '--adapter');
  asCliError('--adapter', 'adapter_config.json', () => parsePeftConfig(adapterConfig));
  const tensors = readBytes(path, 'adapter_model.safetensors', '--adapter');
  model.setAdapter(asCliError('--adapter', 'adapter_model.safetensors', () => loadPeftAdapter(be, config, adapterConfig, tensors, { dropout: 0 })));
}
