/**
 * What the theory explorer (and `reproduce`'s theory figure) shows for one setting: the
 * simulated regret of the LSA closed form against the support length n, the bound beside it,
 * and, when given, a trained layer's matrix played on the same tasks.
 */
import { z } from 'zod';
import { intIn } from '../spec/fields.ts';
import type { TInterval } from '../metrics.ts';
import { covarianceSpectrum, linearMdpSchema } from './linear-mdp.ts';
import { boundTerms, regretBound, simulateGap, type BoundTerms } from './bound.ts';

export const theorySettingsSchema = linearMdpSchema
  .extend({
    /** support pairs the estimator reads at test time. */
    n: intIn(1, 5000).default(20),
    /** prompt length the LSA layer was trained on. */
    N: intIn(1, 100000).default(50),
    /** simulated tasks per point. */
    tasks: intIn(10, 5000).default(300),
    seed: intIn(0, 2 ** 31 - 1).default(1),
  })
  .strict();
export type TheorySettings = z.output<typeof theorySettingsSchema>;
export const THEORY_DEFAULTS: TheorySettings = theorySettingsSchema.parse({});

/** The support lengths a curve is drawn at: a log grid from 2 to 1,000 with the chosen n in it. */
export function supportGrid(n: number): number[] {
  return [...new Set([2, 5, 10, 20, 50, 100, 200, 500, 1000, n])].sort((a, b) => a - b);
}

export interface CurvePoint {
  n: number;
  /** discounted regret R* − R^π of the closed form, 95 % interval over tasks. */
  closedForm: TInterval;
  /** the same for the trained layer's matrix, when one was given. */
  trained?: TInterval;
  bound: number;
  terms: BoundTerms;
  /** the oracle's mean discounted return, to read regrets as fractions. */
  optimalReturn: number;
}

export function regretCurve(s: TheorySettings, trainedMatrix?: Float64Array): CurvePoint[] {
  const lambda = covarianceSpectrum(s.d, s.kappa);
  return supportGrid(s.n).map((n) => {
    const common = { params: s, supportLength: n, trainLength: s.N, tasks: s.tasks, seed: s.seed };
    const closed = simulateGap(common);
    const trained = trainedMatrix ? simulateGap({ ...common, matrix: trainedMatrix }).regret : undefined;
    return {
      n,
      closedForm: closed.regret,
      ...(trained ? { trained } : {}),
      bound: regretBound(s, n, s.N),
      terms: boundTerms(lambda, n, s.N),
      optimalReturn: closed.optimalReturn,
    };
  });
}
