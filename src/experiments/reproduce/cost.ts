/**
 * What a set of units will cost, before running them (`--scale paper` prints it first).
 *
 * Rates come from measured units: every stored unit records its wall time and its work (steps
 * evaluated, training steps), so seconds per unit of work is known per (env, policy group) from
 * whatever scale ran before (the quick figures); the estimate is that rate times the planned
 * work. Where nothing was measured, a rate from docs/benchmarks.md stands in, and the estimate
 * says so. Work counts evaluation steps plus training steps (an example's k + 1 trajectories × H
 * per epoch), which treats both as equally costly per step within a group: a coarse model
 * (attention is quadratic in the prompt), good to a factor of a few.
 */
import type { PolicyGroup, UnitRecord, UnitWork } from './types.ts';

/**
 * Seconds per step of work when nothing was measured, from the runs in docs/results-notes.md on
 * this project's 2-core machine: icl 109 s for 7,000 decisions; SFT 76 / 300 / 820 s for 9,000 /
 * 18,000 / 36,000 training steps at H = 5 / 10 / 20 (one thread); the DPT 45 / 758 s for 90,000 /
 * 360,000 at H = 5 / 20; the MDP baselines about 0.4 s for 200,000 steps. POMDP and APOMDP
 * baselines pay their solvers (≈ 0.15 s and ≈ 0.05–0.4 s per task, docs/benchmarks.md).
 */
export const FALLBACK_RATES: Record<PolicyGroup | 'computed', number> = {
  baselines: 2e-6,
  icl: 0.015,
  sft: 0.02,
  dpt: 1e-3,
  // a theory unit (one (N, κ) configuration) is one step of work: seconds per configuration
  computed: 20,
};
const ENV_FACTOR: Record<string, number> = { 'energy-mdp': 1, 'energy-pomdp': 1000, 'energy-apomdp': 3000, darkroom: 1, 'linear-mdp': 1 };

/** Seconds every unit costs besides its work (parsing, loading a model, starting a thread), when not measured. */
export const UNIT_OVERHEAD = 0.5;

function key(w: Pick<UnitWork, 'env' | 'group'>): string {
  return `${w.env}|${w.group}`;
}

export interface CostEstimate {
  seconds: number;
  /** units whose rate was measured, and those that fell back to a documented rate. */
  measured: number;
  fallback: number;
}

export function measuredRates(records: readonly UnitRecord[]): Map<string, number> {
  const sums = new Map<string, { seconds: number; work: number }>();
  for (const r of records) {
    const work = r.work.evalSteps + r.work.trainSteps;
    if (work <= 0) continue;
    const s = sums.get(key(r.work)) ?? { seconds: 0, work: 0 };
    s.seconds += r.seconds;
    s.work += work;
    sums.set(key(r.work), s);
  }
  return new Map([...sums].map(([k, s]) => [k, s.seconds / s.work]));
}

export function estimateCost(work: readonly UnitWork[], records: readonly UnitRecord[]): CostEstimate {
  const rates = measuredRates(records);
  let seconds = 0;
  let measured = 0;
  let fallback = 0;
  for (const w of work) {
    const rate = rates.get(key(w));
    if (rate !== undefined) measured++;
    else fallback++;
    const r = rate ?? FALLBACK_RATES[w.group] * (w.group === 'baselines' ? (ENV_FACTOR[w.env] ?? 1) : 1);
    seconds += r * (w.evalSteps + w.trainSteps) + (rate === undefined ? UNIT_OVERHEAD : 0);
  }
  return { seconds, measured, fallback };
}
