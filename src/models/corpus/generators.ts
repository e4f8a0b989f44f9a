/**
 * Document generators of the generic pretraining corpus. Each kind exercises one ability a
 * small LM needs before it can read decision trajectories in context — copying, looking up an
 * earlier key, counting, number patterns, two-decimal and negative numbers, comma lists,
 * multi-line records, indexed `<X_3>` tags — without ever showing a decision task: tags use
 * every uppercase letter except O, A and R, and their values follow arithmetic or copy rules,
 * never observation → action → reward.
 */
import type { Rng } from '../../core/rng.ts';
import {
  ADJECTIVES, ADVERBS, CITIES, COLORS, DETERMINERS, FIELDS, NAMES, NOUNS, PREPOSITIONS, VERBS_I, VERBS_T,
  capitalize, formatCents, intBetween, pick, pseudoWord, randomItem, shuffle,
} from './words.ts';

const FIRST_TEXT_KINDS = ['sentences', 'copy', 'kv', 'count', 'arith', 'decimals', 'lists', 'records', 'tags', 'repeat', 'echo'] as const;
export const TEXT_KINDS = [...FIRST_TEXT_KINDS, 'lookup'] as const;
export type TextKind = (typeof TEXT_KINDS)[number];
/**
 * Every kind, in the order draws index them: the first text kinds, then `tokens` and
 * `short-tokens` (random token ids written again, token-repeats.ts), then `lookup`, then
 * `buried-tokens`. A kind added later goes last, so that a weight of 0 leaves the draws of older
 * recorded runs unchanged.
 */
export const DOC_KINDS = [...FIRST_TEXT_KINDS, 'tokens', 'short-tokens', 'lookup', 'buried-tokens'] as const;
export type DocKind = (typeof DOC_KINDS)[number];

/** Marker letters the corpus may use: all but the trajectory letters O, A, R. */
export const TAG_LETTERS = 'BCDEFGHIJKLMNPQSTUVWXYZ'.split('');

function nounPhrase(rng: Rng): string {
  const det = pick(rng, DETERMINERS);
  const adj = rng.next() < 0.5 ? `${pick(rng, ADJECTIVES)} ` : '';
  return `${det} ${adj}${pick(rng, NOUNS)}`;
}

function subject(rng: Rng): string {
  return rng.next() < 0.4 ? pick(rng, NAMES) : nounPhrase(rng);
}

/** One sentence of a small grammar: S → NP VP (PP)? (Adv)? . — plus a few question/answer and number forms. */
export function sentence(rng: Rng): string {
  const form = rng.int(6);
  if (form === 0) {
    const name = pick(rng, NAMES);
    const n = intBetween(rng, 2, 12);
    return `${name} has ${n} ${pick(rng, NOUNS)}s and gives ${intBetween(rng, 1, n - 1)} away.`;
  }
  if (form === 1) {
    const np = nounPhrase(rng);
    const place = `${pick(rng, PREPOSITIONS)} ${nounPhrase(rng)}`;
    return `Where is ${np}? It is ${place}.`;
  }
  const subj = subject(rng);
  const vp = rng.next() < 0.6 ? `${pick(rng, VERBS_T)} ${nounPhrase(rng)}` : pick(rng, VERBS_I);
  const pp = rng.next() < 0.4 ? ` ${pick(rng, PREPOSITIONS)} ${nounPhrase(rng)}` : '';
  const adv = rng.next() < 0.3 ? ` ${pick(rng, ADVERBS)}` : '';
  return `${capitalize(`${subj} ${vp}${pp}${adv}`)}.`;
}

function sentences(rng: Rng): string {
  const lines: string[] = [];
  const paragraphs = intBetween(rng, 1, 3);
  for (let p = 0; p < paragraphs; p++) {
    const n = intBetween(rng, 2, 5);
    lines.push(Array.from({ length: n }, () => sentence(rng)).join(' '));
  }
  return lines.join('\n');
}

/** A random sequence and its repetition: cued ("again:"), or uncued after a filler sentence. */
function copy(rng: Rng): string {
  const n = intBetween(rng, 4, 16);
  const items = Array.from({ length: n }, () => randomItem(rng));
  const sep = rng.next() < 0.5 ? ' ' : ', ';
  const seq = items.join(sep);
  const form = rng.int(3);
  if (form === 0) return `copy: ${seq}\nagain: ${seq}`;
  if (form === 1) return `${seq}\n${sentence(rng)}\n${seq}`;
  return `${pick(rng, ['list', 'code', 'seq'])} ${intBetween(rng, 1, 9)}: ${seq}. Repeat: ${seq}.`;
}

const SYMBOL_CHARS = 'abcdefghijklmnopqrstuvwxyzBCDEFGHIJKLMNPQSTUVWXYZ0123456789'.split('');

/**
 * A random string of distinct single-character symbols written two to four times, one per line.
 * Its job is to make copying pay off early in pretraining: no statistics predict the later
 * occurrences, only looking back does, and since no symbol occurs twice in one occurrence, "find
 * the previous occurrence of this token, predict what followed it" is exact — the clean signal an
 * induction head forms on. (Sequences of numbers and names repeat digits and separators many
 * times per occurrence, so that rule is ambiguous on them; a 2-layer model trained without these
 * documents sat at ~21 % copy accuracy with no induction attention for thousands of steps, and one
 * trained with only the varied `echo` form took longer to form it, docs/models.md.)
 */
function repeat(rng: Rng): string {
  const n = intBetween(rng, 8, 30);
  const seq = shuffle(rng, SYMBOL_CHARS).slice(0, n).join('');
  return Array.from({ length: intBetween(rng, 2, 4) }, () => seq).join('\n');
}

/**
 * A sequence of distinct items (numbers, names, keys, letters) written two or three times with
 * varied text between the occurrences: carries the copying that `repeat` forms over to
 * multi-token symbols, and the varied gaps keep the model from copying by column (same distance
 * from the line start) instead of by content.
 */
function echo(rng: Rng): string {
  const items = new Set<string>();
  const n = intBetween(rng, 5, 14);
  while (items.size < n) items.add(rng.next() < 0.3 ? pick(rng, SYMBOL_CHARS) : randomItem(rng));
  const seq = [...items].join(pick(rng, [' ', ', ']));
  const gap = (): string => pick(rng, ['\n', '\n', ' | ', '. ', `\n${sentence(rng)}\n`, `\n${pick(rng, ['again', 'once more', 'copy', 'repeat'])}: `]);
  const label = rng.next() < 0.3 ? `${pick(rng, ['seq', 'code', 'key', 'list'])} ${intBetween(rng, 1, 99)}: ` : '';
  let text = `${label}${seq}`;
  for (let r = intBetween(rng, 2, 3); r > 1; r--) text += `${gap()}${seq}`;
  return text;
}

/** Key/value pairs, then some keys asked again with their values. */
function kv(rng: Rng): string {
  const n = intBetween(rng, 3, 10);
  const keys = new Set<string>();
  while (keys.size < n) keys.add(rng.next() < 0.5 ? `k${intBetween(rng, 0, 99)}` : pseudoWord(rng));
  const pairs = [...keys].map((k) => [k, rng.next() < 0.7 ? String(intBetween(rng, 0, 99)) : pseudoWord(rng)] as const);
  const asked = Array.from({ length: intBetween(rng, 1, 4) }, () => pick(rng, pairs));
  if (rng.next() < 0.5) return `${pairs.map(([k, v]) => `${k}: ${v}`).join(', ')}\n${asked.map(([k, v]) => `${k}: ${v}`).join(', ')}`;
  const facts = pairs.map(([k, v]) => `The ${k} is ${v}.`).join(' ');
  return `${facts}\n${asked.map(([k, v]) => `What is the ${k}? ${v}.`).join(' ')}`;
}

/** Counting up and down, arithmetic progressions, and counting occurrences. */
function count(rng: Rng): string {
  const form = rng.int(3);
  if (form === 0) {
    const start = intBetween(rng, -20, 50);
    const step = pick(rng, [1, 1, 2, 3, 5, 10, -1, -2]);
    const n = intBetween(rng, 4, 14);
    return `from ${start} by ${step}: ${Array.from({ length: n }, (_, i) => start + i * step).join(', ')}`;
  }
  if (form === 1) {
    const n = intBetween(rng, 3, 20);
    return `count: ${Array.from({ length: n }, (_, i) => i + 1).join(' ')}`;
  }
  const alphabet = Array.from({ length: intBetween(rng, 2, 4) }, () => pseudoWord(rng));
  const seq = Array.from({ length: intBetween(rng, 4, 12) }, () => pick(rng, alphabet));
  const target = pick(rng, seq);
  return `${seq.join(' ')}\nhow many ${target}? ${seq.filter((s) => s === target).length}`;
}

function arith(rng: Rng): string {
  const lines = Array.from({ length: intBetween(rng, 2, 6) }, () => {
    const a = intBetween(rng, -30, 99);
    const b = intBetween(rng, 0, 99);
    switch (rng.int(4)) {
      case 0:
        return `${a} + ${b} = ${a + b}`;
      case 1:
        return `${a} - ${b} = ${a - b}`;
      case 2: {
        const x = intBetween(rng, 0, 12);
        const y = intBetween(rng, 0, 12);
        return `${x} * ${y} = ${x * y}`;
      }
      default:
        return `max(${a}, ${b}) = ${Math.max(a, b)}`;
    }
  });
  return lines.join('\n');
}

/** Two-decimal amounts with negatives: sums, running balances, ledgers. */
function decimals(rng: Rng): string {
  const form = rng.int(3);
  if (form === 0) {
    const a = intBetween(rng, -500, 500);
    const b = intBetween(rng, -500, 500);
    return `${formatCents(a)} + ${formatCents(b)} = ${formatCents(a + b)}`;
  }
  if (form === 1) {
    let total = intBetween(rng, -100, 300);
    const parts = [`start ${formatCents(total)}`];
    for (let i = intBetween(rng, 2, 8); i > 0; i--) {
      const d = intBetween(rng, -150, 150);
      total += d;
      parts.push(`${d >= 0 ? 'add' : 'take'} ${formatCents(Math.abs(d))} -> ${formatCents(total)}`);
    }
    return parts.join(', ');
  }
  const lines = Array.from({ length: intBetween(rng, 2, 5) }, () => `${pick(rng, NAMES)} paid ${formatCents(intBetween(rng, -999, 999))}`);
  return lines.join('\n');
}

function lists(rng: Rng): string {
  const form = rng.int(3);
  if (form === 0) {
    const items = Array.from({ length: intBetween(rng, 3, 8) }, () => pick(rng, NOUNS));
    return `${pick(rng, ['things', 'items', 'words'])}: ${items.join(', ')}`;
  }
  const nums = Array.from({ length: intBetween(rng, 3, 9) }, () => intBetween(rng, -9, 99));
  if (form === 1) return `sort ${nums.join(', ')} -> ${[...nums].sort((a, b) => a - b).join(', ')}`;
  return `reverse ${nums.join(', ')} -> ${[...nums].reverse().join(', ')}`;
}

/** Multi-line records with the same fields per line; sometimes a lookup line at the end. */
function records(rng: Rng): string {
  const fields = ['name', ...shuffle(rng, FIELDS.slice(1)).slice(0, intBetween(rng, 1, 3))];
  const rows = Array.from({ length: intBetween(rng, 2, 6) }, () => {
    const values: Record<string, string> = {};
    for (const f of fields) {
      if (f === 'name') values[f] = pick(rng, NAMES);
      else if (f === 'city') values[f] = pick(rng, CITIES);
      else if (f === 'color') values[f] = pick(rng, COLORS);
      else if (f === 'score' || f === 'price') values[f] = formatCents(intBetween(rng, -300, 999));
      else values[f] = String(intBetween(rng, 0, 99));
    }
    return values;
  });
  const lines = rows.map((r) => fields.map((f) => `${f}: ${r[f]}`).join(', '));
  if (fields.length > 1 && rng.next() < 0.5) {
    const row = pick(rng, rows);
    const f = fields[1 + rng.int(fields.length - 1)]!;
    lines.push(`${f} of ${row.name}: ${row[f]}`);
  }
  return lines.join('\n');
}

/**
 * Indexed tags `<X_i> value`, steps joined by `, ` — the surface format of the lab's prompts, with
 * non-decision content: an indexed list, tags whose values follow arithmetic rules, or tags
 * recalled by index.
 */
function tags(rng: Rng): string {
  const pickLetters = (n: number): string[] => shuffle(rng, TAG_LETTERS).slice(0, n);
  const n = intBetween(rng, 3, 12);
  const form = rng.int(3);
  if (form === 0) {
    const [L] = pickLetters(1);
    const items = Array.from({ length: n }, (_, i) => `<${L}_${i + 1}> ${rng.next() < 0.5 ? pseudoWord(rng) : pick(rng, NOUNS)}`);
    return items.join(', ');
  }
  if (form === 1) {
    const [X, Y, Z] = pickLetters(3);
    const mult = intBetween(rng, 1, 4);
    const offset = intBetween(rng, -5, 5);
    const withZ = rng.next() < 0.5;
    const steps = Array.from({ length: n }, (_, i) => {
      const x = intBetween(rng, 0, 20);
      const y = mult * x + offset;
      const t = i + 1;
      const z = withZ ? `, <${Z}_${t}> ${formatCents(x * 10 - y)}` : '';
      return `<${X}_${t}> ${x}, <${Y}_${t}> ${y}${z}`;
    });
    return steps.join(', ');
  }
  const [K] = pickLetters(1);
  const values = Array.from({ length: n }, () => intBetween(rng, 0, 99));
  const line = values.map((v, i) => `<${K}_${i + 1}> ${v}`).join(', ');
  const asked = Array.from({ length: intBetween(rng, 1, 3) }, () => rng.int(n));
  return `${line}\n${asked.map((i) => `<${K}_${i + 1}> ${values[i]}`).join(', ')}`;
}

/**
 * Keyed lookup over long indexed tag lists: lines of steps `<K_t> k, <V_t> v, <W_t> w`, where
 * within one document V is a fixed random function of K (a small table the text never states)
 * and W is a number that follows from K and V. Every line restarts at t = 1. Predicting a V
 * takes finding an earlier step with the same K — often hundreds of tokens back, behind steps
 * that share every format token — and copying what followed it; the most recent V is usually
 * wrong, so "repeat the last value" does not pay. This is the generic ability that reading k
 * support trajectories needs (match the current key, copy the value seen with it), written
 * with letters other than O, A and R and with values that are a lookup table, not observation
 * → action → reward, so the corpus still contains no decision trajectory.
 */
function lookup(rng: Rng): string {
  const [K, V, W] = shuffle(rng, TAG_LETTERS).slice(0, 3) as [string, string, string];
  const keys = intBetween(rng, 4, 12);
  const values = intBetween(rng, 2, 4);
  const table = Array.from({ length: keys }, () => rng.int(values));
  const scale = intBetween(rng, 5, 40);
  const withW = rng.next() < 0.8;
  const lines = intBetween(rng, 2, 8);
  const steps = intBetween(rng, 3, 20);
  const line = (): string => Array.from({ length: steps }, (_, i) => {
    const k = rng.int(keys);
    const v = table[k]!;
    const w = withW ? `, <${W}_${i + 1}> ${formatCents(v === 0 ? -scale : k * scale - v)}` : '';
    return `<${K}_${i + 1}> ${k}, <${V}_${i + 1}> ${v}${w}`;
  }).join(', ');
  return Array.from({ length: lines }, line).join('\n');
}

export const GENERATORS: Record<TextKind, (rng: Rng) => string> = { sentences, copy, kv, count, arith, decimals, lists, records, tags, repeat, echo, lookup };
