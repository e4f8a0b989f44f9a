/** Tokenizer files the library would accept and then misuse are refused by name, at once. */
import { describe, expect, it } from 'vitest';
import { buildTokenizerJson } from '../tokenizer/build.ts';
import { checkTokenizerJson, MAX_TOKEN_ID } from './tokenizer-check.ts';

const good = buildTokenizerJson();
const withVocab = (vocab: unknown) => ({ ...good, model: { ...good.model, vocab } });

describe('checkTokenizerJson', () => {
  it('accepts the lab tokenizer', () => {
    expect(() => checkTokenizerJson(good)).not.toThrow();
  });

  it.each([
    [withVocab({ a: -1 }), `model.vocab["a"]: must be a token id in [0, ${MAX_TOKEN_ID}], got -1`],
    [withVocab({ a: '5' }), 'model.vocab["a"]: must be a token id in [0, 4000000], got "5"'],
    [withVocab({}), 'model.vocab: is empty'],
    [withVocab({ a: 1e9 }), 'model.vocab["a"]: must be a token id in [0, 4000000], got 1000000000'],
    [{ ...good, model: { ...good.model, type: 'Bogus' } }, 'model.type: must be one of BPE, WordPiece, WordLevel, Unigram, got "Bogus"'],
    [{ ...good, added_tokens: [{ id: -3, content: 'x' }] }, 'added_tokens.0.id: must be a token id'],
    [null, '(file): must be a JSON object'],
  ])('refuses %#', (json, message) => {
    // A 1e9 id is refused here, before the library would build a table of that length.
    expect(() => checkTokenizerJson(json)).toThrow(message);
  });
});
