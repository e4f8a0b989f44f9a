/**
 * Builds the lab's tokenizer as Hugging Face `tokenizer.json` + `tokenizer_config.json` objects,
 * deterministically (DESIGN §4, §5).
 *
 * Design (docs/tokenizer.md has the reasoning):
 * - Model: character-level BPE, no byte fallback. The alphabet is `\n` and printable ASCII (96
 *   symbols) plus 4 special tokens; merges are learned on a fixed slice of the generic corpus
 *   (never on trajectories) up to VOCAB_SIZE tokens.
 * - Pre-tokenizer: one `Split` regex, `PRE_TOKENIZER_PATTERN`: a word with an optional leading
 *   space, a single digit, a punctuation mark with an optional trailing space, or one whitespace
 *   character. BPE merges never cross these pieces.
 * - The action guarantee follows from the pattern alone, whatever the merges: a digit is always
 *   a piece of its own, no other alternative can consume a digit, and a prompt ends with `> `
 *   (a complete punctuation piece), so encode(prompt + a) = encode(prompt) + [id of a] for every
 *   action digit a. Step numbers and values are digits too, one token each.
 * - Step markers `<O_t> `, `<A_t> `, `<R_t> ` for t = 1..STEP_MARKER_MAX are one token each
 *   (added tokens, matched before pre-tokenization; not special, so they decode and count as
 *   ordinary tokens). Why: the token just before an action is then unique to its step, so the
 *   plain copying a small model learns from random-token repeats ("after the token seen before,
 *   predict what followed it then") reads the support's action at the same step (a rule with
 *   gaps of 11–25 % on `energy-mdp`, docs/tokenizer.md), where a character marker ends every
 *   value slot with the same `> ` and copying it repeats the last value. The corpus still holds
 *   no trajectory: the markers occur in pretraining only inside random-token documents. Steps
 *   past STEP_MARKER_MAX fall back to `<`, `O`, `_`, digits, `> ` (still exact round trips).
 * - A BOS token is prepended by the post-processor (Llama style); no EOS, so a prompt's encoding
 *   is a prefix of its continuation's.
 * The merges depend on the corpus generators: editing them changes the built tokenizer, so a
 * shipped model keeps the tokenizer.json it was trained with rather than rebuilding it.
 */
import { corpusDocuments } from '../corpus/corpus.ts';
import { trainBpe } from './bpe.ts';

export const PRE_TOKENIZER_PATTERN = ' ?[A-Za-z]+|[0-9]|[^A-Za-z0-9\\s] ?|\\s';
export const SPECIAL_TOKENS = { pad: '<|pad|>', bos: '<|bos|>', eos: '<|eos|>', unk: '<|unk|>' } as const;
/** Tokens of the learned character BPE: specials, the alphabet, merges. */
export const BPE_VOCAB_SIZE = 384;
/** The letters of DESIGN §4's step markers. */
export const STEP_MARKER_LETTERS = ['O', 'A', 'R'] as const;
/** Steps with a one-token marker: the energy envs' default horizons (5, 10, 20); later steps (the darkroom's) use character markers. */
export const STEP_MARKER_MAX = 20;
/** Every one-token step marker up to step `max`, in id order (after the BPE vocabulary). */
export function stepMarkers(max: number = STEP_MARKER_MAX): string[] {
  const out: string[] = [];
  for (const letter of STEP_MARKER_LETTERS) for (let t = 1; t <= max; t++) out.push(`<${letter}_${t}> `);
  return out;
}
/** The whole vocabulary: the BPE part, then the step markers. */
export const VOCAB_SIZE = BPE_VOCAB_SIZE + STEP_MARKER_LETTERS.length * STEP_MARKER_MAX;
export const MODEL_MAX_LENGTH = 2048;
/** The corpus slice the merges are learned from (a fixed seed, disjoint from nothing in particular: the corpus is generic). */
/**
 * The documents merges are learned from, with their own kind weights so that later changes to
 * the pretraining mix (a new document kind, new defaults) never change the shipped tokenizer.
 */
export const TOKENIZER_CORPUS = {
  seed: 7001,
  documents: 4000,
  weights: { sentences: 4, copy: 3, kv: 3, count: 1, arith: 1, decimals: 1, lists: 1, records: 2, tags: 2, repeat: 0, echo: 0, tokens: 0, 'short-tokens': 0, lookup: 0, 'buried-tokens': 0 },
} as const;
/** Merges made first whatever their counts: the separators every prompt is built from. */
const FORCED_MERGES: [string, string][] = [['>', ' '], [',', ' '], [':', ' ']];

/** `\n` and printable ASCII, in code-point order. */
export function alphabet(): string[] {
  const out = ['\n'];
  for (let c = 0x20; c <= 0x7e; c++) out.push(String.fromCharCode(c));
  return out;
}

/** The pre-tokenizer's pieces, exactly as the `Split` pre-tokenizer cuts them (every character is matched). */
export function preTokenize(text: string): string[] {
  return text.match(new RegExp(PRE_TOKENIZER_PATTERN, 'gu')) ?? [];
}

interface AddedToken {
  id: number;
  content: string;
  single_word: false;
  lstrip: false;
  rstrip: false;
  normalized: false;
  special: boolean;
}

type TemplatePiece = { SpecialToken: { id: string; type_id: number } } | { Sequence: { id: 'A' | 'B'; type_id: number } };

export interface TokenizerJson {
  version: '1.0';
  truncation: null;
  padding: null;
  added_tokens: AddedToken[];
  normalizer: null;
  pre_tokenizer: { type: 'Split'; pattern: { Regex: string }; behavior: 'Isolated'; invert: false };
  post_processor: {
    type: 'TemplateProcessing';
    single: TemplatePiece[];
    pair: TemplatePiece[];
    special_tokens: Record<string, { id: string; ids: number[]; tokens: string[] }>;
  };
  decoder: { type: 'Fuse' };
  model: {
    type: 'BPE';
    dropout: null;
    unk_token: string;
    continuing_subword_prefix: null;
    end_of_word_suffix: null;
    fuse_unk: false;
    byte_fallback: false;
    ignore_merges: false;
    vocab: Record<string, number>;
    merges: [string, string][];
  };
}

export interface TokenizerConfigJson {
  tokenizer_class: 'PreTrainedTokenizerFast';
  bos_token: string;
  eos_token: string;
  unk_token: string;
  pad_token: string;
  add_bos_token: true;
  add_eos_token: false;
  clean_up_tokenization_spaces: false;
  model_max_length: number;
  padding_side: 'right';
  model_input_names: ['input_ids', 'attention_mask'];
}

export interface BuildOptions {
  /** size of the BPE part (specials, alphabet, merges); default BPE_VOCAB_SIZE. */
  vocabSize?: number;
  /** one-token step markers up to this step; default STEP_MARKER_MAX, 0 = none (the tokenizer of models made before them). */
  stepMarkers?: number;
  /** the texts merges are learned from; default: TOKENIZER_CORPUS. */
  texts?: Iterable<string>;
}

function pieceCounts(texts: Iterable<string>): Map<string, number> {
  const counts = new Map<string, number>();
  for (const t of texts) for (const p of preTokenize(t)) if (p.length > 1) counts.set(p, (counts.get(p) ?? 0) + 1);
  return counts;
}

function* defaultTexts(): Generator<string> {
  for (const d of corpusDocuments(TOKENIZER_CORPUS)) yield d.text;
}

export function buildTokenizerJson(opts: BuildOptions = {}): TokenizerJson {
  const vocabSize = opts.vocabSize ?? BPE_VOCAB_SIZE;
  const specials = [SPECIAL_TOKENS.pad, SPECIAL_TOKENS.bos, SPECIAL_TOKENS.eos, SPECIAL_TOKENS.unk];
  const base = [...specials, ...alphabet()];
  if (vocabSize < base.length) throw new Error(`vocabSize must be at least ${base.length}, got ${vocabSize}`);
  const { merges, tokens } = trainBpe(pieceCounts(opts.texts ?? defaultTexts()), { maxTokens: vocabSize - base.length, forced: FORCED_MERGES });
  const vocab: Record<string, number> = {};
  const markers = stepMarkers(opts.stepMarkers ?? STEP_MARKER_MAX);
  [...base, ...tokens, ...markers].forEach((t, i) => (vocab[t] = i));
  const bosId = vocab[SPECIAL_TOKENS.bos]!;
  const added = (content: string, special: boolean): AddedToken =>
    ({ id: vocab[content]!, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special });
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: [...specials.map((c) => added(c, true)), ...markers.map((c) => added(c, false))],
    normalizer: null,
    pre_tokenizer: { type: 'Split', pattern: { Regex: PRE_TOKENIZER_PATTERN }, behavior: 'Isolated', invert: false },
    post_processor: {
      type: 'TemplateProcessing',
      single: [{ SpecialToken: { id: SPECIAL_TOKENS.bos, type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }],
      pair: [{ SpecialToken: { id: SPECIAL_TOKENS.bos, type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { Sequence: { id: 'B', type_id: 1 } }],
      special_tokens: { [SPECIAL_TOKENS.bos]: { id: SPECIAL_TOKENS.bos, ids: [bosId], tokens: [SPECIAL_TOKENS.bos] } },
    },
    decoder: { type: 'Fuse' },
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: SPECIAL_TOKENS.unk,
      continuing_subword_prefix: null,
      end_of_word_suffix: null,
      fuse_unk: false,
      byte_fallback: false,
      ignore_merges: false,
      vocab,
      merges,
    },
  };
}

export function buildTokenizerConfig(): TokenizerConfigJson {
  return {
    tokenizer_class: 'PreTrainedTokenizerFast',
    bos_token: SPECIAL_TOKENS.bos,
    eos_token: SPECIAL_TOKENS.eos,
    unk_token: SPECIAL_TOKENS.unk,
    pad_token: SPECIAL_TOKENS.pad,
    add_bos_token: true,
    add_eos_token: false,
    // The library's default clean-up rewrites " ," and " ." on decode; our text needs exact round trips.
    clean_up_tokenization_spaces: false,
    model_max_length: MODEL_MAX_LENGTH,
    padding_side: 'right',
    model_input_names: ['input_ids', 'attention_mask'],
  };
}
