/**
 * Where a model's copying of random token sequences fails (docs/models.md, "Where its copying
 * falls short of DESIGN §5"): greedy second-occurrence accuracy per hundred positions, and for
 * short sequences per index into the second occurrence. Analysis, not a model-card measure.
 *
 *   npx tsx tools/copy-by-position.mts [model dir] [seed]   (default: the shipped model, seed 777)
 */
import { loadLanguageModelFolder } from '../cli/language-model.ts';
import { tokenCopyEvalRows } from '../src/models/corpus/index.ts';
import { runBatch } from '../src/models/pretrain/evaluate.ts';

const lm = await loadLanguageModelFolder(process.argv[2], 'model');
const seed = Number(process.argv[3] ?? 777);
const { model } = lm;
const V = model.config.vocabSize;
const BOS = 1;

for (const [length, examples] of [[10, 64], [300, 8], [520, 8], [650, 8]] as const) {
  const rows = tokenCopyEvalRows({ seed, examples, length, offset: 0, bos: BOS, vocab: V });
  const T = rows[0]!.ids.length;
  const byHundred = new Map<number, [number, number]>();
  const byIndex: [number, number][] = Array.from({ length }, () => [0, 0]);
  const { predictions } = await runBatch(model, { input_ids: rows.map((r) => r.ids), loss_mask: rows.map((r) => r.mask) });
  rows.forEach((row, b) => {
    const pred = predictions[b]!;
    for (let t = 0; t < T; t++) {
      if (!row.mask[t]) continue;
      const hit = pred[t] === row.ids[t] ? 1 : 0;
      const h = byHundred.get(Math.floor(t / 100) * 100) ?? [0, 0];
      byHundred.set(Math.floor(t / 100) * 100, [h[0] + hit, h[1] + 1]);
      const at = byIndex[t - (1 + length)]!;
      at[0] += hit;
      at[1]++;
    }
  });
  const pct = ([c, n]: [number, number]): string => (n ? `${((100 * c) / n).toFixed(0)} %` : '—');
  console.log(`${length} tokens twice (${examples} sequences): ` + [...byHundred].map(([p, v]) => `${p}–${p + 99}: ${pct(v)}`).join(', '));
  if (length <= 10) console.log(`  by index into the second occurrence: ${byIndex.map(pct).join(', ')}`);
}
