import { describe, expect, it } from 'vitest';
import { Rng, sampleCategorical } from './rng.ts';

describe('Rng', () => {
  it('gives the same numbers for the same seed and path, different ones otherwise', () => {
    const a = new Rng(42, 'task', 3);
    const b = new Rng(42, 'task', 3);
    const c = new Rng(42, 'task', 4);
    const xs = Array.from({ length: 5 }, () => a.next());
    expect(Array.from({ length: 5 }, () => b.next())).toEqual(xs);
    expect(Array.from({ length: 5 }, () => c.next())).not.toEqual(xs);
  });

  it('draws uniforms in [0, 1) with the right mean and variance', () => {
    const r = new Rng(1);
    const n = 200_000;
    let sum = 0;
    let sq = 0;
    let lo = 1;
    let hi = 0;
    for (let i = 0; i < n; i++) {
      const u = r.next();
      lo = Math.min(lo, u);
      hi = Math.max(hi, u);
      sum += u;
      sq += u * u;
    }
    expect(lo).toBeGreaterThanOrEqual(0);
    expect(hi).toBeLessThan(1);
    const mean = sum / n;
    // standard error of the mean is sqrt(1/12/n) ≈ 6.5e-4
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.004);
    expect(Math.abs(sq / n - mean * mean - 1 / 12)).toBeLessThan(0.002);
  });

  it('draws gamma and Dirichlet variates with the known moments', () => {
    const r = new Rng(7);
    const n = 50_000;
    for (const shape of [0.5, 1, 3.5]) {
      let sum = 0;
      let sq = 0;
      for (let i = 0; i < n; i++) {
        const g = r.gamma(shape);
        sum += g;
        sq += g * g;
      }
      const mean = sum / n;
      expect(Math.abs(mean - shape) / shape).toBeLessThan(0.03); // Gamma(k,1): mean k, variance k
      expect(Math.abs(sq / n - mean * mean - shape) / shape).toBeLessThan(0.08);
    }
    const conc = [2, 5, 3];
    const acc = [0, 0, 0];
    for (let i = 0; i < 20_000; i++) {
      const d = r.dirichlet(conc);
      expect(Math.abs(d[0]! + d[1]! + d[2]! - 1)).toBeLessThan(1e-12);
      for (let j = 0; j < 3; j++) acc[j]! += d[j]!;
    }
    acc.forEach((v, j) => expect(Math.abs(v / 20_000 - conc[j]! / 10)).toBeLessThan(0.01));
  });

  it('samples categories by inverse CDF, skipping zero weights', () => {
    const w = [0, 0.25, 0, 0.75];
    expect(sampleCategorical(w, 0)).toBe(1);
    expect(sampleCategorical(w, 0.2499)).toBe(1);
    expect(sampleCategorical(w, 0.25)).toBe(3);
    expect(sampleCategorical(w, 1)).toBe(3); // u at the total falls back to the last positive weight
    expect(() => sampleCategorical([0, 0], 0.5)).toThrow(/all-zero/);
  });

  it('forks streams that do not depend on later draws of the parent', () => {
    const p1 = new Rng(5);
    const p2 = new Rng(5);
    const f1 = p1.fork('x');
    const f2 = p2.fork('x');
    p1.next();
    expect(f1.next()).toBe(f2.next());
  });
});
