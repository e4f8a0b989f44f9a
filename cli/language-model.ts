/**
 * The CLI's loader for the language-model policies: the spec's `"model"` folder (default: the
 * shipped model) read from disk into the CPU engine, once per folder per process.
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CpuBackend } from '../src/nn/cpu/index.ts';
import { asLanguageModel, loadModel, ModelLoadError } from '../src/models/loader/index.ts';
import { directoryReader } from '../src/models/loader/node.ts';
import { SHIPPED_MODEL_NAME } from '../src/models/pretrain/card.ts';
import type { LanguageModel } from '../src/policies/types.ts';
import { CliError } from './io.ts';

/** public/models/<shipped>/ of this checkout, wherever the command is run from. */
export const SHIPPED_MODEL_DIR = resolve(fileURLToPath(new URL('.', import.meta.url)), '..', 'public', 'models', SHIPPED_MODEL_NAME);

const loaded = new Map<string, Promise<LanguageModel>>();

/** The model folder `dir` (relative to the working directory), or the shipped model; errors name the spec field `field`. */
export function loadLanguageModelFolder(dir: string | undefined, field = 'model'): Promise<LanguageModel> {
  const path = dir === undefined ? SHIPPED_MODEL_DIR : resolve(dir);
  let p = loaded.get(path);
  if (!p) {
    p = loadModel({ kind: 'local', location: path, name: dir ?? SHIPPED_MODEL_NAME }, { backend: new CpuBackend(), folder: directoryReader })
      .then(asLanguageModel)
      .catch((e: unknown) => {
        loaded.delete(path);
        if (e instanceof ModelLoadError) throw new CliError(`${field}: ${path}: ${e.message}`);
        throw e;
      });
    loaded.set(path, p);
  }
  return p;
}
