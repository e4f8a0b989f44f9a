/**
 * The CLI's loader for the language-model policies: the spec's `"model"` folder (default: the
 * shipped model) read from disk into the CPU engine, once per folder per process.
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CpuBackend, type CpuBackendOptions } from '../src/nn/cpu/index.ts';
import { asLanguageModel, loadModel, ModelLoadError } from '../src/models/loader/index.ts';
import { directoryReader } from '../src/models/loader/node.ts';
import { SHIPPED_MODEL_NAME } from '../src/models/pretrain/card.ts';
import type { LanguageModel } from '../src/policies/types.ts';
import type { LanguageModelLoad } from '../src/experiments/run.ts';
import { CliError } from './io.ts';

/** The checkout this CLI runs from, wherever the command is run from. */
export const REPO_ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '..');
/** public/models/<shipped>/ of this checkout. */
export const SHIPPED_MODEL_DIR = resolve(REPO_ROOT, 'public', 'models', SHIPPED_MODEL_NAME);

const loaded = new Map<string, Promise<LanguageModel>>();

/**
 * The model folder `dir` (relative to the working directory), or the shipped model, with an
 * f32 or an NF4 base (one instance of each per folder, and separate ones for adapters); errors name the spec field `field`.
 */
export function loadLanguageModelFolder(dir: string | undefined, field = 'model', o: LanguageModelLoad = {}, cpu: CpuBackendOptions = {}): Promise<LanguageModel> {
  const path = dir === undefined ? SHIPPED_MODEL_DIR : resolve(dir);
  const key = `${o.adapter === true ? 'adapter' : 'base'}:${o.nf4 === true ? 'nf4' : 'f32'}:${cpu.kernels ?? 'fast'}:${path}`;
  let p = loaded.get(key);
  if (!p) {
    p = loadModel({ kind: 'local', location: path, name: dir ?? SHIPPED_MODEL_NAME }, { backend: new CpuBackend(cpu), folder: directoryReader, nf4: o.nf4 === true })
      .then(asLanguageModel)
      .catch((e: unknown) => {
        loaded.delete(key);
        if (e instanceof ModelLoadError) throw new CliError(`${field}: ${path}: ${e.message}`);
        throw e;
      });
    loaded.set(key, p);
  }
  return p;
}
