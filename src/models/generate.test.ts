/**
 * generate() on the tiny random model with the lab tokenizer (tests/fixtures/test-model.ts): the
 * greedy continuation against step-by-step argmax of full forwards (runForward, no cache), the
 * probabilities against softmax of those logits, and every refusal.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { buildTestModel, lastRowLogSoftmax, type TestModel } from '../../tests/fixtures/test-model.ts';
import { contextLengthOf, eosIds, generate, GenerateError, type GenerateProgress, MAX_NEW_TOKENS, topIndices, unencodableCharacters } from './generate.ts';
import { labTokenizerFromJson, type LabTokenizer, type TokenizerConfigJson, type TokenizerJson } from './tokenizer/index.ts';

const PROMPT = 'copy: Ned 356 v32 pabre k7\nagain: ';
let tiny: TestModel;
let tok: LabTokenizer;

beforeAll(async () => {
  tiny = await buildTestModel();
  const read = <T>(name: string): T => JSON.parse(new TextDecoder().decode(tiny.files.get(name))) as T;
  tok = labTokenizerFromJson(read<TokenizerJson>('tokenizer.json'), read<TokenizerConfigJson>('tokenizer_config.json'));
});

/** Softmax (float64) of the last row of a full forward over `ids`: the reference distribution. */
async function referenceProbs(ids: number[]): Promise<Float64Array> {
  return (await lastRowLogSoftmax(tiny.model, ids)).map(Math.exp);
}

function argmax(p: Float64Array): number {
  let best = 0;
  for (let i = 1; i < p.length; i++) if (p[i]! > p[best]!) best = i;
  return best;
}

/** The greedy continuation computed independently: n full forwards, argmax each time. */
async function referenceGreedy(promptIds: number[], n: number): Promise<{ ids: number[]; probs: number[]; first: Float64Array }> {
  const seq = [...promptIds];
  const ids: number[] = [];
  const probs: number[] = [];
  let first: Float64Array | null = null;
  for (let i = 0; i < n; i++) {
    const p = await referenceProbs(seq);
    first ??= p;
    const id = argmax(p);
    ids.push(id);
    probs.push(p[id]!);
    seq.push(id);
  }
  return { ids, probs, first: first! };
}

const ctx = () => contextLengthOf(tiny.config);

describe('generate', () => {
  it('reads the context and EOS from config.json and the tokenizer', () => {
    expect(ctx()).toBe(64);
    expect(contextLengthOf({})).toBe(2048);
    expect(eosIds(tok, tiny.config)).toEqual([2]);
    expect(eosIds(tok, { eos_token_id: [2, 7] })).toEqual([2, 7]);
  });

  it.each([true, false])('greedy continuation = argmax of full forwards, probabilities = softmax of logits (cache %s)', async (cache) => {
    const n = 12;
    const promptIds = [tok.bos, ...tok.encode(PROMPT)];
    const ref = await referenceGreedy(promptIds, n);
    // The random model must not hit EOS in this window, or the comparison would be shorter than asked.
    expect(ref.ids).not.toContain(tok.eos);
    const events: GenerateProgress[] = [];
    const r = await generate(tiny.model, tok, PROMPT, { n, contextLength: ctx(), cache, onToken: (p) => void events.push(p) });
    expect(r.cached).toBe(cache);
    expect(r.promptTokens).toBe(promptIds.length);
    expect(r.tokens.map((t) => t.id)).toEqual(ref.ids);
    expect(new Set(ref.ids).size).toBeGreaterThan(1); // a non-trivial continuation, so order errors would show
    r.tokens.forEach((t, i) => expect(t.prob).toBeCloseTo(ref.probs[i]!, 5));
    expect(r.text).toBe(tok.decode(ref.ids));
    expect(r.stop).toBe('length');

    // Top-5 after the prompt: the five largest reference probabilities, in order, with their values.
    const order = [...ref.first.keys()].sort((a, b) => ref.first[b]! - ref.first[a]!).slice(0, 5);
    expect(r.next.map((t) => t.id)).toEqual(order);
    r.next.forEach((t) => expect(t.prob).toBeCloseTo(ref.first[t.id]!, 5));
    for (let i = 1; i < r.next.length; i++) expect(r.next[i - 1]!.prob).toBeGreaterThanOrEqual(r.next[i]!.prob);
    expect(r.next[0]!.id).toBe(r.tokens[0]!.id);
    expect(r.next[0]!.text).toBe(tok.tokenText(r.next[0]!.id));

    expect(events.map((e) => e.done)).toEqual(Array.from({ length: n }, (_, i) => i + 1));
    expect(events.every((e) => e.total === n)).toBe(true);
    expect(r.tokensPerSecond).toBeGreaterThan(0);
    expect(Number.isFinite(r.tokensPerSecond)).toBe(true);
  });

  it('cache and recompute agree on every probability (the KV path is not a copy of the reference)', async () => {
    const a = await generate(tiny.model, tok, PROMPT, { n: 6, contextLength: ctx(), topK: 20 });
    const b = await generate(tiny.model, tok, PROMPT, { n: 6, contextLength: ctx(), topK: 20, cache: false });
    expect(a.next.map((t) => t.id)).toEqual(b.next.map((t) => t.id));
    a.next.forEach((t, i) => expect(Math.abs(t.prob - b.next[i]!.prob)).toBeLessThan(1e-5));
  });

  it('stops at EOS without including it', async () => {
    const ref = await generate(tiny.model, tok, PROMPT, { n: 5, contextLength: ctx() });
    const third = ref.tokens[2]!.id;
    const r = await generate(tiny.model, tok, PROMPT, { n: 5, contextLength: ctx(), eos: [third] });
    expect(r.stop).toBe('eos');
    expect(r.tokens.map((t) => t.id)).toEqual(ref.tokens.slice(0, 2).map((t) => t.id));
  });

  it('stops when the context is full, and refuses a prompt longer than the context naming both lengths', async () => {
    const promptLen = 1 + tok.encode(PROMPT).length;
    const r = await generate(tiny.model, tok, PROMPT, { n: 10, contextLength: promptLen + 2 });
    expect(r.tokens).toHaveLength(3);
    expect(r.stop).toBe('context');
    const full = await generate(tiny.model, tok, PROMPT, { n: 10, contextLength: promptLen });
    expect(full.tokens).toHaveLength(1);
    const err = await generate(tiny.model, tok, PROMPT, { n: 1, contextLength: promptLen - 1 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GenerateError);
    expect((err as GenerateError).kind).toBe('too-long');
    expect((err as GenerateError).message).toContain(`${promptLen} tokens`);
    expect((err as GenerateError).message).toContain(`${promptLen - 1} tokens`);
  });

  it('refuses characters the tokenizer cannot encode, naming them', async () => {
    expect(unencodableCharacters(tok, PROMPT)).toEqual([]);
    expect(unencodableCharacters(tok, 'price: 5 €\tok <|unk|>')).toEqual(['€', '\t']);
    const err = await generate(tiny.model, tok, 'price: 5 €', { n: 3, contextLength: ctx() }).catch((e: unknown) => e);
    expect((err as GenerateError).kind).toBe('unencodable');
    expect((err as GenerateError).message).toContain('“€” (U+20AC)');
  });

  it.each([0, MAX_NEW_TOKENS + 1, 2.5, Number.NaN])('refuses n = %s', async (n) => {
    const err = await generate(tiny.model, tok, PROMPT, { n, contextLength: ctx() }).catch((e: unknown) => e);
    expect((err as GenerateError).kind).toBe('tokens');
    expect((err as GenerateError).message).toContain(`1 to ${MAX_NEW_TOKENS}`);
  });

  it('an empty prompt still has the BOS to start from', async () => {
    const r = await generate(tiny.model, tok, '', { n: 2, contextLength: ctx() });
    expect(r.promptTokens).toBe(1);
  });

  it('a cancel stops after the token in progress and keeps the tokens so far', async () => {
    const ac = new AbortController();
    const r = await generate(tiny.model, tok, PROMPT, {
      n: 10,
      contextLength: ctx(),
      signal: ac.signal,
      onToken: (p) => {
        if (p.done === 3) ac.abort();
      },
    });
    expect(r.stop).toBe('cancelled');
    expect(r.tokens).toHaveLength(3);
  });

  it('topIndices: largest first, ties to the lower index', () => {
    expect(topIndices([0.1, 0.5, 0.5, 0.2, 0.9], 3)).toEqual([4, 1, 2]);
    expect(topIndices([3, 1], 5)).toEqual([0, 1]);
  });
});
