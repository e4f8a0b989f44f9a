/**
 * Loading a model folder into the engine (DESIGN §5, docs/models.md "Loading models"):
 * config.json first, checked by the engine's own parser and sized before anything large is
 * fetched; then the tokenizer (through @huggingface/transformers); then model.safetensors into
 * `loadLlama`. Every refusal is a ModelLoadError with a kind the UI titles; nothing here touches
 * state outside the returned model, so a failed load leaves the rest of the app as it was.
 */
import type { PreTrainedTokenizer } from '@huggingface/transformers';
import type { Backend } from '../../nn/backend.ts';
import { type LlamaConfig, parseLlamaConfig } from '../../nn/llama-config.ts';
import { loadLlama, type LlamaModel } from '../../nn/llama.ts';
import { asLoadError, ModelLoadError } from './errors.ts';
import type { LanguageModel } from '../../policies/types.ts';
import { contextLengthOf, DEFAULT_LIMITS, estimateModel, formatBytes, formatCount } from './estimate.ts';
import { browserCache, type ModelCache } from './fetch.ts';
import { folderFiles, type FolderReader, hubFiles, isHubId, type ModelFiles, parseJsonFile, urlReader } from './sources.ts';
import { type LoadEvent, type ModelInfo, type ModelSource, sourceLabel } from './types.ts';

export interface LoadModelOptions {
  backend: Backend;
  /** Engine bytes above which a model is refused before its weights are fetched; default by backend (DEFAULT_LIMITS). */
  maxEngineBytes?: number;
  /** Hub downloads' cache; default the browser's Cache Storage (none in Node unless given: see node.ts). */
  cache?: ModelCache | null;
  /** How a local source is read; default fetch relative to the page (the served `/models/<name>/`). */
  folder?: (location: string) => FolderReader;
  signal?: AbortSignal;
  onEvent?: (e: LoadEvent) => void;
  /** Quantize the frozen projection weights to NF4 (QLoRA's base). */
  nf4?: boolean;
}

export interface LoadedModel {
  model: LlamaModel;
  tokenizer: PreTrainedTokenizer;
  config: LlamaConfig;
  rawConfig: Record<string, unknown>;
  info: ModelInfo;
}

export function defaultLimit(backend: Backend): number {
  return backend.name === 'webgpu' ? DEFAULT_LIMITS.webgpu : DEFAULT_LIMITS.cpu;
}

function filesOf(source: ModelSource, o: LoadModelOptions): ModelFiles {
  if (source.kind === 'local') return folderFiles((o.folder ?? ((l) => urlReader(l, o.signal)))(source.location));
  if (!isHubId(source.id)) throw new ModelLoadError('not-found', `"${source.id}" is not a hub model id; ids look like owner/name, e.g. HuggingFaceTB/SmolLM2-135M.`);
  return hubFiles(source, o.cache === undefined ? browserCache() : o.cache, o.signal);
}

/** The largest token id the tokenizer can produce, + 1 (added tokens included). */
function tokenizerSize(tok: PreTrainedTokenizer): number {
  let max = -1;
  for (const id of tok.get_vocab().values()) max = Math.max(max, id);
  return max + 1;
}

/** A loaded model as the language-model policies use it (policies/types.ts). */
export function asLanguageModel(loaded: LoadedModel): LanguageModel {
  return { label: loaded.info.label, model: loaded.model, tokenizer: loaded.tokenizer, maxPositions: contextLengthOf(loaded.rawConfig) };
}

export async function loadModel(source: ModelSource, o: LoadModelOptions): Promise<LoadedModel> {
  const t0 = performance.now();
  const emit = o.onEvent ?? (() => {});
  const files = filesOf(source, o);
  const label = sourceLabel(source);

  emit({ type: 'stage', stage: 'config' });
  const rawConfig = parseJsonFile(await files.read('config.json', 'not-found', emit), 'config.json');
  let config: LlamaConfig;
  try {
    config = parseLlamaConfig(rawConfig);
  } catch (e) {
    const err = asLoadError(e, 'config');
    const type = (rawConfig as Record<string, unknown> | null)?.model_type;
    throw new ModelLoadError(err.kind, type !== 'llama' && typeof type === 'string' ? `${label} is a "${type}" model; the lab's engine runs the Llama architecture only (config.json model_type "llama").` : `${label}: ${err.message}`);
  }
  const raw = rawConfig as Record<string, unknown>;
  const est = estimateModel(config, raw);
  const limit = o.maxEngineBytes ?? defaultLimit(o.backend);
  if (est.engineBytes > limit) {
    throw new ModelLoadError(
      'too-large',
      `${label} has ${formatCount(est.parameters)} parameters: about ${formatBytes(est.engineBytes)} in the engine (f32), over this device's limit of ${formatBytes(limit)} on the ${o.backend.name} backend. Nothing was downloaded beyond config.json. Try a smaller model such as HuggingFaceTB/SmolLM2-135M.`,
    );
  }

  emit({ type: 'stage', stage: 'tokenizer' });
  const tokenizer = await files.tokenizer(emit);
  const tokSize = tokenizerSize(tokenizer);
  if (tokSize > config.vocabSize) {
    throw new ModelLoadError('tokenizer', `The tokenizer of ${label} has ${tokSize} tokens but config.json's vocab_size is ${config.vocabSize}: they do not belong together.`);
  }

  emit({ type: 'stage', stage: 'weights' });
  const weights = await files.read('model.safetensors', 'format', emit);

  emit({ type: 'stage', stage: 'building', fraction: 0 });
  let model: LlamaModel;
  try {
    model = loadLlama(o.backend, config, weights, { nf4: o.nf4 === true, onProgress: (done, total) => emit({ type: 'stage', stage: 'building', fraction: done / total }) });
  } catch (e) {
    throw asLoadError(e, 'weights');
  }
  emit({ type: 'stage', stage: 'ready', fraction: 1 });
  return {
    model,
    tokenizer,
    config,
    rawConfig: raw,
    info: {
      source,
      label,
      parameters: est.parameters,
      engineBytes: est.engineBytes,
      fileBytes: weights.byteLength,
      dtype: est.dtype,
      backend: o.backend.name,
      layers: config.numLayers,
      hidden: config.hiddenSize,
      vocabSize: config.vocabSize,
      tokenizerSize: tokSize,
      seconds: (performance.now() - t0) / 1000,
    },
  };
}
