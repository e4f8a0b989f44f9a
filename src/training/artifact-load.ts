/**
 * The inverse of artifact-files.ts: a trained folder's files (as the CLI reads them from disk
 * or the app keeps them in IndexedDB) back into an adapter on a model, or a DPT model.
 */
import type { Backend } from '../nn/backend.ts';
import type { LlamaModel } from '../nn/llama.ts';
import { loadPeftAdapter, parsePeftConfig } from '../models/peft.ts';
import { type DptModel, loadDpt, parseDptConfig } from './dpt-model.ts';

export type ArtifactFile = string | Uint8Array;

function text(f: ArtifactFile | undefined, name: string): unknown {
  if (f === undefined) throw new Error(`${name} is missing from the folder`);
  return JSON.parse(typeof f === 'string' ? f : new TextDecoder().decode(f));
}

function bytes(f: ArtifactFile | undefined, name: string): Uint8Array {
  if (f === undefined) throw new Error(`${name} is missing from the folder`);
  return typeof f === 'string' ? new TextEncoder().encode(f) : f;
}

/** Attaches a PEFT adapter folder's weights to `model` with dropout off (DESIGN §7: evaluation). */
export function attachAdapterFiles(be: Backend, model: LlamaModel, configJson: unknown, safetensors: Uint8Array): void {
  parsePeftConfig(configJson);
  model.setAdapter(loadPeftAdapter(be, model.config, configJson, safetensors, { dropout: 0 }));
}

/** The same from a folder's files by name. */
export function attachAdapterFolder(be: Backend, model: LlamaModel, files: Readonly<Record<string, ArtifactFile>>): void {
  attachAdapterFiles(be, model, text(files['adapter_config.json'], 'adapter_config.json'), bytes(files['adapter_model.safetensors'], 'adapter_model.safetensors'));
}

/** A DPT model folder's files (config.json, model.safetensors) as a model on `be`. */
export function dptFromFiles(be: Backend, configJson: unknown, safetensors: Uint8Array, where = 'model.safetensors'): DptModel {
  return loadDpt(be, parseDptConfig(configJson), safetensors, where);
}

export function dptFromFolder(be: Backend, files: Readonly<Record<string, ArtifactFile>>): DptModel {
  return dptFromFiles(be, text(files['config.json'], 'config.json'), bytes(files['model.safetensors'], 'model.safetensors'));
}
