/**
 * The files of what training produces, as a folder's name → contents: a PEFT adapter folder for
 * SFT, a DPT model folder for the DPT. Written once here so that `train --out`, the sweep
 * runner's artifacts and the app's exports are the same folders.
 */
import type { Backend } from '../nn/backend.ts';
import type { LoraAdapter } from '../nn/lora.ts';
import { savePeftAdapter } from '../models/peft.ts';
import { type DptModel, dptConfigJson, dptSafetensors } from './dpt-model.ts';

export type FolderFiles = Map<string, string | Uint8Array>;

export function jsonFile(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/** `adapter_config.json` + `adapter_model.safetensors`, loadable by PEFT and by `"trained": {"sft": …}`. */
export async function adapterFolderFiles(be: Backend, adapter: LoraAdapter, baseModel: string | null): Promise<FolderFiles> {
  const peft = await savePeftAdapter(be, adapter, baseModel);
  return new Map<string, string | Uint8Array>([
    ['adapter_config.json', jsonFile(peft.config)],
    ['adapter_model.safetensors', peft.safetensors],
  ]);
}

/** `config.json` (`model_type: "dpt"`) + `model.safetensors`, loadable by `"trained": {"dpt": …}`. */
export async function dptFolderFiles(model: DptModel): Promise<FolderFiles> {
  return new Map<string, string | Uint8Array>([
    ['config.json', jsonFile(dptConfigJson(model.config))],
    ['model.safetensors', await dptSafetensors(model)],
  ]);
}
