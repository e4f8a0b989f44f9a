/**
 * Random token sequences written more than once: the corpus kind and the held-out measure of
 * copying "whatever it is shown" (DESIGN §5: a sequence of tokens drawn at random from the whole
 * vocabulary, specials aside, written twice back to back, predicted on its second occurrence).
 *
 * Why a kind of its own, at the token level: text documents only ever show the token sequences
 * the tokenizer produces from the corpus's formats, so a model trained on them copies those
 * formats (99 % on `copy: … again:`) and not much else (1.6 % on 24 random tokens for
 * lab-lm-156k). Copying an arbitrary sequence needs an induction circuit that matches on more
 * than the current token — with 440 ordinary tokens, a 650-token sequence repeats many of its
 * tokens, so matching one token often finds several candidates — and only sequences of
 * random tokens make that necessary. They are made as ids, not text: re-tokenizing the decoded
 * text would merge pieces and change the sequence.
 */
import { Rng } from '../../core/rng.ts';

/** Ids below this are the tokenizer's specials (pad, bos, eos, unk); checked against the tokenizer in the tests. */
export const FIRST_ORDINARY_ID = 4;
/** The lab tokenizer's size with its step markers (tokenizer/build.ts VOCAB_SIZE; not imported, since the tokenizer imports the corpus; a test checks they agree). */
export const TOKEN_DOC_VOCAB = 444;

export const TOKEN_REPEAT_LENGTH = { min: 8, max: 700 } as const;
/**
 * `short-tokens` documents: short enough that every repeat falls in the same 256-token row as
 * the sequence it repeats (three copies of at most 80 tokens plus BOS), so a short-row phase
 * of pretraining sees every one of them as a copying example rather than as noise.
 */
export const SHORT_TOKEN_REPEAT_LENGTH = { min: 4, max: 80 } as const;

function randomTokens(rng: Rng, n: number, vocab: number): number[] {
  return Array.from({ length: n }, () => FIRST_ORDINARY_ID + rng.int(vocab - FIRST_ORDINARY_ID));
}

/**
 * One training document: n random ordinary tokens (n log-uniform in `length`, by default
 * [8, 700], so short and long distances are both common), written twice back to back (two
 * times in three) or three times.
 */
export function tokenRepeatIds(rng: Rng, vocab = TOKEN_DOC_VOCAB, length: Range = TOKEN_REPEAT_LENGTH): number[] {
  const seq = randomTokens(rng, logUniformInt(rng, length), vocab);
  const times = rng.next() < 2 / 3 ? 2 : 3;
  return Array.from({ length: times }, () => seq).flat();
}

type Range = { readonly min: number; readonly max: number };

/** An integer log-uniform in [min, max], so short and long lengths are both common. */
function logUniformInt(rng: Rng, { min, max }: Range): number {
  return Math.round(Math.exp(Math.log(min) + rng.next() * (Math.log(max) - Math.log(min))));
}

/** `buried-tokens`: random filler before the repeated sequence, up to most of a 2,048-token row (uniform: the long fillers are the hard case). */
export const BURIED_FILLER_LENGTH = { min: 16, max: 1800 } as const;
export const BURIED_REPEAT_LENGTH = { min: 4, max: 100 } as const;

/**
 * One `buried-tokens` document: random filler (uniform in BURIED_FILLER_LENGTH), then a short
 * random sequence (log-uniform in BURIED_REPEAT_LENGTH) written twice back to back.
 *
 * Why: after 1,000 random tokens every token of the vocabulary has occurred about twice, so a
 * copier that matches only the current token picks the wrong continuation most of the time
 * (lab-lm-160k: 15 % on 10 tokens after 2,020 random ones, 84 % with nothing before them). Only
 * matching the tokens before it as well finds the earlier occurrence, and in `tokens` documents
 * the sequence itself is the only context, so they rarely ask for that.
 */
export function buriedTokenRepeatIds(rng: Rng, vocab = TOKEN_DOC_VOCAB): number[] {
  const filler = randomTokens(rng, BURIED_FILLER_LENGTH.min + rng.int(BURIED_FILLER_LENGTH.max - BURIED_FILLER_LENGTH.min + 1), vocab);
  const seq = randomTokens(rng, logUniformInt(rng, BURIED_REPEAT_LENGTH), vocab);
  return [...filler, ...seq, ...seq];
}

export interface TokenCopyRow {
  /** BOS, `prefix` filler tokens, the sequence, the sequence again. */
  ids: number[];
  /** 1 on the tokens of the second occurrence after its first (each predicted from everything before it). */
  mask: number[];
}

export interface TokenCopyOptions {
  seed: number;
  examples: number;
  /** tokens per sequence. */
  length: number;
  /** random tokens before the first occurrence, to place the copy deeper in the context (default 0). */
  offset?: number;
  bos: number;
  vocab?: number;
}

/**
 * Held-out rows for second-occurrence accuracy on random token sequences (stream 'eval-tokens',
 * which no training document uses). The first token of the second occurrence is not measured:
 * nothing marks where the repetition starts, so no model can know it (it would cap accuracy at
 * 90 % for 10 tokens); from the second on, the context determines every token.
 */
export function tokenCopyEvalRows(o: TokenCopyOptions): TokenCopyRow[] {
  const vocab = o.vocab ?? TOKEN_DOC_VOCAB;
  const offset = o.offset ?? 0;
  return Array.from({ length: o.examples }, (_, i) => {
    const rng = new Rng(o.seed, 'eval-tokens', o.length, offset, i);
    const filler = randomTokens(rng, offset, vocab);
    const seq = randomTokens(rng, o.length, vocab);
    const ids = [o.bos, ...filler, ...seq, ...seq];
    const mask = ids.map((_, t) => (t >= 2 + offset + o.length ? 1 : 0));
    return { ids, mask };
  });
}
