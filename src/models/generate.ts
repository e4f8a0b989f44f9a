/**
 * "Try the model" (Model tab, docs/models.md): what a loaded causal LM does with a prompt — the
 * probabilities of the next token, and the greedy continuation (always the most probable token,
 * so the same prompt gives the same text on every run and every backend up to float rounding).
 *
 * Built from the engine's own pieces: the KV cache of kv-cache.ts (each new token costs one
 * token's forward) or, without it, the model's full forward over the whole sequence per token
 * (the reference the cache is tested against). The prompt is tokenized as the ICL scorer does
 * (icl/tokens.ts): the tokenizer's leading special tokens (a Llama BOS) and the text without an
 * appended EOS, because a prompt is an unfinished text.
 */
import { KvCache, logSoftmax } from '../nn/kv-cache.ts';
import type { LlamaModel } from '../nn/llama.ts';
import { embedding } from '../nn/ops.ts';
import { Tape } from '../nn/tape.ts';
import { leadingSpecialTokens } from './icl/tokens.ts';
import type { LabTokenizer } from './tokenizer/index.ts';

/** The part of a transformers.js tokenizer used here: the loader's `PreTrainedTokenizer` fits it. */
export interface GenerateTokenizer {
  encode(text: string, options?: { add_special_tokens?: boolean }): number[];
  decode(ids: number[], options?: { skip_special_tokens?: boolean; clean_up_tokenization_spaces?: boolean }): string;
  /** absent or null: every text encodes (byte-level BPE). */
  readonly unk_token_id?: number | null;
  readonly eos_token_id?: number | null;
}

/** Upper bound of the tokens one request may generate (the UI's field says the same). */
export const MAX_NEW_TOKENS = 256;
export { contextLengthOf, DEFAULT_CONTEXT } from './loader/estimate.ts';

export type GenerateErrorKind = 'tokens' | 'empty' | 'too-long' | 'unencodable';

/** A request this model cannot run as asked; the message names the numbers or characters. */
export class GenerateError extends Error {
  constructor(
    readonly kind: GenerateErrorKind,
    message: string,
  ) {
    super(message);
    this.name = 'GenerateError';
  }
}

export interface TokenProb {
  id: number;
  /** the token decoded alone (special tokens by name). */
  text: string;
  prob: number;
}

export interface GenerateProgress {
  /** tokens generated so far, of at most `total`. */
  done: number;
  total: number;
  token: TokenProb;
  seconds: number;
}

export interface GenerateOptions {
  /** tokens to generate, 1 … MAX_NEW_TOKENS. */
  n: number;
  /** the model's context (max_position_embeddings): positions beyond it were never trained. */
  contextLength: number;
  /** how many next tokens to report (default 5). */
  topK?: number;
  /** ids that end the text; default the tokenizer's eos_token_id. */
  eos?: readonly number[];
  /** false: recompute the whole sequence per token instead of using the KV cache. */
  cache?: boolean;
  /** stops after the token in progress; the tokens so far are returned. */
  signal?: AbortSignal;
  /** after each token; awaited, so a worker can yield to its message loop (and see a cancel). */
  onToken?: (p: GenerateProgress) => void | Promise<void>;
}

export interface GenerateResult {
  promptTokens: number;
  contextLength: number;
  /** the top-k tokens after the prompt, most probable first (ties: lower id first). */
  next: TokenProb[];
  /** the greedy continuation, each token with the probability it had when chosen (an EOS is not included). */
  tokens: TokenProb[];
  text: string;
  /** length: n tokens; eos: the model ended the text; context: the context is full; cancelled. */
  stop: 'length' | 'eos' | 'context' | 'cancelled';
  /** wall time from the prompt's forward to the last token. */
  seconds: number;
  /** generated tokens / seconds (the prompt's own forward included). */
  tokensPerSecond: number;
  cached: boolean;
}

function hfOf(tok: GenerateTokenizer | LabTokenizer): GenerateTokenizer {
  return 'hf' in tok ? tok.hf : tok;
}

/** A character as a person can read it in an error message. */
function describeChar(ch: string): string {
  const code = `U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
  const names: Record<string, string> = { '\t': 'tab', '\r': 'carriage return', '\u00a0': 'non-breaking space' };
  const name = names[ch] ?? (/\p{C}|\p{Z}/u.test(ch) ? 'invisible character' : `“${ch}”`);
  return `${name} (${code})`;
}

/**
 * The characters of `text` the tokenizer maps to its unknown token (a tokenizer without byte
 * fallback, like the lab's: printable ASCII and newline only). The model never saw what an unknown
 * token stood for, so its answer would be about a different text. A literal unknown-token name
 * typed in the prompt is not a character problem and is not reported.
 */
export function unencodableCharacters(tokenizer: GenerateTokenizer | LabTokenizer, text: string): string[] {
  const tok = hfOf(tokenizer);
  const unk = tok.unk_token_id;
  if (typeof unk !== 'number') return [];
  if (!tok.encode(text, { add_special_tokens: false }).includes(unk)) return [];
  return [...new Set(Array.from(text))].filter((ch) => tok.encode(ch, { add_special_tokens: false }).includes(unk));
}


/** End-of-text ids: the tokenizer's and config.json's eos_token_id (a number or a list in HF configs). */
export function eosIds(tokenizer: GenerateTokenizer | LabTokenizer, rawConfig: Record<string, unknown> = {}): number[] {
  const fromConfig = rawConfig.eos_token_id;
  const all = [hfOf(tokenizer).eos_token_id, ...(Array.isArray(fromConfig) ? (fromConfig as unknown[]) : [fromConfig])];
  return [...new Set(all.filter((x): x is number => typeof x === 'number' && Number.isSafeInteger(x) && x >= 0))];
}

/** Indices of the k largest values, largest first; ties go to the lower index (as the argmax). */
export function topIndices(values: ArrayLike<number>, k: number): number[] {
  const best: number[] = [];
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (best.length === k && v <= values[best[k - 1]!]!) continue;
    let at = best.length;
    while (at > 0 && values[best[at - 1]!]! < v) at--;
    best.splice(at, 0, i);
    if (best.length > k) best.pop();
  }
  return best;
}

/** Next-token log-probabilities after `ids`, by one of the two strategies. */
interface Stepper {
  next(ids: readonly number[]): Promise<Float64Array>;
  dispose(): void;
}

function cachedStepper(model: LlamaModel, maxSeq: number): Stepper {
  const cache = new KvCache(model, maxSeq);
  const all = Array.from({ length: model.config.vocabSize }, (_, i) => i);
  return { next: (ids) => cache.scoreNextTokens(ids, all), dispose: () => cache.dispose() };
}

function recomputeStepper(model: LlamaModel): Stepper {
  const be = model.backend;
  const tape = new Tape(be);
  tape.gradEnabled = false;
  return {
    async next(ids) {
      const idBuf = be.uploadIndices(ids);
      const last = be.uploadIndices([ids.length - 1]);
      try {
        // Only the last position's row goes through the final norm and lm_head.
        const hidden = model.hidden(tape, idBuf, 1, ids.length, { dropout: false });
        return logSoftmax(await be.read(model.head(tape, embedding(tape, last, hidden)).buf));
      } finally {
        tape.reset();
        // Every step has a new length, so pooled buffers would never be reused: free them.
        tape.pool.clear();
        be.free(idBuf);
        be.free(last);
      }
    },
    dispose: () => tape.pool.clear(),
  };
}

/** Validates the request and tokenizes the prompt; throws GenerateError. */
export function preparePrompt(tokenizer: GenerateTokenizer | LabTokenizer, prompt: string, o: { n: number; contextLength: number }): number[] {
  if (!Number.isInteger(o.n) || o.n < 1 || o.n > MAX_NEW_TOKENS) {
    throw new GenerateError('tokens', `Tokens to generate must be a whole number from 1 to ${MAX_NEW_TOKENS}, got ${o.n}.`);
  }
  const tok = hfOf(tokenizer);
  const bad = unencodableCharacters(tok, prompt);
  if (bad.length > 0) {
    throw new GenerateError('unencodable', `The prompt contains characters this model's tokenizer cannot encode: ${bad.map(describeChar).join(', ')}. Remove or replace them.`);
  }
  const ids = [...leadingSpecialTokens(tok), ...tok.encode(prompt, { add_special_tokens: false })];
  if (ids.length === 0) throw new GenerateError('empty', 'The prompt is empty and this tokenizer adds no start token: type some text first.');
  if (ids.length > o.contextLength) {
    throw new GenerateError('too-long', `The prompt is ${ids.length} tokens long, but the model's context is ${o.contextLength} tokens. Shorten the prompt.`);
  }
  return ids;
}

export async function generate(model: LlamaModel, tokenizer: GenerateTokenizer | LabTokenizer, prompt: string, o: GenerateOptions): Promise<GenerateResult> {
  const tok = hfOf(tokenizer);
  const ids = preparePrompt(tok, prompt, o);
  const promptTokens = ids.length;
  const eos = new Set(o.eos ?? eosIds(tok));
  const text = (id: number): string => tok.decode([id], { skip_special_tokens: false, clean_up_tokenization_spaces: false });
  // The token at position p is fed only to predict p + 1, so a full context still yields one more token.
  const limit = Math.min(o.n, o.contextLength - promptTokens + 1);
  const cached = o.cache ?? true;
  const stepper = cached ? cachedStepper(model, promptTokens + limit - 1) : recomputeStepper(model);
  const t0 = performance.now();
  const seconds = () => (performance.now() - t0) / 1000;
  const tokens: TokenProb[] = [];
  let stop: GenerateResult['stop'] | null = null;
  let next: TokenProb[];
  try {
    let logp = await stepper.next(ids);
    next = topIndices(logp, o.topK ?? 5).map((id) => ({ id, text: text(id), prob: Math.exp(logp[id]!) }));
    for (let i = 0; i < limit; i++) {
      if (o.signal?.aborted) {
        stop = 'cancelled';
        break;
      }
      const id = topIndices(logp, 1)[0]!;
      if (eos.has(id)) {
        stop = 'eos';
        break;
      }
      const token = { id, text: text(id), prob: Math.exp(logp[id]!) };
      tokens.push(token);
      ids.push(id);
      await o.onToken?.({ done: tokens.length, total: limit, token, seconds: seconds() });
      if (i + 1 < limit && !o.signal?.aborted) logp = await stepper.next(ids);
    }
  } finally {
    stepper.dispose();
  }
  // A cancel that arrives after the last token changed nothing: the run is complete.
  stop ??= limit < o.n ? 'context' : 'length';
  const s = seconds();
  return {
    promptTokens,
    contextLength: o.contextLength,
    next,
    tokens,
    text: tokens.length ? tok.decode(tokens.map((t) => t.id), { skip_special_tokens: false, clean_up_tokenization_spaces: false }) : '',
    stop,
    seconds: s,
    tokensPerSecond: s > 0 ? tokens.length / s : 0,
    cached,
  };
}
