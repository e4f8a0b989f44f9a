/**
 * Held-out evaluation sets for the model card's measured abilities:
 * (a) second-occurrence copying — a fresh random sequence, then the same sequence again; every
 *     token of the second occurrence is measured (the cue "again:" makes even its first token
 *     predictable from the context);
 * (b) key-value recall — pairs `key: value, …`, then some keys again; the value tokens after
 *     each repeated key are measured.
 * Both draw their content from their own rng streams ('eval-copy', 'eval-kv'), so none of it is
 * a training document; only the formats are familiar from the corpus. Each example says which
 * character spans are measured; `packExamples` turns them into a loss mask.
 */
import { Rng } from '../../core/rng.ts';
import { assertNoTrajectory } from './corpus.ts';
import { intBetween, pseudoWord, randomItem } from './words.ts';

export interface EvalExample {
  text: string;
  /** [start, end) character spans whose tokens are measured. */
  spans: [number, number][];
}

export interface CopyEvalOptions {
  seed: number;
  examples: number;
  /** items per sequence (default 8..16 drawn per example). */
  minItems?: number;
  maxItems?: number;
}

export function copyEvalSet(opts: CopyEvalOptions): EvalExample[] {
  return Array.from({ length: opts.examples }, (_, i) => {
    const rng = new Rng(opts.seed, 'eval-copy', i);
    const n = intBetween(rng, opts.minItems ?? 8, opts.maxItems ?? 16);
    const seq = Array.from({ length: n }, () => randomItem(rng)).join(' ');
    const head = `copy: ${seq}\nagain: `;
    const text = `${head}${seq}`;
    assertNoTrajectory(text, `copy eval example ${i}`);
    return { text, spans: [[head.length, text.length]] };
  });
}

export interface KvEvalOptions {
  seed: number;
  examples: number;
  /** pairs listed per example (default 6). */
  pairs?: number;
  /** keys asked again per example (default 3). */
  queries?: number;
}

export function kvEvalSet(opts: KvEvalOptions): EvalExample[] {
  const nPairs = opts.pairs ?? 6;
  const nQueries = opts.queries ?? 3;
  return Array.from({ length: opts.examples }, (_, i) => {
    const rng = new Rng(opts.seed, 'eval-kv', i);
    const keys = new Set<string>();
    while (keys.size < nPairs) keys.add(rng.next() < 0.5 ? `k${intBetween(rng, 0, 99)}` : pseudoWord(rng));
    const pairs = [...keys].map((k) => [k, String(intBetween(rng, 0, 99))] as const);
    let text = `${pairs.map(([k, v]) => `${k}: ${v}`).join(', ')}\n`;
    const spans: [number, number][] = [];
    for (let q = 0; q < nQueries; q++) {
      const [k, v] = pairs[rng.int(pairs.length)]!;
      text += `${q > 0 ? ', ' : ''}${k}: `;
      spans.push([text.length, text.length + v.length]);
      text += v;
    }
    assertNoTrajectory(text, `key-value eval example ${i}`);
    return { text, spans };
  });
}
