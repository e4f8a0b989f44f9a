/**
 * Belief sets for the point-based APOMDP solver: deduplicated normalised beliefs with an L1
 * nearest-neighbour index.
 *
 * L1 because it is the distance that bounds value errors: with stored linear pieces g,
 * |V(b') − g_nn · b'| ≤ 2 · max|g| · ‖b' − b_nn‖₁. The index sorts points by the mean level
 * μ(b) = Σ_s s b(s) / (S − 1) and prunes with ‖q − p‖₁ ≥ 2 |μ_q − μ_p| (Σ_s (s/(S−1) − ½)(q − p)(s)
 * = μ_q − μ_p because Σ (q − p) = 0, and |s/(S−1) − ½| ≤ ½). Energy beliefs are mostly
 * unimodal, so the mean is a sharp first coordinate and a query scans a few dozen points; a
 * second projection (the spread about the middle level, same bound) rejects most of them with
 * one subtraction instead of an S-term distance.
 */

/** Beliefs closer than this in every coordinate are stored once. */
const DEDUPE_SCALE = 1e7;

export class BeliefSet {
  readonly S: number;
  private data: number[] = [];
  private keys = new Map<string, number>();

  constructor(S: number) {
    this.S = S;
  }

  get size(): number {
    return this.data.length / this.S;
  }

  /** Adds the normalisation of u (if its mass is positive) and returns its index, or −1. */
  add(u: ArrayLike<number>): number {
    let mass = 0;
    for (let s = 0; s < this.S; s++) mass += u[s]!;
    if (!(mass > 0)) return -1;
    let key = '';
    for (let s = 0; s < this.S; s++) key += Math.round((u[s]! / mass) * DEDUPE_SCALE) + ',';
    const hit = this.keys.get(key);
    if (hit !== undefined) return hit;
    const index = this.size;
    for (let s = 0; s < this.S; s++) this.data.push(u[s]! / mass);
    this.keys.set(key, index);
    return index;
  }

  points(): Float64Array {
    return Float64Array.from(this.data);
  }
}

export class NearestIndex {
  private readonly S: number;
  private readonly points: Float64Array;
  private readonly order: Int32Array;
  private readonly means: Float64Array;
  /** a second projection, f(s) = (2s/(S−1) − 1)², in sorted order: a one-number reject before the full distance. */
  private readonly spreads: Float64Array;

  constructor(points: Float64Array, S: number) {
    this.S = S;
    this.points = points;
    const n = points.length / S;
    const mean = (i: number) => {
      let m = 0;
      for (let s = 0; s < S; s++) m += s * points[i * S + s]!;
      return m / Math.max(1, S - 1);
    };
    const raw = Float64Array.from({ length: n }, (_, i) => mean(i));
    this.order = Int32Array.from({ length: n }, (_, i) => i).sort((a, b) => raw[a]! - raw[b]! || a - b);
    this.means = Float64Array.from(this.order, (i) => raw[i]!);
    this.spreads = Float64Array.from(this.order, (i) => spread(points, i * S, S));
  }

  /** Index of the stored point nearest to q (L1); q must be normalised. Ties go to the lowest sorted position. */
  nearest(q: ArrayLike<number>): number {
    const S = this.S;
    let mq = 0;
    for (let s = 0; s < S; s++) mq += s * q[s]!;
    mq /= Math.max(1, S - 1);
    const n = this.means.length;
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.means[mid]! < mq) lo = mid + 1;
      else hi = mid;
    }
    const fq = spread(q, 0, S);
    let down = lo - 1;
    let up = lo;
    let best = Infinity;
    let arg = -1;
    while (down >= 0 || up < n) {
      const dDown = down >= 0 ? 2 * (mq - this.means[down]!) : Infinity;
      const dUp = up < n ? 2 * (this.means[up]! - mq) : Infinity;
      const fromUp = dUp <= dDown;
      if ((fromUp ? dUp : dDown) >= best) break;
      const pos = fromUp ? up++ : down--;
      if (2 * Math.abs(fq - this.spreads[pos]!) >= best) continue;
      const i = this.order[pos]!;
      const base = i * S;
      let d = 0;
      for (let s = 0; s < S && d < best; s++) d += Math.abs(q[s]! - this.points[base + s]!);
      if (d < best) {
        best = d;
        arg = i;
      }
    }
    return arg;
  }
}

/** Σ_s f(s) b(s) with f(s) = (2s/(S−1) − 1)² ∈ [0, 1]: ‖q − p‖₁ ≥ 2 |f(q) − f(p)| as for the mean. */
function spread(b: ArrayLike<number>, offset: number, S: number): number {
  let x = 0;
  for (let s = 0; s < S; s++) {
    const y = (2 * s) / Math.max(1, S - 1) - 1;
    x += y * y * b[offset + s]!;
  }
  return x;
}
