/**
 * Word lists and small random pieces shared by the corpus generators: a toy grammar's lexicon,
 * pseudo-words built from syllables (fresh symbols for copying and lookup, so those tasks cannot
 * be solved from memorised content), and number formatting.
 */
import type { Rng } from '../../core/rng.ts';

export const NAMES = ['Tom', 'Ana', 'Ben', 'Mia', 'Leo', 'Ida', 'Max', 'Eva', 'Sam', 'Zoe', 'Kim', 'Joe', 'Liz', 'Ned', 'Uma', 'Paul', 'Nina', 'Hugo', 'Vera', 'Carl'] as const;
export const NOUNS = [
  'dog', 'cat', 'bird', 'house', 'tree', 'ball', 'river', 'book', 'car', 'box', 'cup', 'hill', 'road', 'garden', 'door', 'window',
  'apple', 'pear', 'plum', 'fish', 'boat', 'lamp', 'chair', 'table', 'stone', 'bread', 'song', 'letter', 'key', 'map', 'coin', 'shell',
] as const;
export const ADJECTIVES = ['red', 'blue', 'green', 'small', 'big', 'old', 'new', 'quiet', 'bright', 'dark', 'warm', 'cold', 'happy', 'tall', 'short', 'round'] as const;
export const VERBS_T = ['sees', 'likes', 'finds', 'takes', 'opens', 'holds', 'paints', 'reads', 'moves', 'carries', 'builds', 'wants', 'gives', 'keeps'] as const;
export const VERBS_I = ['sleeps', 'runs', 'sings', 'waits', 'walks', 'smiles', 'jumps', 'rests', 'works', 'plays'] as const;
export const ADVERBS = ['slowly', 'quickly', 'often', 'never', 'always', 'today', 'again', 'later', 'quietly'] as const;
export const PREPOSITIONS = ['near', 'under', 'behind', 'into', 'over', 'with', 'from', 'beside'] as const;
export const DETERMINERS = ['the', 'a', 'every', 'one', 'that', 'my', 'his', 'her', 'this'] as const;
export const FIELDS = ['name', 'age', 'score', 'city', 'level', 'size', 'color', 'count', 'price', 'id'] as const;
export const COLORS = ['red', 'blue', 'green', 'white', 'black', 'gray', 'pink', 'brown'] as const;
export const CITIES = ['Rome', 'Oslo', 'Lima', 'Kyiv', 'Bern', 'Cairo', 'Quito', 'Dakar', 'Hanoi', 'Perth'] as const;

const ONSETS = ['b', 'd', 'f', 'g', 'k', 'l', 'm', 'n', 'p', 's', 't', 'v', 'z', 'br', 'tr', 'st', 'pl', 'gr'];
const VOWELS = ['a', 'e', 'i', 'o', 'u'];

export function pick<T>(rng: Rng, items: readonly T[]): T {
  return items[rng.int(items.length)]!;
}

/** A seeded Fisher–Yates shuffle (a copy). */
export function shuffle<T>(rng: Rng, items: readonly T[]): T[] {
  return rng.shuffle(items);
}

/** Integer uniform in [lo, hi]. */
export function intBetween(rng: Rng, lo: number, hi: number): number {
  return lo + rng.int(hi - lo + 1);
}

/** A pronounceable nonsense word of 1–3 syllables ("bako", "stimu"). */
export function pseudoWord(rng: Rng): string {
  const syllables = intBetween(rng, 1, 3);
  let w = '';
  for (let i = 0; i < syllables; i++) w += pick(rng, ONSETS) + pick(rng, VOWELS);
  return w;
}

/** Amounts are drawn as integer cents so the printed two decimals are exact and sums are right. */
export function formatCents(cents: number): string {
  const s = (cents / 100).toFixed(2);
  return s === '-0.00' ? '0.00' : s;
}

export function capitalize(s: string): string {
  return s.length === 0 ? s : s[0]!.toUpperCase() + s.slice(1);
}

/** A symbol for copy and lookup tasks: a number, a pseudo-word, a name or a key like `k12`. */
export function randomItem(rng: Rng): string {
  switch (rng.int(4)) {
    case 0:
      return String(intBetween(rng, 0, 999));
    case 1:
      return pseudoWord(rng);
    case 2:
      return pick(rng, NAMES);
    default:
      return `${pick(rng, ['k', 'x', 'id', 'n', 'v'])}${intBetween(rng, 0, 99)}`;
  }
}
