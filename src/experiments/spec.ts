/**
 * Experiment specs: a validated description of one sweep (DESIGN §6: spec → rows).
 *
 * `params` are the base task params of the env (validated by the task spec; the hidden task
 * parameter — energy `p`, darkroom `goal` — is refused there because the `distribution` draws it),
 * `sweep` varies one param over values validated against that param's own range (the x axis);
 * `series`, optional, varies a second one (one line per value, e.g. K × α for the APOMDP), and
 * the sweep points are then every combination, sweep value by sweep value. Every error
 * names the field and the allowed range, e.g. `testTasks: must be an integer in [1, 1000], got 0`.
 */
import { shown } from '../core/spec/fields.ts';
import { z } from 'zod';
import { ENV_NAMES, type EnvName } from '../core/types.ts';
import { SpecError, enumError, formatIssues, intIn, parseOrThrow, realIn } from '../core/spec/fields.ts';
import { darkroomParamsSchema, energyApomdpParams, parseTaskSpec, resolveDarkroomParams, resolveEnergyParams } from '../core/spec/task-spec.ts';
import { darkroomGoalSplit } from '../core/envs/darkroom.ts';
import { getPolicy, hasPolicy, policyNames } from '../policies/registry.ts';
import { MAX_TRAIN_TASKS, TRAINING_DEFAULTS, type TrainingInput, trainingSchema, type TrainingSettings } from '../training/settings.ts';

/** Task params, and `trainTasks`: the number of training tasks (DESIGN §7), which changes only the training set. */
export const SWEEP_PARAMS = ['horizon', 'q', 'K', 'alpha', 'rho', 'kappa', 'levels', 'cost', 'gamma', 'trainTasks'] as const;
export type SweepParam = (typeof SWEEP_PARAMS)[number];

/** Which sweep params each env has. */
export const SWEEPABLE: Record<EnvName, readonly SweepParam[]> = {
  'energy-mdp': ['horizon', 'levels', 'cost', 'gamma', 'trainTasks'],
  'energy-pomdp': ['horizon', 'levels', 'cost', 'gamma', 'q', 'trainTasks'],
  'energy-apomdp': ['horizon', 'levels', 'cost', 'gamma', 'q', 'K', 'alpha', 'rho', 'kappa', 'trainTasks'],
  darkroom: ['horizon', 'trainTasks'],
};

/** The most training tasks of an env at these params: darkroom has its fixed train split. */
export function trainTaskLimit(env: EnvName, params: Record<string, unknown>): number {
  return env === 'darkroom' ? darkroomGoalSplit(resolveDarkroomParams(params).size, DARKROOM_SPLIT_SEED).train.length : MAX_TRAIN_TASKS;
}

/** The seed of the darkroom's fixed train/test goal split (DESIGN §2.4); training data must use the same. */
export const DARKROOM_SPLIT_SEED = 0;

export interface EnergyDistribution {
  pMin: number;
  pMax: number;
}
export interface DarkroomDistribution {
  goals: 'test' | 'train';
}

export interface SweepAxis {
  param: SweepParam;
  values: number[];
}

export interface ExperimentSpec {
  name: string;
  env: EnvName;
  /** base task params as given (validated); defaults are filled in per task by the task spec. */
  params: Record<string, unknown>;
  distribution: EnergyDistribution | DarkroomDistribution;
  sweep?: SweepAxis;
  /** a second swept param: one line per value on the sweep's chart; needs `sweep`. */
  series?: SweepAxis;
  policies: string[];
  testTasks: number;
  /** evaluation episodes per task (APOMDP: per ambiguity model). */
  episodes: number;
  /** k support trajectories per task. */
  support: number;
  supportPolicy: 'oracle' | 'random';
  seed: number;
  /**
   * The language model of `icl` (DESIGN §7): a model folder (a path in Node, a served folder or
   * a name under models/ in the app); absent = the shipped model.
   */
  model?: string;
  /** How sft and dpt train (DESIGN §7; defaults in training/settings.ts). */
  training: TrainingSettings;
  /**
   * Artifacts trained before (`train --out`), one folder per sweep point: evaluated as they are
   * instead of training sft's adapter or the dpt again.
   */
  trained?: { sft?: string[]; dpt?: string[] };
  /** Run even above EXPERIMENT_BUDGET (the user asked for it explicitly). */
  allowLarge?: boolean;
}

/** What a user may write: everything with a default may be left out. */
export type ExperimentSpecInput = Partial<Omit<ExperimentSpec, 'name' | 'env' | 'distribution' | 'training' | 'trained'>> & {
  training?: TrainingInput;
  trained?: { sft?: string | string[]; dpt?: string | string[] };
  name: string;
  env: EnvName;
  distribution?: Partial<EnergyDistribution> | Partial<DarkroomDistribution>;
};

export const EXPERIMENT_LIMITS = {
  testTasks: [1, 1000],
  episodes: [1, 1000],
  support: [0, 20],
  sweepValues: 20,
  policies: 16,
} as const;

const folderName = z.string({ error: 'must be a folder path' }).min(1, { error: 'must be a non-empty folder path' }).max(1000, { error: 'must be at most 1000 characters' });
/** A folder, or one per sweep point. */
const trainedFolders = z.union([folderName, z.array(folderName).min(1).max(EXPERIMENT_LIMITS.sweepValues)], { error: 'must be a folder path or an array of them, one per sweep point' });

const axisSchema = z
  .strictObject({
    param: z.enum(SWEEP_PARAMS, { error: enumError(SWEEP_PARAMS) }),
    values: z
      .array(z.unknown(), { error: 'must be an array of values' })
      .min(1, { error: 'must list at least one value' })
      .max(EXPERIMENT_LIMITS.sweepValues, { error: `must list at most ${EXPERIMENT_LIMITS.sweepValues} values` }),
  })
  .optional();

const topSchema = z.strictObject({
  name: z.string({ error: 'must be a non-empty string' }).min(1, { error: 'must be a non-empty string' }).max(200, { error: 'must be at most 200 characters' }),
  env: z.enum(ENV_NAMES, { error: enumError(ENV_NAMES) }),
  params: z.record(z.string(), z.unknown(), { error: 'must be an object of task params' }).default({}),
  distribution: z.record(z.string(), z.unknown(), { error: 'must be an object' }).default({}),
  sweep: axisSchema,
  series: axisSchema,
  policies: z
    .array(z.string({ error: 'must be a policy name' }), { error: 'must be an array of policy names' })
    .min(1, { error: 'must list at least one policy' })
    .max(EXPERIMENT_LIMITS.policies, { error: `must list at most ${EXPERIMENT_LIMITS.policies} policies` })
    .default(['random', 'oracle']),
  testTasks: intIn(...EXPERIMENT_LIMITS.testTasks).default(20),
  episodes: intIn(...EXPERIMENT_LIMITS.episodes).default(30),
  support: intIn(...EXPERIMENT_LIMITS.support).default(2),
  supportPolicy: z.enum(['oracle', 'random'], { error: enumError(['oracle', 'random']) }).default('oracle'),
  seed: intIn(0, 2 ** 32 - 1).default(0),
  training: trainingSchema.default(TRAINING_DEFAULTS),
  trained: z.strictObject({ sft: trainedFolders.optional(), dpt: trainedFolders.optional() }).optional(),
  allowLarge: z.boolean({ error: 'must be true or false' }).optional(),
  model: z.string({ error: 'must be a model folder (a path or a name)' }).min(1, { error: 'must be a non-empty model folder' }).max(1000, { error: 'must be at most 1000 characters' }).optional(),
});

const energyDistribution = z.strictObject({ pMin: realIn(0, 1).default(0.3), pMax: realIn(0, 1).default(0.9) });
const darkroomDistribution = z.strictObject({
  goals: z.enum(['test', 'train'], { error: enumError(['test', 'train']) }).default('test'),
});

/**
 * The values the parser fills in for fields a spec leaves out, read from the schema (a form
 * shows them as placeholders and starts a new distribution from them; no copy to drift).
 */
export const EXPERIMENT_DEFAULTS = {
  testTasks: topSchema.shape.testTasks.parse(undefined),
  episodes: topSchema.shape.episodes.parse(undefined),
  support: topSchema.shape.support.parse(undefined),
  seed: topSchema.shape.seed.parse(undefined),
} as const;

/** The task distribution an env's spec gets when it gives none. */
export function defaultDistribution(env: EnvName): EnergyDistribution | DarkroomDistribution {
  return env === 'darkroom' ? darkroomDistribution.parse({}) : energyDistribution.parse({});
}

/** The schema of one sweepable param's values (the task spec's own field, so ranges agree). */
function fieldSchema(env: EnvName, param: SweepParam): z.ZodType {
  if (param === 'trainTasks') return intIn(1, MAX_TRAIN_TASKS);
  const shape: Record<string, z.ZodType> = env === 'darkroom' ? darkroomParamsSchema.shape : energyApomdpParams.shape;
  const field = shape[param];
  if (!field) throw new Error(`no schema for ${param}`);
  return field;
}

/** The raw task params at one sweep point (hidden params still to be drawn); trainTasks changes only the training set. */
export function pointParams(spec: ExperimentSpec, point: Record<string, number>): Record<string, unknown> {
  const taskParams = Object.entries(point).filter(([k]) => k !== 'trainTasks');
  return { ...spec.params, ...Object.fromEntries(taskParams) };
}

/** The sweep points: `[{}]` without a sweep; with a series, every (sweep value, series value) pair, sweep value by sweep value. */
export function sweepPoints(spec: ExperimentSpec): { point: Record<string, number>; params: Record<string, unknown> }[] {
  const axes = [spec.sweep, spec.series].filter((a): a is SweepAxis => a !== undefined);
  let points: Record<string, number>[] = [{}];
  for (const { param, values } of axes) points = points.flatMap((p) => values.map((v) => ({ ...p, [param]: v })));
  return points.map((point) => ({ point, params: pointParams(spec, point) }));
}

function taskSpecProblems(env: EnvName, params: Record<string, unknown>): string[] {
  const hidden = env === 'darkroom' ? { goal: [0, 0] } : { p: 0.5 };
  try {
    parseTaskSpec({ env, params: { ...params, ...hidden }, seed: 0 });
    return [];
  } catch (e) {
    if (e instanceof SpecError) return e.problems;
    throw e;
  }
}

/** Checks the base params once (the swept ones aside), then the combination at every sweep point. */
function checkPoints(spec: ExperimentSpec, problems: string[]): void {
  const swept = new Set([spec.sweep?.param, spec.series?.param]);
  const base = Object.fromEntries(Object.entries(spec.params).filter(([k]) => !swept.has(k as SweepParam)));
  const baseProblems = taskSpecProblems(spec.env, base);
  if (baseProblems.length > 0) {
    problems.push(...baseProblems);
    return;
  }
  sweepPoints(spec).forEach(({ point, params }, i) => {
    const where = spec.sweep ? ` (at sweep point ${i + 1}: ${JSON.stringify(point)})` : '';
    problems.push(...taskSpecProblems(spec.env, params).map((p) => `${p}${where}`));
  });
}

/** One axis (`sweep` or `series`): a param this env sweeps, each value checked against that param's own range. */
function parseAxis(env: EnvName, field: 'sweep' | 'series', axis: { param: SweepParam; values: unknown[] }, problems: string[]): SweepAxis | undefined {
  const { param, values } = axis;
  if (!SWEEPABLE[env].includes(param)) {
    problems.push(`${field}.param: must be one of ${SWEEPABLE[env].join(', ')} for ${env}, got ${shown(param)}`);
    return undefined;
  }
  const schema = fieldSchema(env, param);
  const parsed: number[] = [];
  values.forEach((v, i) => {
    const r = schema.safeParse(v);
    if (!r.success) problems.push(...formatIssues(r.error, `${field}.values.${i}`));
    else if (typeof r.data !== 'number' || v === undefined) problems.push(`${field}.values.${i}: must be a number, got ${shown(v)}`);
    else parsed.push(r.data);
  });
  return { param, values: parsed };
}

/** `trained.sft` / `trained.dpt` as one folder per sweep point, for policies the spec runs. */
function trainedPerPoint(given: { sft?: string | string[]; dpt?: string | string[] }, spec: ExperimentSpec, problems: string[]): ExperimentSpec['trained'] {
  const points = sweepPoints(spec).length;
  const out: NonNullable<ExperimentSpec['trained']> = {};
  for (const policy of ['sft', 'dpt'] as const) {
    const v = given[policy];
    if (v === undefined) continue;
    const list = typeof v === 'string' ? [v] : v;
    if (!spec.policies.includes(policy)) problems.push(`trained.${policy}: the spec's policies do not include ${policy}`);
    else if (list.length !== points) problems.push(`trained.${policy}: must give one folder per sweep point (${points}), got ${list.length}`);
    else out[policy] = list;
  }
  return out;
}

/** Validates an experiment spec and fills in defaults; throws a SpecError naming every bad field. */
export function parseExperimentSpec(input: unknown): ExperimentSpec {
  const top = parseOrThrow(topSchema, input);
  const problems: string[] = [];
  const env = top.env;

  top.policies.forEach((name, i) => {
    if (!hasPolicy(name)) problems.push(`policies.${i}: must be one of ${policyNames().join(', ')}, got ${shown(name)}`);
    else if (top.policies.indexOf(name) !== i) problems.push(`policies.${i}: ${JSON.stringify(name)} is listed twice`);
  });

  const hiddenParam = env === 'darkroom' ? 'goal' : 'p';
  if (hiddenParam in top.params) {
    const by = env === 'darkroom' ? 'distribution.goals' : 'distribution.pMin/pMax';
    problems.push(`params.${hiddenParam}: drawn per task from ${by}; leave it out of the experiment's params`);
  }

  let distribution: ExperimentSpec['distribution'];
  if (env === 'darkroom') {
    distribution = parseOrThrow(darkroomDistribution, top.distribution, 'distribution');
  } else {
    const d = parseOrThrow(energyDistribution, top.distribution, 'distribution');
    if (d.pMin > d.pMax) problems.push(`distribution.pMax: must be ≥ distribution.pMin (${d.pMin}), got ${d.pMax}`);
    distribution = d;
  }

  const sweep = top.sweep ? parseAxis(env, 'sweep', top.sweep, problems) : undefined;
  const series = top.series ? parseAxis(env, 'series', top.series, problems) : undefined;
  if (top.series && !top.sweep) problems.push('series: needs a sweep (the x axis) to draw one line per series value; add "sweep" or move the values there');
  if (sweep && series && sweep.param === series.param) problems.push(`series.param: must differ from sweep.param (${sweep.param})`);
  if (problems.length > 0) throw new SpecError(problems);

  const spec: ExperimentSpec = {
    name: top.name,
    env,
    params: top.params,
    distribution,
    ...(sweep ? { sweep } : {}),
    ...(series ? { series } : {}),
    policies: top.policies,
    testTasks: top.testTasks,
    episodes: top.episodes,
    support: top.support,
    supportPolicy: top.supportPolicy,
    seed: top.seed,
    ...(top.model !== undefined ? { model: top.model } : {}),
    training: top.training,
  };
  if (top.trained) spec.trained = trainedPerPoint(top.trained, spec, problems);
  if (top.allowLarge === true) spec.allowLarge = true;
  checkPoints(spec, problems);
  const limit = trainTaskLimit(env, spec.params);
  if (spec.training.tasks !== undefined && spec.training.tasks > limit) problems.push(`training.tasks: must be an integer in [1, ${limit}] for ${env}, got ${spec.training.tasks}`);
  for (const [field, axis] of [['sweep', spec.sweep], ['series', spec.series]] as const) {
    if (axis?.param !== 'trainTasks') continue;
    axis.values.forEach((v, i) => {
      if (v > limit) problems.push(`${field}.values.${i}: must be an integer in [1, ${limit}] for ${env} (trainTasks), got ${v}`);
    });
  }
  if (problems.length === 0 && !spec.allowLarge) problems.push(...budgetProblems(spec));
  if (problems.length > 0) throw new SpecError(problems);
  return spec;
}

/**
 * What an experiment may cost without `"allowLarge": true`: simulated steps (every policy and
 * the oracle, every episode, ambiguity model and period) and language-model decisions (icl,
 * sft: one forward pass each, about 10–30 ms on this project's 2-core machine, docs/benchmarks.md).
 * 10⁸ steps is minutes of the core's simulation; 2·10⁵ decisions is about an hour.
 */
export const EXPERIMENT_BUDGET = { steps: 1e8, lmDecisions: 2e5 } as const;

export function experimentCost(spec: ExperimentSpec): { steps: number; lmDecisions: number } {
  const lm = spec.policies.filter((p) => getPolicy(p).languageModel).length;
  let steps = 0;
  let lmDecisions = 0;
  for (const { params } of sweepPoints(spec)) {
    const { horizon, K } = spec.env === 'darkroom' ? { ...resolveDarkroomParams(params), K: 1 } : resolveEnergyParams(spec.env, { ...params, p: 0.5 });
    const models = spec.env === 'energy-apomdp' ? K : 1;
    const perPolicy = spec.testTasks * spec.episodes * models * horizon;
    steps += perPolicy * (spec.policies.length + 1);
    lmDecisions += perPolicy * lm;
  }
  return { steps, lmDecisions };
}

function budgetProblems(spec: ExperimentSpec): string[] {
  const c = experimentCost(spec);
  const out: string[] = [];
  const sci = (x: number): string => x.toExponential(1);
  if (c.steps > EXPERIMENT_BUDGET.steps) {
    out.push(`testTasks: this experiment simulates about ${sci(c.steps)} steps (sweep points × testTasks × (policies + oracle) × episodes × models × horizon), over the budget of ${sci(EXPERIMENT_BUDGET.steps)}; lower testTasks, episodes or the sweep, or set "allowLarge": true`);
  }
  if (c.lmDecisions > EXPERIMENT_BUDGET.lmDecisions) {
    out.push(`testTasks: the language-model policies would take about ${sci(c.lmDecisions)} decisions (about ${Math.round(c.lmDecisions * 0.02 / 3600)} h), over the budget of ${sci(EXPERIMENT_BUDGET.lmDecisions)}; lower testTasks, episodes or the sweep, or set "allowLarge": true`);
  }
  return out;
}
