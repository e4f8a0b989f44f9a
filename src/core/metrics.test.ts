import { describe, expect, it } from 'vitest';
import { ameuReturn, discountedReturn, gapDetail, mean, optimalityGap, tInterval95 } from './metrics.ts';

describe('metrics', () => {
  it('discountedReturn sums γ^t r_t', () => {
    expect(discountedReturn([1, 2, 3])).toBe(6);
    expect(discountedReturn([1, 2, 3], 0.5)).toBeCloseTo(1 + 1 + 0.75, 12);
    expect(discountedReturn([])).toBe(0);
  });

  it('optimalityGap is (R* − R^π) / R*', () => {
    expect(optimalityGap(10, 7)).toBeCloseTo(0.3, 12);
    expect(optimalityGap(4, 4)).toBe(0);
    expect(optimalityGap(2, 3)).toBeCloseTo(-0.5, 12); // a lucky policy can beat the oracle on finite episodes
  });

  it('divides by |R*| so a worse policy has a positive gap when R* < 0', () => {
    expect(optimalityGap(-2, -3)).toBeCloseTo(0.5, 12);
    expect(gapDetail(-2, -3).flagged).toBe(false);
  });

  it('falls back to the unnormalised difference, flagged, when R* ≈ 0', () => {
    expect(gapDetail(0, 0)).toEqual({ gap: 0, flagged: true });
    expect(gapDetail(1e-12, -0.5)).toEqual({ gap: 0.5 + 1e-12, flagged: true });
    expect(gapDetail(0, 0.25)).toEqual({ gap: -0.25, flagged: true });
  });

  it('tInterval95 uses the Student-t quantile (n = 5: t = 2.776...)', () => {
    const ci = tInterval95([1, 2, 3, 4, 5]);
    const sd = Math.sqrt(2.5);
    const t = 2.7764451051977987;
    expect(ci.n).toBe(5);
    expect(ci.mean).toBe(3);
    expect(ci.halfWidth).toBeCloseTo((t * sd) / Math.sqrt(5), 9);
    expect(ci.halfWidth).toBeCloseTo(1.96324, 4);
    expect(ci.low).toBeCloseTo(3 - ci.halfWidth, 12);
    expect(ci.high).toBeCloseTo(3 + ci.halfWidth, 12);
  });

  it('tInterval95 for n = 2 uses t = 12.706 and is zero-width for constant values', () => {
    expect(tInterval95([0, 1]).halfWidth).toBeCloseTo((12.706204736 * Math.sqrt(0.5)) / Math.sqrt(2), 6);
    expect(tInterval95([0.25, 0.25, 0.25])).toEqual({ mean: 0.25, low: 0.25, high: 0.25, halfWidth: 0, n: 3 });
  });

  it('tInterval95 with n = 1 is unbounded and with n = 0 undefined', () => {
    expect(tInterval95([0.4])).toEqual({ mean: 0.4, low: -Infinity, high: Infinity, halfWidth: Infinity, n: 1 });
    const empty = tInterval95([]);
    expect(empty.n).toBe(0);
    expect(Number.isNaN(empty.mean)).toBe(true);
    expect(Number.isNaN(mean([]))).toBe(true);
  });

  it('ameuReturn = α·min + (1 − α)·max', () => {
    expect(ameuReturn([3, 1, 2], 1)).toBe(1);
    expect(ameuReturn([3, 1, 2], 0)).toBe(3);
    expect(ameuReturn([3, 1, 2], 0.25)).toBeCloseTo(0.25 * 1 + 0.75 * 3, 12);
    expect(ameuReturn([5], 0.5)).toBe(5);
    expect(() => ameuReturn([], 0.5)).toThrow();
    expect(() => ameuReturn([1], 1.5)).toThrow(/alpha/);
  });
});
