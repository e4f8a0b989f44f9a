/**
 * Loading any ONNX causal LM from the hub layout (the hub, a mirror, or a localhost test hub:
 * `env.remoteHost`) through @huggingface/transformers, for in-context learning. Unlike
 * src/models/loader/ (our engine, Llama only, safetensors), the graph here is whatever the repo's
 * `onnx/` folder holds, run by onnxruntime: bigger pretrained models than a browser could
 * fine-tune. Order: config.json (its model type must be one transformers.js runs as a causal
 * LM), the dtypes `onnx/` offers, the tokenizer, then the graph. Every refusal is a
 * ModelLoadError whose kind names the problem.
 */
import {
  AutoModelForCausalLM, type DataType, env, ModelRegistry, PretrainedConfig, type PreTrainedModel, type PreTrainedTokenizer, type ProgressInfo,
} from '@huggingface/transformers';
import { asLoadError, ModelLoadError } from '../loader/errors.ts';
import { declaredContextLength } from '../loader/estimate.ts';
import { browserCache, knownOffline, offlineError, type ModelCache } from '../loader/fetch.ts';
import { hubFiles, isHubId, parseJsonFile } from '../loader/sources.ts';
import type { LoadEvent } from '../loader/types.ts';
import { ActionScorer, type ScorerOptions } from './scorer.ts';

export type IclDevice = 'webgpu' | 'wasm' | 'cpu';

/**
 * Where onnxruntime runs: Node has onnxruntime-node ('cpu'); a browser with a WebGPU adapter
 * gets 'webgpu', any other browser WebAssembly ('wasm').
 */
export async function defaultDevice(): Promise<IclDevice> {
  if (typeof process !== 'undefined' && typeof process.versions?.node === 'string') return 'cpu';
  try {
    if (typeof navigator !== 'undefined' && navigator.gpu && (await navigator.gpu.requestAdapter())) return 'webgpu';
  } catch {
    // A broken WebGPU stack is no reason to fail: WebAssembly always works.
  }
  return 'wasm';
}

/** Preferred dtypes, best first: full precision as the default, then the common quantizations. */
export const DTYPE_PREFERENCE = ['fp32', 'q8', 'q4', 'fp16', 'q4f16', 'int8', 'uint8', 'bnb4'] as const;

/** `requested` when offered ('auto' or absent: the first offered in DTYPE_PREFERENCE order). */
export function pickDtype(offered: readonly string[], requested?: string): string {
  if (requested && requested !== 'auto') {
    if (offered.includes(requested)) return requested;
    throw new ModelLoadError('no-onnx', `The repo offers no ${requested} weights (onnx/ has: ${offered.join(', ')}). Choose one of those.`);
  }
  return DTYPE_PREFERENCE.find((d) => offered.includes(d)) ?? offered[0]!;
}

export interface OnnxLoadOptions {
  revision?: string;
  /** a transformers.js dtype offered by the repo, or 'auto' (default). */
  dtype?: string;
  device?: IclDevice | 'auto';
  /** where config.json is cached; default the browser's Cache Storage (none in Node). */
  cache?: ModelCache | null;
  signal?: AbortSignal;
  onEvent?: (e: LoadEvent) => void;
  scorer?: ScorerOptions;
}

/** What the UI shows about a loaded ONNX LM (plain data). */
export interface OnnxModelInfo {
  id: string;
  modelType: string;
  dtype: string;
  /** every dtype the repo's onnx/ folder offers. */
  dtypes: string[];
  device: IclDevice;
  /** bytes of the ONNX files downloaded (0 when all came from the cache and sizes were not reported). */
  fileBytes: number;
  vocabSize: number | null;
  /** false: the graph has no KV-cache inputs, so prompts are recomputed whole (slower, more memory). */
  cached: boolean;
  seconds: number;
}

export interface LoadedOnnxLM {
  model: PreTrainedModel;
  tokenizer: PreTrainedTokenizer;
  scorer: ActionScorer;
  info: OnnxModelInfo;
}

function progressEvents(emit: (e: LoadEvent) => void, sizes: Map<string, number>): (p: ProgressInfo) => void {
  return (p) => {
    if (p.status === 'progress') {
      sizes.set(p.file, p.total || p.loaded);
      emit({ type: 'file', file: p.file, loaded: p.loaded, total: p.total || null, fromCache: false, done: false });
    } else if (p.status === 'done') {
      const n = sizes.get(p.file) ?? 0;
      emit({ type: 'file', file: p.file, loaded: n, total: n, fromCache: false, done: true });
      // The session is built once the graph is in memory: the slow step on big models.
      if (p.file.endsWith('.onnx') || p.file.endsWith('.onnx_data')) emit({ type: 'stage', stage: 'building' });
    }
  };
}

/** Library and runtime errors sorted into our kinds. */
function runtimeError(e: unknown, id: string): ModelLoadError {
  if (e instanceof ModelLoadError) return e;
  const msg = e instanceof Error ? e.message : String(e);
  if (e instanceof TypeError && /fetch|network/i.test(msg)) return offlineError(env.remoteHost);
  if (e instanceof Error && e.name === 'ModelFileNotFoundError') return new ModelLoadError('no-onnx', `${id}: ${msg}`);
  return new ModelLoadError('runtime', `onnxruntime could not run ${id}: ${msg}`);
}

export async function loadOnnxCausalLM(id: string, o: OnnxLoadOptions = {}): Promise<LoadedOnnxLM> {
  const t0 = performance.now();
  const emit = o.onEvent ?? (() => {});
  const revision = o.revision ?? 'main';
  if (!isHubId(id)) throw new ModelLoadError('not-found', `"${id}" is not a hub model id; ids look like owner/name, e.g. onnx-community/SmolLM2-135M-ONNX.`);
  const files = hubFiles({ kind: 'hub', id, revision }, o.cache === undefined ? browserCache() : o.cache, o.signal);

  emit({ type: 'stage', stage: 'config' });
  const raw = parseJsonFile(await files.read('config.json', 'not-found', emit), 'config.json');
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new ModelLoadError('format', `${id}: config.json is not a JSON object.`);
  const config = raw as Record<string, unknown>;
  const modelType = typeof config.model_type === 'string' ? config.model_type : '';
  if (!AutoModelForCausalLM.supports(modelType)) {
    throw new ModelLoadError(
      'not-causal-lm',
      `${id} is ${modelType ? `a "${modelType}" model` : 'a model without a model_type'}, which transformers.js cannot run as a causal language model (text generation). ICL needs a decoder such as llama, gpt2, qwen2, phi3 or gemma.`,
    );
  }

  // Handed to the library so it does not fetch config.json a second time.
  const pretrained = new PretrainedConfig(config);
  let offered: string[];
  try {
    if (knownOffline()) throw offlineError(env.remoteHost);
    offered = await ModelRegistry.get_available_dtypes(id, { config: pretrained, revision });
  } catch (e) {
    throw runtimeError(e, id);
  }
  if (offered.length === 0) {
    throw new ModelLoadError(
      'no-onnx',
      `${id} has no onnx/ folder with a model.onnx (or a quantized model_q4.onnx, model_fp16.onnx, …): transformers.js runs ONNX graphs only. Look for an ONNX conversion of the model (often under onnx-community/), or export a lab model with the export-onnx command.`,
    );
  }
  const dtype = pickDtype(offered, o.dtype);
  const device = !o.device || o.device === 'auto' ? await defaultDevice() : o.device;

  emit({ type: 'stage', stage: 'tokenizer' });
  const tokenizer = await files.tokenizer(emit);

  emit({ type: 'stage', stage: 'weights' });
  const sizes = new Map<string, number>();
  let model: PreTrainedModel;
  try {
    model = await AutoModelForCausalLM.from_pretrained(id, {
      config: pretrained,
      revision,
      dtype: dtype as DataType,
      device,
      progress_callback: progressEvents(emit, sizes),
    });
  } catch (e) {
    if (o.signal?.aborted) throw new ModelLoadError('cancelled', 'Loading was cancelled.');
    throw runtimeError(e, id);
  }
  let scorer: ActionScorer;
  try {
    const positions = declaredContextLength(config);
    scorer = new ActionScorer(model, tokenizer, { ...(positions ? { maxPositions: positions } : {}), ...o.scorer });
  } catch (e) {
    await model.dispose();
    throw new ModelLoadError('not-causal-lm', `${id}: ${asLoadError(e).message}`);
  }
  emit({ type: 'stage', stage: 'ready', fraction: 1 });
  const onnxBytes = [...sizes].filter(([f]) => f.includes('.onnx')).reduce((s, [, n]) => s + n, 0);
  return {
    model,
    tokenizer,
    scorer,
    info: {
      id,
      modelType,
      dtype,
      dtypes: offered,
      device,
      fileBytes: onnxBytes,
      vocabSize: typeof config.vocab_size === 'number' ? config.vocab_size : null,
      cached: scorer.usesCache,
      seconds: (performance.now() - t0) / 1000,
    },
  };
}
