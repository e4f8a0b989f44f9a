/**
 * Task specs (DESIGN §2, §7): `{"env", "params", "seed"}` → a validated, fully resolved task.
 * Parameter names are part of the contract; defaults are ours (DESIGN §1) and documented in
 * docs/environments.md.
 */
import { shown } from './fields.ts';
import { z } from 'zod';
import { ENV_NAMES, type DarkroomParams, type EnergyEnvName, type EnergyParams, type EnvName, type TaskSpec } from '../types.ts';
import { SpecError, intIn, parseOrThrow, realIn } from './fields.ts';

export const LIMITS = {
  levels: [2, 50],
  horizon: [1, 200],
  K: [1, 10],
  size: [2, 20],
} as const;

/** One-line explanations, shown beside the UI's controls and in CLI help. */
export const PARAM_HELP: Record<string, string> = {
  levels: 'Number of battery levels E+1; the state is the level 0..E.',
  p: 'Probability that charging raises (or working lowers) the level by one.',
  cost: 'Reward paid for charging (the reward is −cost).',
  horizon: 'Number of decisions in an episode.',
  gamma: 'Discount factor: reward at period t counts γ^t.',
  init: 'Initial level: "uniform" over all levels, or a fixed level.',
  q: 'Observation accuracy: the shown level is the true one with probability q.',
  K: 'Number of models in the ambiguity set (model 1 is the nominal POMDP).',
  alpha: 'Weight on the worst-case model: 1 = pessimistic (maxmin), 0 = optimistic (maxmax).',
  rho: 'Largest KL divergence of a perturbed row from the nominal row.',
  kappa: 'Dirichlet concentration of perturbations: larger = closer to nominal.',
  size: 'Side length of the square grid.',
  goal: 'Hidden goal cell [x, y]; reward 1 on every step that ends there.',
};

const gamma = realIn(0, 1, true);
const init = z.union([z.literal('uniform'), intIn(0, LIMITS.levels[1] - 1)], {
  error: (iss) => `must be "uniform" or an integer level, got ${shown(iss.input)}`,
});

const energyBase = {
  levels: intIn(...LIMITS.levels).default(10),
  p: realIn(0, 1).default(0.6),
  cost: realIn(0, 10).default(0.1),
  horizon: intIn(...LIMITS.horizon).default(10),
  gamma: gamma.default(1),
  init: init.default('uniform'),
};

export const energyMdpParams = z.strictObject(energyBase);
export const energyPomdpParams = z.strictObject({ ...energyBase, q: realIn(0, 1).default(0.9) });
export const energyApomdpParams = z.strictObject({
  ...energyBase,
  q: realIn(0, 1).default(0.9),
  K: intIn(...LIMITS.K).default(3),
  alpha: realIn(0, 1).default(0.5),
  rho: realIn(0, 5, true).default(0.1),
  kappa: realIn(0, 1e4, true).default(50),
});
export const darkroomParamsSchema = z.strictObject({
  size: intIn(...LIMITS.size).default(10),
  goal: z.tuple([intIn(0, LIMITS.size[1] - 1), intIn(0, LIMITS.size[1] - 1)]).optional(),
  horizon: intIn(...LIMITS.horizon).default(100),
});

const envSchema = z.enum(ENV_NAMES, { error: (iss) => `must be one of ${ENV_NAMES.join(', ')}, got ${shown(iss.input)}` });
const specSchema = z.strictObject({
  env: envSchema,
  params: z.record(z.string(), z.unknown()).default({}),
  seed: intIn(0, 2 ** 32 - 1).default(0),
});

export function resolveEnergyParams(env: EnergyEnvName, params: unknown, prefix = 'params'): EnergyParams {
  const schema = env === 'energy-mdp' ? energyMdpParams : env === 'energy-pomdp' ? energyPomdpParams : energyApomdpParams;
  const p = parseOrThrow(schema, params, prefix) as z.output<typeof energyApomdpParams>;
  if (typeof p.init === 'number' && p.init >= p.levels) {
    throw new SpecError([`${prefix}.init: must be "uniform" or an integer level in [0, ${p.levels - 1}], got ${p.init}`]);
  }
  return {
    levels: p.levels,
    p: p.p,
    cost: p.cost,
    horizon: p.horizon,
    gamma: p.gamma,
    init: p.init,
    q: env === 'energy-mdp' ? 1 : p.q,
    K: env === 'energy-apomdp' ? p.K : 1,
    alpha: env === 'energy-apomdp' ? p.alpha : 1,
    rho: env === 'energy-apomdp' ? p.rho : 0.1,
    kappa: env === 'energy-apomdp' ? p.kappa : 50,
  };
}

export function resolveDarkroomParams(params: unknown, prefix = 'params'): DarkroomParams {
  const p = parseOrThrow(darkroomParamsSchema, params, prefix);
  const goal = p.goal ?? [p.size - 1, p.size - 1];
  goal.forEach((g, i) => {
    if (g >= p.size) throw new SpecError([`${prefix}.goal.${i}: must be an integer in [0, ${p.size - 1}], got ${g}`]);
  });
  return { size: p.size, goal: [goal[0], goal[1]], horizon: p.horizon };
}

export type ResolvedTaskSpec =
  | { env: EnergyEnvName; params: EnergyParams; seed: number }
  | { env: 'darkroom'; params: DarkroomParams; seed: number };

/** Validates a task spec and fills in every default. */
export function parseTaskSpec(input: unknown): ResolvedTaskSpec {
  const spec = parseOrThrow(specSchema, input) as TaskSpec;
  const env: EnvName = spec.env;
  if (env === 'darkroom') return { env, params: resolveDarkroomParams(spec.params), seed: spec.seed };
  return { env, params: resolveEnergyParams(env, spec.params), seed: spec.seed };
}
