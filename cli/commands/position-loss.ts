/**
 * `position-loss --model DIR [--seq N] [--rows N] [--seed N] [--json]`: a model folder's
 * next-token loss on held-out corpus text by position range (1–127, 128–255, 256–511, …): how
 * far into its context the model reads. A model used past the rows it was pretrained on shows
 * it as a jump (docs/results.md uses it to explain ICL and SFT past H = 5).
 */
import { lossByPosition } from '../../src/models/pretrain/evaluate.ts';
import { loadLabTokenizer } from '../../src/models/tokenizer/index.ts';
import { printJson, positiveInt } from '../io.ts';
import { loadLanguageModelFolder, SHIPPED_MODEL_DIR } from '../language-model.ts';

export interface PositionLossArgs {
  model?: string;
  seq?: string;
  rows?: string;
  seed?: string;
  json: boolean;
}

export async function runPositionLoss(a: PositionLossArgs): Promise<void> {
  const lm = await loadLanguageModelFolder(a.model, '--model');
  const seqLen = positiveInt(a.seq, '--seq', 2, lm.maxPositions, Math.min(1536, lm.maxPositions));
  const rows = positiveInt(a.rows, '--rows', 1, 1000, 12);
  const seed = positiveInt(a.seed, '--seed', 0, 2 ** 31 - 1, 424_242);
  const codec = await loadLabTokenizer(a.model ?? SHIPPED_MODEL_DIR);
  // Enough documents for `rows` rows (≈ 40 tokens a document).
  const ranges = await lossByPosition(lm.model, codec, { seed, documents: Math.ceil((rows * seqLen) / 20), seqLen, rows });
  if (a.json) return printJson({ model: lm.label, seqLen, rows, seed, ranges });
  console.log(`${lm.label}: next-token loss on held-out corpus text, ${rows} rows of ${seqLen} tokens, seed ${seed}`);
  console.log(`(a uniform guess over the ${lm.model.config.vocabSize} tokens: ${Math.log(lm.model.config.vocabSize).toFixed(3)} nats)`);
  for (const r of ranges) console.log(`positions ${`${r.from}–${r.to - 1}`.padEnd(10)} loss ${r.loss.toFixed(3)} nats  (${r.tokens} tokens)`);
}
