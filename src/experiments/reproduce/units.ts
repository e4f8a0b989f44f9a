/**
 * A figure's plan → units, the reproduction's steps of work and of resumption: one per
 * (experiment, sweep point, policy group), each a complete experiment spec the pipeline runs
 * as it is (its sweep cut to that one point, its policies to that group), plus the transfer
 * specs evaluated with what it trained. A unit's id is a hash of exactly that content, so a
 * rerun recognises the units whose rows are stored and a changed spec is never mistaken for
 * a stored one.
 */
import { resolveDarkroomParams, resolveEnergyParams } from '../../core/spec/task-spec.ts';
import { DARKROOM_EPISODES, ENERGY_ORACLE_EPISODES } from '../dataset.ts';
import { parseExperimentSpec, sweepPoints, type ExperimentSpec, type ExperimentSpecInput } from '../spec.ts';
import { trainTasksAt } from '../../training/at-point.ts';
import { groupOf, POLICY_GROUPS, type FigurePlan, type PlannedExperiment, type PolicyGroup, type UnitWork } from './types.ts';

export interface UnitSpec {
  spec: ExperimentSpecInput;
  labels: Record<string, number | string>;
}

export interface Unit {
  id: string;
  figure: string;
  group: PolicyGroup;
  /** for progress lines: experiment name, point and group. */
  label: string;
  main: UnitSpec;
  /** evaluated with the main spec's trained sft adapter / DPT (for untrained groups simply run). */
  transfer: UnitSpec[];
  work: UnitWork;
  /** store rows without per-task gaps (the fit's hundreds of screening candidates: a smaller file). */
  compact?: boolean;
}

/** JSON with sorted keys: the same content always hashes the same. */
export function stableJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableJson).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o).filter((k) => o[k] !== undefined).sort().map((k) => `${JSON.stringify(k)}:${stableJson(o[k])}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

/** A 64-bit FNV-1a style hash as 16 hex digits: no node:crypto, so the module also runs in the browser. */
export function hash64(input: string | Uint8Array): string {
  let h1 = 0x811c9dc5;
  let h2 = 0xcbf29ce4;
  const n = input.length;
  for (let i = 0; i < n; i++) {
    const c = typeof input === 'string' ? input.charCodeAt(i) : input[i]!;
    h1 = Math.imul(h1 ^ c, 0x01000193) >>> 0;
    h2 = Math.imul(h2 ^ c ^ (h1 >>> 7), 0x01000193) >>> 0;
  }
  return `${h1.toString(16).padStart(8, '0')}${h2.toString(16).padStart(8, '0')}`;
}

export interface PlanOptions {
  /**
   * A fingerprint of the language model the `icl` and `sft` units use (the CLI hashes the shipped
   * model's weights and config): part of those units' ids, so replacing the model reruns them
   * instead of resuming from rows of the old one.
   */
  lmTag?: string;
}

function restrict(spec: ExperimentSpecInput, policies: string[], value?: number): ExperimentSpecInput {
  const out: ExperimentSpecInput = { ...spec, policies };
  if (spec.sweep && value !== undefined) out.sweep = { param: spec.sweep.param, values: [value] };
  return out;
}

/** Σ over points of testTasks · episodes · models · horizon (what evaluation costs), and the training work. */
export function specWork(spec: ExperimentSpec, group: PolicyGroup): { evalSteps: number; trainSteps: number } {
  let evalSteps = 0;
  let trainSteps = 0;
  sweepPoints(spec).forEach(({ params }, i) => {
    const { horizon, K } = spec.env === 'darkroom' ? { ...resolveDarkroomParams(params), K: 1 } : resolveEnergyParams(spec.env, { ...params, p: 0.5 });
    evalSteps += spec.testTasks * spec.episodes * (spec.env === 'energy-apomdp' ? K : 1) * horizon;
    if (group === 'sft' || group === 'dpt') {
      const episodes = spec.env === 'darkroom' ? DARKROOM_EPISODES.oracle + DARKROOM_EPISODES.random : ENERGY_ORACLE_EPISODES;
      const epochs = group === 'sft' ? spec.training.epochs : spec.training.dpt.epochs;
      // An example is (k + 1) trajectories of H steps; training reads each once per epoch.
      trainSteps += trainTasksAt(spec, i) * episodes * epochs * horizon * (spec.support + 1);
    }
  });
  return { evalSteps, trainSteps };
}

function unitsOf(figure: string, ex: PlannedExperiment, o: PlanOptions): Unit[] {
  const labels = ex.labels ?? {};
  const main = parseExperimentSpec(ex.spec);
  const values: (number | undefined)[] = ex.spec.sweep ? main.sweep!.values : [undefined];
  const out: Unit[] = [];
  for (const group of POLICY_GROUPS) {
    const policies = main.policies.filter((p) => groupOf(p) === group);
    if (policies.length === 0) continue;
    values.forEach((value) => {
      const mainSpec = restrict(ex.spec, policies, value);
      const transfer = (ex.transfer ?? []).map((t): UnitSpec => {
        // One training condition: the transfer runs every point; several: only the matching one.
        const same = values.length > 1 && t.spec.sweep?.param === ex.spec.sweep?.param;
        return { spec: restrict(t.spec, policies.filter((p) => t.spec.policies?.includes(p) ?? true), same ? value : undefined), labels: t.labels ?? {} };
      });
      const work: UnitWork = { env: main.env, group, evalSteps: 0, trainSteps: 0 };
      for (const s of [mainSpec, ...transfer.map((t) => t.spec)]) {
        const w = specWork(parseExperimentSpec(s), group);
        work.evalSteps += w.evalSteps;
        // Transfer specs reuse what the main spec trained.
        if (s === mainSpec) work.trainSteps += w.trainSteps;
      }
      const point = value === undefined ? '' : ` ${ex.spec.sweep!.param}=${value}`;
      const lm = (group === 'icl' || group === 'sft') && o.lmTag !== undefined ? { lm: o.lmTag } : {};
      const content = { figure, group, main: { spec: mainSpec, labels }, transfer, ...lm };
      out.push({ id: hash64(stableJson(content)), figure, group, label: `${ex.spec.name}${point} · ${group}`, main: { spec: mainSpec, labels }, transfer, work });
    });
  }
  return out;
}

/** The units of a figure's plan, in plan order (experiment, then group, then sweep point). */
export function planUnits(figure: string, plan: FigurePlan, o: PlanOptions = {}): Unit[] {
  return plan.experiments.flatMap((ex) => unitsOf(figure, ex, o));
}
