/**
 * Checks a tokenizer.json before @huggingface/transformers builds it. The library accepts
 * negative ids (and then encodes to them), ids written as strings, an empty vocabulary and an
 * unknown model type, and a huge id makes it build a vocabulary array of that length (97 s for
 * 1e9) before anything can refuse it. Each refusal names the field.
 */
import { ModelLoadError } from './errors.ts';

export const TOKENIZER_MODEL_TYPES = ['BPE', 'WordPiece', 'WordLevel', 'Unigram'] as const;
/** Far above any real vocabulary (the largest hub tokenizers have ~260 k entries). */
export const MAX_TOKEN_ID = 4_000_000;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function checkTokenizerJson(json: unknown, where = 'tokenizer.json'): void {
  const fail = (field: string, msg: string): never => {
    throw new ModelLoadError('tokenizer', `${where}: ${field}: ${msg}`);
  };
  const id = (field: string, v: unknown): void => {
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0 || v > MAX_TOKEN_ID) fail(field, `must be a token id in [0, ${MAX_TOKEN_ID}], got ${JSON.stringify(v)?.slice(0, 40)}`);
  };
  if (!isObject(json)) return fail('(file)', 'must be a JSON object');
  const model = json.model;
  if (!isObject(model)) return fail('model', 'must be an object');
  if (!(TOKENIZER_MODEL_TYPES as readonly unknown[]).includes(model.type)) fail('model.type', `must be one of ${TOKENIZER_MODEL_TYPES.join(', ')}, got ${JSON.stringify(model.type)?.slice(0, 40)}`);
  if (model.type === 'Unigram') {
    if (!Array.isArray(model.vocab) || model.vocab.length === 0) fail('model.vocab', 'must be a non-empty list of [piece, score] pairs');
  } else {
    if (!isObject(model.vocab)) return fail('model.vocab', 'must be an object of token → id');
    const entries = Object.entries(model.vocab);
    if (entries.length === 0) fail('model.vocab', 'is empty');
    for (const [token, v] of entries) id(`model.vocab[${JSON.stringify(token).slice(0, 40)}]`, v);
  }
  const added = json.added_tokens;
  if (added !== undefined && added !== null) {
    if (!Array.isArray(added)) fail('added_tokens', 'must be a list');
    (added as unknown[]).forEach((t, i) => {
      if (!isObject(t) || typeof t.content !== 'string') fail(`added_tokens.${i}`, 'must be an object with a string content');
      id(`added_tokens.${i}.id`, (t as Record<string, unknown>).id);
    });
  }
}
