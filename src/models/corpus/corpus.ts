/**
 * The generic pretraining corpus of the shipped model (DESIGN §5): seeded, deterministic, and
 * free of decision-task trajectories.
 *
 * Why the corpus must never contain a trajectory: the ICL baseline (DESIGN §1) measures what a
 * pretrained LM does with k support trajectories of a task it was never trained on. If the
 * pretraining text contained `<O_t> …, <A_t> …, <R_t> …` rollouts, "ICL" would partly be
 * supervised fine-tuning in disguise and the SFT − ICL comparison, the lab's headline, would be
 * biased. The generators cannot emit such text by construction (their tag letters exclude O, A
 * and R), and `assertNoTrajectory` re-checks every document as it is made, so a future generator
 * that slips fails loudly rather than contaminating a model.
 */
import { Rng } from '../../core/rng.ts';
import { DOC_KINDS, GENERATORS, type DocKind } from './generators.ts';
import { buriedTokenRepeatIds, SHORT_TOKEN_REPEAT_LENGTH, TOKEN_DOC_VOCAB, tokenRepeatIds } from './token-repeats.ts';

export interface CorpusDocument {
  kind: DocKind;
  /** the document's text; '' for a `tokens` document, which exists as ids only. */
  text: string;
  /** token ids of a `tokens` document (its content is not text the tokenizer would produce). */
  ids?: number[];
}

/**
 * How often each kind is drawn (relative weights). Text and copying get the most, as in the
 * abilities the model card measures. `tokens`, `short-tokens`, `lookup` and `buried-tokens` are off by default, so recorded commands of runs
 * made before they existed (which do not name them) still read the same corpus.
 */
export const DEFAULT_KIND_WEIGHTS: Record<DocKind, number> = {
  sentences: 4, copy: 3, kv: 3, count: 1, arith: 1, decimals: 1, lists: 1, records: 2, tags: 2, repeat: 3, echo: 2, tokens: 0, 'short-tokens': 0, lookup: 0, 'buried-tokens': 0,
};

/** Any trajectory marker `<O_t>`, `<A_t>`, `<R_t>` — the corpus contains none at all. */
export const TRAJECTORY_MARKER = /<[OAR]_\d+>/;
/** The full step pattern of DESIGN §4 (observation, action, reward markers in order on one line). */
export const TRAJECTORY_STEP = /<O_\d+>[^\n]*<A_\d+>[^\n]*<R_\d+>/;

export class CorpusContaminationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CorpusContaminationError';
  }
}

export function containsTrajectory(text: string): boolean {
  return TRAJECTORY_MARKER.test(text) || TRAJECTORY_STEP.test(text);
}

export function assertNoTrajectory(text: string, where: string): void {
  if (containsTrajectory(text)) throw new CorpusContaminationError(`${where}: contains a decision-trajectory marker; the pretraining corpus must not`);
}

/**
 * One serialized step of DESIGN §4: observation, action and reward markers of the same step in
 * order, with an action and a 2-decimal reward where the format puts them.
 */
export const SERIALIZED_STEP = /<O_(\d+)> [^<\n]*, <A_\1> \d+, <R_\1> -?\d+\.\d\d/;

/**
 * The check for random-token documents. The step markers are tokens of the vocabulary
 * (tokenizer/build.ts), and DESIGN §5 asks the model to copy tokens drawn from the whole
 * vocabulary, so a random sequence may hold a marker token; what it must never hold is a
 * trajectory, i.e. a serialized step. (Text documents keep the stricter check: no marker at all.)
 */
export function assertNoTrajectoryStep(text: string, where: string): void {
  if (SERIALIZED_STEP.test(text)) throw new CorpusContaminationError(`${where}: contains a serialized decision step; the pretraining corpus must not`);
}

/** Document i of the corpus for `seed`: depends on (seed, i) only, so any slice can be generated alone. */
export function corpusDocument(seed: number, i: number, weights: Record<DocKind, number> = DEFAULT_KIND_WEIGHTS, vocab = TOKEN_DOC_VOCAB): CorpusDocument {
  const rng = new Rng(seed, 'corpus', i);
  const w = DOC_KINDS.map((k) => weights[k]);
  const kind = DOC_KINDS[rng.categorical(w)]!;
  // Random ids cannot spell a serialized step in practice, but they are checked where they are
  // decoded (pretrain/data.ts, assertNoTrajectoryStep), since only there is the vocabulary known.
  if (kind === 'tokens') return { kind, text: '', ids: tokenRepeatIds(rng, vocab) };
  if (kind === 'short-tokens') return { kind, text: '', ids: tokenRepeatIds(rng, vocab, SHORT_TOKEN_REPEAT_LENGTH) };
  if (kind === 'buried-tokens') return { kind, text: '', ids: buriedTokenRepeatIds(rng, vocab) };
  const text = GENERATORS[kind](rng);
  assertNoTrajectory(text, `corpus document ${i} (${kind})`);
  return { kind, text };
}

export interface CorpusOptions {
  seed: number;
  /** first document index (for sharding). */
  start?: number;
  documents: number;
  weights?: Record<DocKind, number>;
}

export function* corpusDocuments(opts: CorpusOptions): Generator<CorpusDocument> {
  const start = opts.start ?? 0;
  for (let i = start; i < start + opts.documents; i++) yield corpusDocument(opts.seed, i, opts.weights);
}

export function generateCorpus(opts: CorpusOptions): CorpusDocument[] {
  return [...corpusDocuments(opts)];
}
