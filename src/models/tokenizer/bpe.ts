/**
 * A small deterministic BPE trainer over pre-tokenized pieces (the classic Sennrich et al.
 * procedure: repeatedly merge the most frequent adjacent symbol pair). Ties are broken by the
 * pair's text so the same input gives the same merges on every machine. Written here because
 * the lab builds its tokenizer in TypeScript and needs only a few hundred merges over a few
 * thousand distinct pieces, where the naive recount per merge is fast enough.
 */

export interface BpeResult {
  /** merges in rank order (first = applied first). */
  merges: [string, string][];
  /** new tokens, in the order the merges created them (no duplicates). */
  tokens: string[];
}

export interface BpeOptions {
  /** stop after this many new tokens. */
  maxTokens: number;
  /** stop when the best pair occurs fewer times than this. */
  minCount?: number;
  /** merges applied first, in order, whatever their counts (e.g. `>` + ` `). */
  forced?: [string, string][];
}

/** Symbols are interned to integers so a pair is one number key; a full recount per merge stays fast. */
export function trainBpe(pieceCounts: ReadonlyMap<string, number>, opts: BpeOptions): BpeResult {
  const minCount = opts.minCount ?? 2;
  const symbols: string[] = [];
  const ids = new Map<string, number>();
  const intern = (s: string): number => {
    let id = ids.get(s);
    if (id === undefined) {
      id = symbols.length;
      symbols.push(s);
      ids.set(s, id);
    }
    return id;
  };
  const sorted = [...pieceCounts.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const words = sorted.map(([w, c]) => ({ seq: Array.from(w, intern), count: c }));
  const merges: [string, string][] = [];
  const tokens: string[] = [];
  const known = new Set<string>();
  const KEY = 1 << 20;
  const apply = (a: string, b: string): void => {
    const ia = intern(a);
    const ib = intern(b);
    const merged = intern(a + b);
    for (const w of words) {
      const s = w.seq;
      if (s.length < 2 || !s.includes(ia)) continue;
      const out: number[] = [];
      for (let i = 0; i < s.length; i++) {
        if (i + 1 < s.length && s[i] === ia && s[i + 1] === ib) {
          out.push(merged);
          i++;
        } else out.push(s[i]!);
      }
      w.seq = out;
    }
    merges.push([a, b]);
    if (!known.has(a + b)) {
      known.add(a + b);
      tokens.push(a + b);
    }
  };
  for (const [a, b] of opts.forced ?? []) apply(a, b);
  while (tokens.length < opts.maxTokens) {
    const counts = new Map<number, number>();
    for (const w of words) {
      const s = w.seq;
      for (let i = 0; i + 1 < s.length; i++) {
        const key = s[i]! * KEY + s[i + 1]!;
        counts.set(key, (counts.get(key) ?? 0) + w.count);
      }
    }
    // Highest count; ties go to the pair whose texts sort first, so the result does not depend on interning order.
    let best: [string, string] | null = null;
    let bestCount = 0;
    for (const [key, c] of counts) {
      if (c < bestCount) continue;
      const pair: [string, string] = [symbols[Math.floor(key / KEY)]!, symbols[key % KEY]!];
      if (c > bestCount || best === null || pair[0] < best[0] || (pair[0] === best[0] && pair[1] < best[1])) {
        best = pair;
        bestCount = c;
      }
    }
    if (best === null || bestCount < minCount) break;
    apply(best[0], best[1]);
  }
  return { merges, tokens };
}
