/**
 * The sweep form edits a plain experiment-spec object; these helpers read and write its key
 * fields without the form needing to know every field of the spec.
 */
import { ENV_NAMES, type EnvName } from '../../core/types.ts';
import { defaultDistribution, SWEEPABLE } from '../../experiments/spec.ts';
import { fieldsOf } from '../env/param-form.ts';

export type SweepSpec = Record<string, unknown>;

export function envOf(spec: SweepSpec): EnvName {
  const env = spec.env;
  return typeof env === 'string' && (ENV_NAMES as readonly string[]).includes(env) ? (env as EnvName) : 'energy-mdp';
}

export function sweepOf(spec: SweepSpec): { param: string; values: (number | string)[] } {
  const s = (spec.sweep ?? {}) as { param?: unknown; values?: unknown };
  return {
    param: typeof s.param === 'string' ? s.param : 'horizon',
    values: Array.isArray(s.values) ? (s.values as (number | string)[]) : [],
  };
}

/** The second swept parameter (one line per value), when the spec has one. */
export function seriesOf(spec: SweepSpec): { param: string; values: (number | string)[] } | undefined {
  const s = spec.series as { param?: unknown; values?: unknown } | undefined;
  if (!s || typeof s.param !== 'string') return undefined;
  return { param: s.param, values: Array.isArray(s.values) ? (s.values as (number | string)[]) : [] };
}

export function policiesOf(spec: SweepSpec): string[] {
  return Array.isArray(spec.policies) ? spec.policies.map(String) : [];
}

/** Parameters the experiment spec lets this env sweep (trainTasks changes what sft and dpt train on). */
export function sweepableParams(env: EnvName): readonly string[] {
  return SWEEPABLE[env];
}

/** Switching env drops fixed params the new env does not have (they would be rejected as unknown). */
export function withEnv(spec: SweepSpec, env: EnvName): SweepSpec {
  const keep = new Set(fieldsOf(env));
  const params = Object.fromEntries(Object.entries((spec.params ?? {}) as Record<string, unknown>).filter(([k]) => keep.has(k)));
  const sweep = sweepOf(spec);
  const distribution = defaultDistribution(env);
  const familyChanged = (spec.env === 'darkroom') !== (env === 'darkroom');
  // The hidden parameter is drawn by the distribution, never fixed in params.
  delete params.p;
  delete params.goal;
  const series = seriesOf(spec);
  const next: SweepSpec = {
    ...spec,
    env,
    params,
    distribution: familyChanged ? distribution : spec.distribution,
    sweep: SWEEPABLE[env].includes(sweep.param as never) ? spec.sweep : { param: 'horizon', values: familyChanged ? [] : sweep.values },
  };
  // A series the new env cannot sweep (K, alpha outside the APOMDP) goes.
  if (series && !SWEEPABLE[env].includes(series.param as never)) delete next.series;
  return next;
}

/** "5, 10, 20" → [5, 10, 20]; non-numbers are kept as text so the spec error can name them. */
export function parseValues(text: string): (number | string)[] {
  return text
    .split(/[\s,;]+/)
    .filter((s) => s !== '')
    .map((s) => (Number.isFinite(Number(s)) ? Number(s) : s));
}
