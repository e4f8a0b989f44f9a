/**
 * The theory figure (DESIGN §1, §2.5): in the linear MDP, the LSA closed form's simulated
 * regret against the bound for several support lengths n, training lengths N and covariance
 * conditionings κ, and a single LSA layer trained by SGD played on the same tasks. All of it is
 * src/core/theory's (simulateGap, regretBound, boundTerms, LsaTrainer); this module only
 * chooses the grid and stores the numbers as rows, one unit per (N, κ).
 *
 * Row fields: `policy` is `lsa-closed-form`, `lsa-trained` or `bound`; `gap` holds the
 * discounted regret R* − R^π (absolute, the quantity the bound is about, not a fraction) with its
 * 95 % interval; `meanOracleReturn` is R*; `extra` holds the bound's two terms, the trained
 * layer's distance to Γ⁻¹ and whether the regret is below the bound.
 */
import { boundTerms, closedFormMatrix, covarianceSpectrum, LsaTrainer, regretBound, relativeDistance, simulateGap, stableLr, type LinearMdpParams } from '../../core/theory/index.ts';
import { THEORY_STEPS, THEORY_TASKS } from './figures-other.ts';
import { hash64, stableJson } from './units.ts';
import type { Scale, StoredRow } from './types.ts';

export const THEORY_PARAMS: LinearMdpParams = { d: 8, actions: 4, kappa: 10, horizon: 10, gamma: 0.9 };
export const THEORY_GRID = { n: [5, 20, 100, 500], N: [10, 50, 1000], kappa: [1, 10, 100] } as const;
const TRAIN_BATCH = 16;
const SEED = 1;
/**
 * The trained layer: plain SGD at a quarter of the theory module's stable step (at its default
 * step the heavy-tailed prompt noise made M diverge at N = 10, κ = 1), with M averaged over the
 * second half of the steps (Polyak–Ruppert): the average's distance to Γ⁻¹ was 0.13 against
 * 0.91 for the last iterate at N = 10, κ = 1 after 1,500 steps. Ill-conditioned Λ (κ = 100) still
 * learns its small directions slowly; the table reports the distance.
 */
const LR_FACTOR = 0.25;

/** The trained (iterate-averaged) matrix M and its relative distance to the closed form. */
function trainedMatrix(lambda: Float64Array, N: number, steps: number): { m: Float64Array; distance: number } {
  const trainer = new LsaTrainer({ lambda, trainLength: N, batch: TRAIN_BATCH, seed: SEED, lr: LR_FACTOR * stableLr(lambda, N) });
  const avg = new Float64Array(trainer.m.length);
  let k = 0;
  for (let s = 0; s < steps; s++) {
    trainer.train();
    if (s < Math.floor(steps / 2)) continue;
    k++;
    for (let i = 0; i < avg.length; i++) avg[i] += (trainer.m[i]! - avg[i]!) / k;
  }
  return { m: avg, distance: relativeDistance(avg, closedFormMatrix(lambda, N)) };
}

export interface TheoryUnit {
  id: string;
  label: string;
  N: number;
  kappa: number;
}

export function theoryUnits(scale: Scale): TheoryUnit[] {
  return THEORY_GRID.N.flatMap((N) =>
    THEORY_GRID.kappa.map((kappa) => {
      const content = { figure: 'theory', params: THEORY_PARAMS, N, kappa, n: THEORY_GRID.n, tasks: THEORY_TASKS[scale], steps: THEORY_STEPS[scale], batch: TRAIN_BATCH, lr: LR_FACTOR, average: 'second half', seed: SEED };
      return { id: hash64(stableJson(content)), label: `theory N=${N} κ=${kappa}`, N, kappa };
    }),
  );
}

/** The rows of one (N, κ): every n, closed form, trained layer and bound. */
export function theoryRows(u: TheoryUnit, scale: Scale): Omit<StoredRow, 'unit' | 'scale'>[] {
  const params = { ...THEORY_PARAMS, kappa: u.kappa };
  const lambda = covarianceSpectrum(params.d, params.kappa);
  const { m, distance } = trainedMatrix(lambda, u.N, THEORY_STEPS[scale]);
  const rows: Omit<StoredRow, 'unit' | 'scale'>[] = [];
  for (const n of THEORY_GRID.n) {
    const common = { params, supportLength: n, trainLength: u.N, tasks: THEORY_TASKS[scale], seed: SEED };
    const closed = simulateGap(common);
    const trained = simulateGap({ ...common, matrix: m });
    const bound = regretBound(params, n, u.N);
    const terms = boundTerms(lambda, n, u.N);
    const point = { n, N: u.N, kappa: u.kappa };
    const base = { experiment: 'theory', env: 'linear-mdp', point, tasks: THEORY_TASKS[scale], meanOracleReturn: closed.optimalReturn, taskGaps: [] as number[] };
    const row = (policy: string, r: { mean: number; low: number; high: number }, extra: Record<string, number>): Omit<StoredRow, 'unit' | 'scale'> => ({
      ...base, policy, gap: r.mean, ciLow: r.low, ciHigh: r.high, meanReturn: closed.optimalReturn - r.mean, extra,
    });
    rows.push(row('lsa-closed-form', closed.regret, { belowBound: closed.regret.mean <= bound ? 1 : 0, upperBelowBound: closed.regret.high <= bound ? 1 : 0, relativeGap: closed.gap.mean }));
    rows.push(row('lsa-trained', trained.regret, { belowBound: trained.regret.mean <= bound ? 1 : 0, distance, steps: THEORY_STEPS[scale], relativeGap: trained.gap.mean }));
    rows.push(row('bound', { mean: bound, low: bound, high: bound }, { estimation: terms.estimation, bias: terms.bias, scale: terms.scale }));
  }
  return rows;
}
