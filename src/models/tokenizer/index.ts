/** Public entry of the lab tokenizer: build the Hugging Face JSON, load it through the library. */
export {
  buildTokenizerJson, buildTokenizerConfig, preTokenize, alphabet,
  PRE_TOKENIZER_PATTERN, SPECIAL_TOKENS, VOCAB_SIZE, BPE_VOCAB_SIZE, STEP_MARKER_LETTERS, STEP_MARKER_MAX, stepMarkers, MODEL_MAX_LENGTH, TOKENIZER_CORPUS,
  type TokenizerJson, type TokenizerConfigJson, type BuildOptions,
} from './build.ts';
export { labTokenizerFromJson, loadLabTokenizer, actionTokenIds, type LabTokenizer } from './load.ts';
export { trainBpe, type BpeResult, type BpeOptions } from './bpe.ts';
