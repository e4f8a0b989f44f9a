/**
 * The lab tokenizer through `@huggingface/transformers` (DESIGN §5: tokenizers load through the
 * library): from JSON objects (works the same in the browser and in Node) or from a local model
 * folder, never from the network. `LabTokenizer` adds what the lab needs on top: encoding
 * without special tokens, each token's text (for loss masks aligned to character spans) and the
 * action token ids an LM policy scores.
 */
import { AutoTokenizer, PreTrainedTokenizer } from '@huggingface/transformers';
import { SPECIAL_TOKENS, type TokenizerConfigJson, type TokenizerJson } from './build.ts';

export interface LabTokenizer {
  readonly hf: PreTrainedTokenizer;
  readonly vocabSize: number;
  readonly bos: number;
  readonly eos: number;
  readonly pad: number;
  readonly unk: number;
  /** ids without special tokens. */
  encode(text: string): number[];
  decode(ids: readonly number[]): string;
  /** the literal text of one token (special tokens: their name). */
  tokenText(id: number): string;
}

function wrap(hf: PreTrainedTokenizer): LabTokenizer {
  const vocab = hf.get_vocab();
  const texts: string[] = [];
  for (const [text, id] of vocab) texts[id] = text;
  const special = (name: string): number => {
    const id = vocab.get(name);
    if (id === undefined) throw new Error(`tokenizer: special token ${name} is missing from the vocabulary`);
    return id;
  };
  return {
    hf,
    vocabSize: texts.length,
    bos: special(SPECIAL_TOKENS.bos),
    eos: special(SPECIAL_TOKENS.eos),
    pad: special(SPECIAL_TOKENS.pad),
    unk: special(SPECIAL_TOKENS.unk),
    encode: (text) => hf.encode(text, { add_special_tokens: false }),
    decode: (ids) => (ids.length === 0 ? '' : hf.decode([...ids], { skip_special_tokens: false })),
    tokenText: (id) => {
      const t = texts[id];
      if (t === undefined) throw new Error(`tokenizer: no token with id ${id}`);
      return t;
    },
  };
}

export function labTokenizerFromJson(tokenizerJson: TokenizerJson, tokenizerConfig: TokenizerConfigJson): LabTokenizer {
  return wrap(new PreTrainedTokenizer(tokenizerJson, tokenizerConfig));
}

/** A model folder with `tokenizer.json` + `tokenizer_config.json`; local files only. */
export async function loadLabTokenizer(dir: string): Promise<LabTokenizer> {
  const hf = await AutoTokenizer.from_pretrained(dir, { local_files_only: true });
  return wrap(hf);
}

/** Token ids of the actions 0..n−1 at the open action slot; throws when one is not a single token (DESIGN §4 MUST). */
export function actionTokenIds(tok: LabTokenizer, nActions: number): number[] {
  return Array.from({ length: nActions }, (_, a) => {
    const ids = tok.encode(String(a));
    if (ids.length !== 1) throw new Error(`tokenizer: action ${a} encodes to ${ids.length} tokens; an LM policy needs exactly one`);
    return ids[0]!;
  });
}
