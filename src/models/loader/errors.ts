/**
 * Why a model did not load, as a kind the UI can title and a message a student can act on.
 * Errors are plain data across the worker boundary (comlink only keeps an Error's message), so
 * the worker returns `{ kind, message }` and the UI never has to parse message text.
 */
import { ModelFormatError } from '../../nn/llama-config.ts';
import { SafetensorsError } from '../../nn/safetensors.ts';

export type LoadErrorKind =
  | 'offline' // no network, or the host did not answer
  | 'not-found' // no such model id (or not a valid id)
  | 'architecture' // config.json is not a Llama the engine runs
  | 'too-large' // refused before downloading the weights
  | 'tokenizer' // no usable tokenizer.json / tokenizer_config.json
  | 'format' // broken or missing weight files
  | 'http' // any other server answer (rate limit, 5xx, gated model)
  | 'no-onnx' // ICL with transformers.js: no onnx/model*.onnx in the repo
  | 'not-causal-lm' // ICL with transformers.js: a model type it cannot run as a causal LM
  | 'runtime' // ICL with transformers.js: the ONNX runtime refused or failed the graph
  | 'cancelled';

export class ModelLoadError extends Error {
  constructor(
    readonly kind: LoadErrorKind,
    message: string,
  ) {
    super(message);
    this.name = 'ModelLoadError';
  }
}

/** Short titles for the UI, one per kind. */
export const ERROR_TITLES: Record<LoadErrorKind, string> = {
  offline: 'Offline or host unreachable',
  'not-found': 'Model not found',
  architecture: 'Not a model this engine runs',
  'too-large': 'Too large for this device',
  tokenizer: 'Missing or unusable tokenizer',
  format: 'Broken model files',
  http: 'The server refused the download',
  'no-onnx': 'No ONNX weights',
  'not-causal-lm': 'Not a causal language model',
  runtime: 'The ONNX runtime failed',
  cancelled: 'Cancelled',
};

/** Anything thrown while loading, as a ModelLoadError (engine format errors keep their message). */
export function asLoadError(e: unknown, stage: 'config' | 'weights' = 'weights'): ModelLoadError {
  if (e instanceof ModelLoadError) return e;
  if (e instanceof ModelFormatError) return new ModelLoadError(stage === 'config' ? 'architecture' : 'format', e.message);
  if (e instanceof SafetensorsError) return new ModelLoadError('format', `model.safetensors: ${e.message}`);
  if (e instanceof Error && e.name === 'AbortError') return new ModelLoadError('cancelled', 'Loading was cancelled.');
  return new ModelLoadError('format', e instanceof Error ? e.message : String(e));
}
