/**
 * The random-initialisation arm of the pretraining-contribution figure: a model folder with the
 * pretrained model's architecture and tokenizer and the weights its pretraining started from.
 *
 * No new initialiser: the pretraining script's own (paramLayout + initParams, with the seed its
 * pretrain.json records), so "random init" means exactly the shipped model at step 0. Nothing
 * trains here; SFT then adapts both bases with the same adapter, data and steps.
 */
import { parseLlamaConfig } from '../../nn/llama-config.ts';
import { initParams, modelSafetensors, paramLayout } from '../../models/pretrain/params.ts';

/** The pretraining seed when a folder has no pretrain.json (the shipped model's, `--seed 1`). */
export const DEFAULT_INIT_SEED = 1;

export interface ModelFolderText {
  /** config.json, tokenizer.json, tokenizer_config.json as read; pretrain.json when the folder has it. */
  config: string;
  tokenizer: string;
  tokenizerConfig: string;
  pretrain?: string;
}

/** The seed the folder's pretraining drew its initial weights with. */
export function initSeed(pretrainJson: string | undefined): number {
  if (pretrainJson === undefined) return DEFAULT_INIT_SEED;
  const record = JSON.parse(pretrainJson) as { options?: { seed?: unknown } };
  const seed = record.options?.seed;
  return typeof seed === 'number' && Number.isSafeInteger(seed) && seed >= 0 ? seed : DEFAULT_INIT_SEED;
}

/** The files of the random-initialised folder (byte-identical for the same inputs). */
export function randomInitFolder(src: ModelFolderText): Map<string, string | Uint8Array> {
  const config = parseLlamaConfig(JSON.parse(src.config) as unknown);
  const layout = paramLayout(config);
  const params = new Float32Array(layout.total);
  const seed = initSeed(src.pretrain);
  initParams(config, layout, seed, params);
  return new Map<string, string | Uint8Array>([
    ['config.json', src.config],
    ['model.safetensors', modelSafetensors(layout, params)],
    ['tokenizer.json', src.tokenizer],
    ['tokenizer_config.json', src.tokenizerConfig],
    ['README.md', `# Random initialisation\n\nThe architecture and tokenizer of the pretrained model, with the weights its pretraining started from (initParams, seed ${seed}); never trained. Written by \`reproduce\` for the pretraining-contribution figure.\n`],
  ]);
}
