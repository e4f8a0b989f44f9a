/**
 * What a model will cost, from config.json alone, so a model too large for the device is
 * refused before its weights are downloaded (hundreds of MB to GB).
 */
import { type LlamaConfig, PROJECTIONS, projectionShape } from '../../nn/llama-config.ts';

/** Bytes one parameter takes in the engine: both backends hold the frozen base as f32. */
export const ENGINE_BYTES_PER_PARAM = 4;

/**
 * Default ceilings on the base model's engine bytes. WebGPU: one storage buffer and the
 * device's budget on integrated GPUs; CPU: a tab's heap also holds the downloaded file while
 * decoding, and training needs activations on top. Both are configurable.
 */
export const DEFAULT_LIMITS = { webgpu: 2e9, cpu: 1e9 } as const;

export interface ModelEstimate {
  parameters: number;
  /** f32 weights in the engine. */
  engineBytes: number;
  /** model.safetensors in its stored dtype (from torch_dtype; f32 when absent). */
  fileBytes: number;
  dtype: 'F32' | 'F16' | 'BF16';
}

export function parameterCount(c: LlamaConfig): number {
  let perLayer = 2 * c.hiddenSize; // the two RMSNorm weights
  for (const p of PROJECTIONS) {
    const [out, inF] = projectionShape(c, p);
    perLayer += out * inF;
  }
  const embed = c.vocabSize * c.hiddenSize;
  return embed + c.numLayers * perLayer + c.hiddenSize + (c.tieWordEmbeddings ? 0 : embed);
}

function storedDtype(raw: Record<string, unknown>): ModelEstimate['dtype'] {
  const d = raw.torch_dtype ?? raw.dtype;
  if (d === 'float16') return 'F16';
  if (d === 'bfloat16') return 'BF16';
  return 'F32';
}

export function estimateModel(c: LlamaConfig, raw: Record<string, unknown>): ModelEstimate {
  const parameters = parameterCount(c);
  const dtype = storedDtype(raw);
  return { parameters, engineBytes: parameters * ENGINE_BYTES_PER_PARAM, fileBytes: parameters * (dtype === 'F32' ? 4 : 2), dtype };
}

/** "1.2 GB", "540 MB", "12 kB" (decimal units, as download sizes are usually shown). */
export function formatBytes(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(n >= 1e10 ? 0 : 1)} GB`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(n >= 1e8 ? 0 : 1)} MB`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(0)} kB`;
  return `${n} B`;
}

/** "135 M", "1.2 B", "52 k" parameters. */
export function formatCount(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(1)} B`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(n >= 1e7 ? 0 : 1)} M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(n >= 1e4 ? 0 : 1)} k`;
  return String(n);
}

/** transformers' LlamaConfig default when config.json has no max_position_embeddings. */
export const DEFAULT_CONTEXT = 2048;

/** The context length a config declares (Llama's max_position_embeddings; GPT-2's n_positions / n_ctx), or undefined. */
export function declaredContextLength(raw: Record<string, unknown>): number | undefined {
  return [raw.max_position_embeddings, raw.n_positions, raw.n_ctx].find((v): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v > 0);
}

/** The context length the engine enforces: the declared one, else transformers' default. */
export function contextLengthOf(raw: Record<string, unknown>): number {
  return declaredContextLength(raw) ?? DEFAULT_CONTEXT;
}
