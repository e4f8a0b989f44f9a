/** ICL with any ONNX causal LM through @huggingface/transformers (docs/models.md, "ICL with ONNX hub models"). */
export { planScoring, leadingSpecialTokens, type ScoringPlan, type TokenizerLike } from './tokens.ts';
export { ActionScorer, argmaxLowest, logSoftmaxAt, type ActionScores, type CausalLmLike, type ScorerOptions } from './scorer.ts';
export { ICL_ONNX_POLICY, actionStrings, iclOnnxPolicy, type IclDecision, type IclPolicyOptions, type PromptScorer } from './policy.ts';
export { DTYPE_PREFERENCE, defaultDevice, loadOnnxCausalLM, pickDtype, type IclDevice, type LoadedOnnxLM, type OnnxLoadOptions, type OnnxModelInfo } from './load.ts';
