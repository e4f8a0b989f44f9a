/** Reading model and adapter folders for the CLI: missing files and format problems become errors naming the option. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ModelFormatError } from '../src/nn/llama-config.ts';
import { SafetensorsError } from '../src/nn/safetensors.ts';
import { CliError } from './io.ts';

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
