import { describe, expect, it } from 'vitest';
import { Rng } from '../rng.ts';
import { parseTaskSpec } from '../spec/task-spec.ts';
import type { EnergyParams, PomdpModel } from '../types.ts';
import { klDivergence, maxRowKl, sampleAmbiguitySet } from './ambiguity.ts';
import { makeEnergyTask } from './energy.ts';

function params(over: Record<string, unknown> = {}): EnergyParams {
  const spec = parseTaskSpec({ env: 'energy-apomdp', params: { K: 4, q: 0.9, ...over }, seed: 0 });
  if (spec.env === 'darkroom') throw new Error('unreachable');
  return spec.params;
}

function nominalOf(p: EnergyParams): PomdpModel {
  return makeEnergyTask('energy-apomdp', p).models[0]!;
}

describe('klDivergence', () => {
  it('matches a hand computation and is infinite off the support', () => {
    expect(klDivergence([0.5, 0.5], [0.25, 0.75])).toBeCloseTo(0.5 * Math.log(2) + 0.5 * Math.log(2 / 3), 12);
    expect(klDivergence([0.5, 0.5], [1, 0])).toBe(Infinity);
    expect(klDivergence([1, 0], [0.5, 0.5])).toBeCloseTo(Math.log(2), 12);
  });
});

describe('sampleAmbiguitySet', () => {
  const p = params();
  const nominal = nominalOf(p);
  const S = p.levels;
  const models = sampleAmbiguitySet(nominal, p, new Rng(7, 'ambiguity-set'));

  it('draws K − 1 models and none for K = 1', () => {
    expect(models).toHaveLength(3);
    expect(sampleAmbiguitySet(nominal, { ...p, K: 1 }, new Rng(7))).toEqual([]);
  });

  it('gives stochastic matrices on exactly the nominal support, and actually perturbs them', () => {
    for (const m of models) {
      for (const [mat, width] of [
        [m.transition, S],
        [m.emission, S],
      ] as const) {
        const ref = mat === m.transition ? nominal.transition : nominal.emission;
        for (let row = 0; row < mat.length; row += width) {
          let sum = 0;
          for (let i = 0; i < width; i++) {
            sum += mat[row + i]!;
            expect(mat[row + i]! > 0).toBe(ref[row + i]! > 0);
          }
          expect(sum).toBeCloseTo(1, 12);
        }
      }
      expect(Array.from(m.emission)).not.toEqual(Array.from(nominal.emission));
      expect(Array.from(m.transition)).not.toEqual(Array.from(nominal.transition));
    }
  });

  it('keeps every row within KL ρ of the nominal row, and single-support rows unchanged', () => {
    for (const m of models) {
      expect(maxRowKl(m, nominal, S)).toBeLessThanOrEqual(p.rho);
      // Rows with one support entry (charge at the top level, work at level 0) cannot move.
      for (let row = 0; row < nominal.transition.length; row += S) {
        const support = Array.from(nominal.transition.subarray(row, row + S)).filter((x) => x > 0).length;
        if (support === 1) expect(Array.from(m.transition.subarray(row, row + S))).toEqual(Array.from(nominal.transition.subarray(row, row + S)));
      }
    }
    // With p = 1 every transition row is deterministic: the perturbed transitions equal the nominal ones.
    const det = params({ p: 1 });
    const detModels = sampleAmbiguitySet(nominalOf(det), det, new Rng(3));
    for (const m of detModels) expect(Array.from(m.transition)).toEqual(Array.from(nominalOf(det).transition));
  });

  it('keeps the duplicate action (charge, charge′) identical in every model', () => {
    for (const m of models) {
      expect(Array.from(m.transition.subarray(0, S * S))).toEqual(Array.from(m.transition.subarray(S * S, 2 * S * S)));
    }
  });

  it('is reproducible from the seed and differs across seeds', () => {
    const again = sampleAmbiguitySet(nominal, p, new Rng(7, 'ambiguity-set'));
    expect(again.map((m) => Array.from(m.emission))).toEqual(models.map((m) => Array.from(m.emission)));
    expect(again.map((m) => Array.from(m.transition))).toEqual(models.map((m) => Array.from(m.transition)));
    const other = sampleAmbiguitySet(nominal, p, new Rng(8, 'ambiguity-set'));
    expect(Array.from(other[0]!.emission)).not.toEqual(Array.from(models[0]!.emission));
  });

  it('moves closer to the nominal model as κ grows (mean row KL ≈ (d − 1) / 2κ)', () => {
    const loose = params({ kappa: 50, rho: 5 });
    const tight = params({ kappa: 5000, rho: 5 });
    const kl = (pp: EnergyParams) => sampleAmbiguitySet(nominalOf(pp), pp, new Rng(1)).reduce((a, m) => a + maxRowKl(m, nominalOf(pp), S), 0);
    expect(kl(tight)).toBeLessThan(kl(loose) / 20);
  });

  it.each([
    ['ρ = 1e-9, κ = 1 (no draw is ever accepted)', { rho: 1e-9, kappa: 1 }],
    ['40 levels with q = 0.7 (noisy 40-entry emission rows)', { levels: 40, q: 0.7 }],
    ['κ = 5e-324 (κ · p underflows)', { kappa: 5e-324 }],
    ['κ = 0.001 with 3 levels', { kappa: 0.001, levels: 3 }],
    ['ρ = 5e-324', { rho: 5e-324 }],
  ])('gives a set inside the KL ball where rejection cannot: %s', (_, over) => {
    const pp = params(over);
    const nominal = nominalOf(pp);
    const set = sampleAmbiguitySet(nominal, pp, new Rng(1));
    expect(set).toHaveLength(pp.K - 1);
    const n = pp.levels;
    const nObs = nominal.emission.length / n;
    for (const m of set) {
      expect(maxRowKl(m, nominal, n)).toBeLessThanOrEqual(pp.rho);
      // Still stochastic, on the nominal support, with no NaN.
      for (let row = 0; row < m.emission.length; row += nObs) {
        const r = Array.from(m.emission.subarray(row, row + nObs));
        expect(Math.abs(r.reduce((a, b) => a + b, 0) - 1)).toBeLessThan(1e-9);
        r.forEach((x, i) => expect(x > 0).toBe(nominal.emission[row + i]! > 0));
      }
    }
  });

  it('is what tasks.ts puts into an energy-apomdp task', async () => {
    const { taskFromSpec } = await import('../tasks.ts');
    const task = taskFromSpec({ env: 'energy-apomdp', params: { K: 3 }, seed: 5 });
    if (task.kind !== 'energy') throw new Error('unreachable');
    expect(task.models).toHaveLength(3);
    const direct = sampleAmbiguitySet(task.models[0]!, task.params, new Rng(5, 'ambiguity-set'));
    expect(Array.from(task.models[2]!.emission)).toEqual(Array.from(direct[1]!.emission));
  });
});
