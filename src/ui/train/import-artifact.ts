/**
 * Importing a trained folder as a zip (the Train tab's "Import"): a PEFT adapter folder or a DPT
 * model folder, as the lab exports them (or as PEFT writes them). The files are checked before
 * they are kept: the config parses and the weights load.
 */
import { unzipSync } from 'fflate';
import { parsePeftConfig } from '../../models/peft.ts';
import { parseDptConfig } from '../../training/dpt-model.ts';
import type { TrainedArtifact } from '../../experiments/types.ts';

/** The files of a zip, by their name inside their folder (a top folder, if any, is dropped). */
function folderFiles(zip: Uint8Array): Record<string, Uint8Array> {
  const entries = Object.entries(unzipSync(zip)).filter(([name]) => !name.endsWith('/'));
  return Object.fromEntries(entries.map(([name, bytes]) => [name.split('/').at(-1)!, bytes]));
}

const json = (b: Uint8Array | undefined, name: string): unknown => {
  if (!b) throw new Error(`${name} is missing from the zip`);
  return JSON.parse(new TextDecoder().decode(b)) as unknown;
};

/** The artifact a zip holds, or an error naming what is wrong with it. */
export function artifactFromZip(zip: Uint8Array, fileName: string): TrainedArtifact {
  const files = folderFiles(zip);
  const label = fileName.replace(/\.zip$/i, '');
  if (files['adapter_config.json']) {
    parsePeftConfig(json(files['adapter_config.json'], 'adapter_config.json'));
    if (!files['adapter_model.safetensors']) throw new Error('adapter_model.safetensors is missing from the zip');
    return { kind: 'sft-adapter', policy: 'sft', pointIndex: 0, label, step: 0, steps: 0, files: { 'adapter_config.json': new TextDecoder().decode(files['adapter_config.json']), 'adapter_model.safetensors': files['adapter_model.safetensors'] } };
  }
  if (files['config.json']) {
    parseDptConfig(json(files['config.json'], 'config.json'));
    if (!files['model.safetensors']) throw new Error('model.safetensors is missing from the zip');
    return { kind: 'dpt-model', policy: 'dpt', pointIndex: 0, label, step: 0, steps: 0, files: { 'config.json': new TextDecoder().decode(files['config.json']), 'model.safetensors': files['model.safetensors'] } };
  }
  throw new Error('the zip holds neither a PEFT adapter (adapter_config.json) nor a DPT model (config.json)');
}
