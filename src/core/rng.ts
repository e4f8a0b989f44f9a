/**
 * Seeded pseudo-random numbers for everything in src/core.
 *
 * Hand-written rather than taken from a library because the lab needs three things together
 * that the maintained generators (pure-rand, seedrandom) do not offer as one: streams derived
 * from a seed and a path of labels without consuming anything (common random numbers: the
 * transition noise of episode 7 of task 3 must not depend on what a policy drew before it),
 * doubles with 53 random bits, and gamma/Dirichlet draws for the ambiguity sets.
 * The generator is sfc32 (Chris Doty-Humphrey's Small Fast Counting generator, passes
 * PractRand), seeded through a 53-bit string hash (cyrb53) of the seed and the path.
 */

function cyrb53(text: string, seed: number): [number, number] {
  let h1 = 0xdeadbeef ^ seed;
  let h2 = 0x41c6ce57 ^ seed;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return [h1 >>> 0, h2 >>> 0];
}

export type RngKey = string | number;

export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  /** A generator for `seed` and an optional path of labels, e.g. `new Rng(7, 'task', 3, 'episode', 0)`. */
  constructor(seed: number, ...path: RngKey[]) {
    if (!Number.isFinite(seed)) throw new Error(`seed must be a finite number, got ${seed}`);
    const text = `${seed}|${path.join('|')}`;
    const [x, y] = cyrb53(text, 0x9e3779b9);
    const [z, w] = cyrb53(text, 0x85ebca6b);
    this.a = x;
    this.b = y;
    this.c = z;
    this.d = w | 1;
    for (let i = 0; i < 12; i++) this.nextUint32();
  }

  /** An independent stream whose numbers depend only on this generator's current state and the labels. */
  fork(...path: RngKey[]): Rng {
    return new Rng(this.nextUint32(), ...path);
  }

  nextUint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform double in [0, 1) with 53 random bits. */
  next(): number {
    const hi = this.nextUint32() >>> 5;
    const lo = this.nextUint32() >>> 6;
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Uniform in [lo, hi). */
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  /** Uniform integer in {0, ..., n-1}. */
  /** A Fisher–Yates shuffle of a copy of `items`. */
  shuffle<T>(items: readonly T[]): T[] {
    const out = [...items];
    for (let i = out.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [out[i], out[j]] = [out[j]!, out[i]!];
    }
    return out;
  }

  int(n: number): number {
    if (!Number.isInteger(n) || n <= 0) throw new Error(`int(n) needs a positive integer n, got ${n}`);
    return Math.floor(this.next() * n);
  }

  /** Index drawn from unnormalised non-negative weights (inverse CDF, one uniform). */
  categorical(weights: ArrayLike<number>, offset = 0, length = weights.length - offset): number {
    let total = 0;
    for (let i = 0; i < length; i++) total += weights[offset + i]!;
    return sampleCategorical(weights, this.next() * total, offset, length);
  }

  normal(): number {
    // Box–Muller; u1 in (0, 1] so the log is finite.
    const u1 = 1 - this.next();
    const u2 = this.next();
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }

  /** Gamma(shape, 1) by Marsaglia and Tsang, with the shape < 1 boost. */
  gamma(shape: number): number {
    if (!(shape > 0)) throw new Error(`gamma shape must be > 0, got ${shape}`);
    if (shape < 1) return this.gamma(shape + 1) * Math.pow(1 - this.next(), 1 / shape);
    const d = shape - 1 / 3;
    const c = 1 / Math.sqrt(9 * d);
    for (;;) {
      let x: number;
      let v: number;
      do {
        x = this.normal();
        v = 1 + c * x;
      } while (v <= 0);
      v = v * v * v;
      const u = 1 - this.next();
      if (Math.log(u) < 0.5 * x * x + d - d * v + d * Math.log(v)) return d * v;
    }
  }

  /** Dirichlet(concentration) draw. */
  dirichlet(concentration: ArrayLike<number>): Float64Array {
    const out = new Float64Array(concentration.length);
    let total = 0;
    for (let i = 0; i < out.length; i++) {
      out[i] = this.gamma(concentration[i]!);
      total += out[i]!;
    }
    for (let i = 0; i < out.length; i++) out[i]! /= total;
    return out;
  }
}

/**
 * Inverse-CDF sampling with a given uniform `u` scaled to the weights' total. Common random
 * numbers rely on it: the same `u` with the same row gives the same outcome for every policy.
 */
export function sampleCategorical(weights: ArrayLike<number>, u: number, offset = 0, length = weights.length - offset): number {
  let acc = 0;
  let last = -1;
  for (let i = 0; i < length; i++) {
    const w = weights[offset + i]!;
    if (w <= 0) continue;
    acc += w;
    last = i;
    if (u < acc) return i;
  }
  if (last < 0) throw new Error('cannot sample from all-zero weights');
  return last; // u rounded up to the total
}
