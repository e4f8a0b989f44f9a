/**
 * Which tokens the ICL scorer conditions on and which it scores (DESIGN §4: "the policy scores
 * only the action tokens at that position").
 *
 * A prompt ends with `<A_t> ` and an action prints as its index (`serializeStep`: `<A_t> 1`).
 * With the lab tokenizer `> ` is a complete piece and every digit a token of its own, so
 * tokens(prompt + a) = tokens(prompt) + [a]. Hub tokenizers differ: GPT-2 style byte BPE and
 * SentencePiece glue the space to the word after it, so `<A_1> 1` is `… > ␣1` while the prompt
 * alone ends `… > ␣`. Appending the action's token after the prompt's lone `␣` would ask the
 * model about a token sequence its own tokenizer never produces, and the answer would be
 * meaningless.
 *
 * Choice: tokenize the whole text the model would see, prompt + action, for every action, and
 * condition on the longest token prefix that all of them share with the tokenized prompt. Each
 * action is scored by the sum of log-probabilities of its remaining tokens. Where the tokenizer
 * merges, the scored text is the prompt's unfinished tail plus the action (`␣1` after `>`); where
 * it does not, it is exactly the action's tokens after the prompt. Either way every candidate is
 * scored from the same context, in the tokenization the model was trained on.
 */

/** The part of a transformers.js tokenizer the scorer uses. */
export interface TokenizerLike {
  encode(text: string, options?: { add_special_tokens?: boolean }): number[];
}

export interface ScoringPlan {
  /** token ids every candidate is conditioned on (leading special tokens included). */
  context: number[];
  /** per action, the ids scored after the context (at least one each). */
  continuations: number[][];
}

const leadCache = new WeakMap<TokenizerLike, number[]>();

/**
 * The special tokens the tokenizer puts before a text (BOS for Llama-style tokenizers, none for
 * GPT-2). Found by encoding a probe with and without special tokens; anything the post-processor
 * appends (an EOS some tokenizers add) is dropped, because a prompt is not a finished text.
 */
export function leadingSpecialTokens(tok: TokenizerLike): number[] {
  const hit = leadCache.get(tok);
  if (hit) return hit;
  const probe = 'a';
  const bare = tok.encode(probe, { add_special_tokens: false });
  const full = tok.encode(probe, { add_special_tokens: true });
  let lead: number[] = [];
  for (let i = 0; i + bare.length <= full.length; i++) {
    if (bare.every((id, j) => full[i + j] === id)) {
      lead = full.slice(0, i);
      break;
    }
  }
  leadCache.set(tok, lead);
  return lead;
}

function commonPrefix(a: readonly number[], b: readonly number[]): number {
  let n = 0;
  while (n < a.length && n < b.length && a[n] === b[n]) n++;
  return n;
}

export function planScoring(tok: TokenizerLike, prompt: string, actions: readonly string[]): ScoringPlan {
  if (actions.length === 0) throw new Error('ICL scorer: no actions to score');
  if (actions.some((a) => a === '')) throw new Error('ICL scorer: an action prints as an empty string');
  const lead = leadingSpecialTokens(tok);
  const encode = (text: string): number[] => [...lead, ...tok.encode(text, { add_special_tokens: false })];
  const promptIds = encode(prompt);
  const full = actions.map((a) => encode(prompt + a));
  // The context: what all candidates share with the prompt's own tokens (so a first token that
  // several actions share, as `1` in `10` and `11` with one-digit tokens, is still scored).
  let L = promptIds.length;
  for (const ids of full) L = Math.min(L, commonPrefix(ids, promptIds), ids.length - 1);
  if (L < 1) throw new Error('ICL scorer: nothing to condition on (the prompt tokenizes to no shared first token; give the tokenizer a BOS or a longer prompt)');
  return { context: promptIds.slice(0, L), continuations: full.map((ids) => ids.slice(L)) };
}
