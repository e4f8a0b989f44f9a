/** Public entry of the generic pretraining corpus, its held-out eval sets and token packing. */
export {
  corpusDocument, corpusDocuments, generateCorpus, containsTrajectory, assertNoTrajectory, assertNoTrajectoryStep, SERIALIZED_STEP, CorpusContaminationError,
  DEFAULT_KIND_WEIGHTS, TRAJECTORY_MARKER, TRAJECTORY_STEP, type CorpusDocument, type CorpusOptions,
} from './corpus.ts';
export { DOC_KINDS, TEXT_KINDS, TAG_LETTERS, type DocKind, type TextKind } from './generators.ts';
export { FIRST_ORDINARY_ID, TOKEN_DOC_VOCAB, tokenRepeatIds, tokenCopyEvalRows, type TokenCopyRow, type TokenCopyOptions } from './token-repeats.ts';
export { copyEvalSet, kvEvalSet, type EvalExample, type CopyEvalOptions, type KvEvalOptions } from './eval.ts';
export { tokenStream, packStream, packExamples, measuredTokens, maskedAccuracy, argmaxPredictions, type TokenCodec, type TokenBatch } from './pack.ts';
