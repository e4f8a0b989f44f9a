/**
 * The lab's metrics (DESIGN §1, §2.3): discounted return, optimality gap, 95 % Student-t
 * intervals over tasks, and the α-MEU aggregation of per-model returns.
 *
 * Documented choices:
 * - Gap normalisation divides by |R*| so a negative R* (possible when every action costs) still
 *   gives a positive gap for a worse policy. When |R*| < ZERO_RETURN_TOLERANCE the ratio is
 *   meaningless; the gap is then the unnormalised difference R* − R^π (0 when the policy also
 *   gets ≈ 0) and `gapDetail` flags it, so the rows can say how many tasks were treated so.
 * - tInterval95 with n = 1 has no spread estimate: mean = the value, halfWidth = Infinity,
 *   low = −Infinity, high = +Infinity (honest "unknown" rather than a zero-width interval).
 *   n = 0 gives NaN everywhere.
 */
import tQuantile from '@stdlib/stats-base-dists-t-quantile';

export const ZERO_RETURN_TOLERANCE = 1e-9;

export function discountedReturn(rewards: readonly number[], gamma = 1): number {
  let ret = 0;
  let d = 1;
  for (const r of rewards) {
    ret += d * r;
    d *= gamma;
  }
  return ret;
}

export interface GapDetail {
  gap: number;
  /** true when |R*| ≈ 0 and the gap is the unnormalised difference. */
  flagged: boolean;
}

export function gapDetail(rStar: number, rPi: number): GapDetail {
  const diff = rStar - rPi;
  if (Math.abs(rStar) < ZERO_RETURN_TOLERANCE) {
    return { gap: Math.abs(diff) < ZERO_RETURN_TOLERANCE ? 0 : diff, flagged: true };
  }
  return { gap: diff / Math.abs(rStar), flagged: false };
}

/** (R* − R^π) / |R*|; see the module header for |R*| ≈ 0. */
export function optimalityGap(rStar: number, rPi: number): number {
  return gapDetail(rStar, rPi).gap;
}

export interface TInterval {
  mean: number;
  low: number;
  high: number;
  halfWidth: number;
  n: number;
}

/** The median (the mean of the middle two for an even count); NaN for none. Benchmarks report it. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export function mean(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  let s = 0;
  for (const v of values) s += v;
  return s / values.length;
}

/** The t quantile behind a 95 % two-sided interval over n values (n − 1 degrees of freedom); Infinity below 2. */
export function tCritical95(n: number): number {
  return n < 2 ? Infinity : tQuantile(0.975, n - 1);
}

/** Two-sided 95 % Student-t interval of the mean (n − 1 degrees of freedom). */
export function tInterval95(values: readonly number[]): TInterval {
  const n = values.length;
  const m = mean(values);
  if (n === 0) return { mean: NaN, low: NaN, high: NaN, halfWidth: NaN, n };
  if (n === 1) return { mean: m, low: -Infinity, high: Infinity, halfWidth: Infinity, n };
  let ss = 0;
  for (const v of values) ss += (v - m) * (v - m);
  const sd = Math.sqrt(ss / (n - 1));
  const halfWidth = tCritical95(n) * (sd / Math.sqrt(n));
  return { mean: m, low: m - halfWidth, high: m + halfWidth, halfWidth, n };
}

/** α-MEU aggregation (DESIGN §2.3): α · min_m R̄_m + (1 − α) · max_m R̄_m. */
export function ameuReturn(perModelMeans: readonly number[], alpha: number): number {
  if (perModelMeans.length === 0) throw new Error('ameuReturn: needs at least one model');
  if (!(alpha >= 0 && alpha <= 1)) throw new Error(`ameuReturn: alpha must be in [0, 1], got ${alpha}`);
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of perModelMeans) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  return alpha * lo + (1 - alpha) * hi;
}
