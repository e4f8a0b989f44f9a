import { describe, expect, it } from 'vitest';
import { Rng } from '../rng.ts';
import { SpecError, parseOrThrow } from '../spec/fields.ts';
import {
  boundTerms, closedFormMatrix, covarianceSpectrum, dot, gammaDiagonal, linearMdpSchema, LsaTrainer, regretBound,
  relativeDistance, sampleFeature, sampleWeights, simulateGap, supportMoment,
} from './index.ts';

const defaults = linearMdpSchema.parse({});

describe('linear MDP', () => {
  it('has a covariance of condition number κ and trace d', () => {
    const l = covarianceSpectrum(5, 16);
    expect(l[0]! / l[4]!).toBeCloseTo(16, 10);
    expect(l.reduce((s, v) => s + v, 0)).toBeCloseTo(5, 10);
    expect(l[1]! / l[2]!).toBeCloseTo(2, 10); // geometric: 16^(1/4)
  });

  it('names the bad field and its range', () => {
    expect(() => parseOrThrow(linearMdpSchema, { d: 0 })).toThrow(SpecError);
    expect(() => parseOrThrow(linearMdpSchema, { d: 0 })).toThrow('d: must be an integer in [1, 64], got 0');
    expect(() => parseOrThrow(linearMdpSchema, { kappa: 0.5 })).toThrow('kappa: must be a number in [1, 10000], got 0.5');
  });
});

describe('LSA closed form', () => {
  it('Γ⁻¹ is the population optimum: Monte Carlo E[hhᵀ] = ΛΓ/d and E[whᵀ] = Λ/d', () => {
    const [d, N, draws] = [3, 4, 40000];
    const lambda = covarianceSpectrum(d, 4);
    const sq = lambda.map(Math.sqrt);
    const hh = new Float64Array(d * d);
    const wh = new Float64Array(d * d);
    const rng = new Rng(5, 'mc');
    const phi = new Float64Array(d);
    for (let k = 0; k < draws; k++) {
      const w = sampleWeights(rng, d);
      const feats = Array.from({ length: N }, () => Float64Array.from(sampleFeature(rng, sq, phi)));
      const h = supportMoment(feats, feats.map((f) => dot(f, w)));
      for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) {
        hh[i * d + j] += (h[i]! * h[j]!) / draws;
        wh[i * d + j] += (w[i]! * h[j]!) / draws;
      }
    }
    const g = gammaDiagonal(lambda, N);
    for (let i = 0; i < d; i++) {
      expect(Math.abs(hh[i * d + i]! / ((lambda[i]! * g[i]!) / d) - 1)).toBeLessThan(0.06);
      expect(Math.abs(wh[i * d + i]! / (lambda[i]! / d) - 1)).toBeLessThan(0.04);
      for (let j = 0; j < d; j++) if (j !== i) expect(Math.abs(hh[i * d + j]!)).toBeLessThan(0.02);
    }
  });

  it('recovers w as n and N grow (the estimator is consistent)', () => {
    const s = simulateGap({ params: { ...defaults, kappa: 10 }, supportLength: 4000, trainLength: 1e6, tasks: 30, seed: 2 });
    expect(s.gap.high).toBeLessThan(0.01);
    expect(s.regret.mean).toBeGreaterThanOrEqual(0);
  });
});

describe('the bound', () => {
  it('matches Monte Carlo in both of its second moments', () => {
    const [d, n, N, draws] = [4, 10, 8, 20000];
    const lambda = covarianceSpectrum(d, 10);
    const sq = lambda.map(Math.sqrt);
    const g = gammaDiagonal(lambda, N);
    const rng = new Rng(9, 'mc-bound');
    let e1 = 0;
    let e2 = 0;
    for (let k = 0; k < draws; k++) {
      const w = sampleWeights(rng, d);
      const feats = Array.from({ length: n }, () => sampleFeature(rng, sq, new Float64Array(d)));
      const h = supportMoment(feats, feats.map((f) => dot(f, w)));
      // e₁ = Γ⁻¹(Σ̂ − Λ)w = Γ⁻¹h − Γ⁻¹Λw, e₂ = (Γ⁻¹Λ − I)w; both weighted by Λ.
      for (let i = 0; i < d; i++) {
        const a = (h[i]! - lambda[i]! * w[i]!) / g[i]!;
        const b = (lambda[i]! / g[i]! - 1) * w[i]!;
        e1 += (lambda[i]! * a * a) / draws;
        e2 += (lambda[i]! * b * b) / draws;
      }
    }
    const t = boundTerms(lambda, n, N, 1);
    expect(Math.abs(t.estimation ** 2 / e1 - 1)).toBeLessThan(0.05);
    expect(Math.abs(t.bias ** 2 / e2 - 1)).toBeLessThan(0.05);
  });

  it('holds in every configuration of n, N and κ', () => {
    for (const kappa of [1, 10, 100]) for (const n of [5, 20, 100]) for (const N of [5, 50, 1000]) {
      const params = { ...defaults, kappa };
      const s = simulateGap({ params, supportLength: n, trainLength: N, tasks: 150, seed: 3 });
      expect(s.regret.high, `κ ${kappa}, n ${n}, N ${N}`).toBeLessThan(regretBound(params, n, N));
    }
  });

  it('has an estimation term ∝ 1/√n and a bias term that vanishes as N → ∞', () => {
    const lambda = covarianceSpectrum(8, 10);
    expect(boundTerms(lambda, 80, 50, 1).estimation * 2).toBeCloseTo(boundTerms(lambda, 20, 50, 1).estimation, 12);
    expect(boundTerms(lambda, 20, 1e7, 1).bias).toBeLessThan(1e-5);
    expect(boundTerms(lambda, 20, 5, 1).bias).toBeGreaterThan(0.5);
    // the best scale never does worse than c = 1
    for (const N of [5, 50, 1000]) {
      const best = boundTerms(lambda, 20, N);
      const one = boundTerms(lambda, 20, N, 1);
      expect(best.estimation + best.bias).toBeLessThanOrEqual(one.estimation + one.bias + 1e-12);
    }
    for (const N of [5, 50]) expect(regretBound(defaults, 100, N)).toBeLessThan(regretBound(defaults, 20, N));
  });
});

describe('trained LSA layer', () => {
  const lambda = covarianceSpectrum(4, 4);
  const train = (seed: number, steps: number) => {
    const t = new LsaTrainer({ lambda, trainLength: 20, batch: 32, seed });
    const log = Array.from({ length: steps }, () => t.train());
    return { t, log };
  };

  it('converges to the closed form Γ⁻¹ by SGD from zero', () => {
    const { t, log } = train(1, 1500);
    expect(log[0]!.distance).toBeGreaterThan(0.9);
    expect(log.at(-1)!.distance).toBeLessThan(0.2);
    const mean = (a: number, b: number) => log.slice(a, b).reduce((s, x) => s + x.loss, 0) / (b - a);
    expect(mean(1400, 1500)).toBeLessThan(0.5 * mean(0, 20));
    // its policy plays like the closed form's (same tasks)
    const params = { ...defaults, d: 4, kappa: 4 };
    const opts = { params, supportLength: 20, trainLength: 20, tasks: 300, seed: 4 };
    const trained = simulateGap({ ...opts, matrix: t.m });
    const closed = simulateGap(opts);
    expect(Math.abs(trained.regret.mean - closed.regret.mean)).toBeLessThan(closed.regret.halfWidth);
    expect(relativeDistance(t.m, closedFormMatrix(lambda, 20))).toBe(log.at(-1)!.distance);
  });

  it('gives the same matrix for the same seed, another for another', () => {
    const a = train(7, 50).t.m;
    expect(Array.from(train(7, 50).t.m)).toEqual(Array.from(a));
    expect(Array.from(train(8, 50).t.m)).not.toEqual(Array.from(a));
  });
});
