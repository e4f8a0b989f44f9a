/**
 * The environment form's logic, kept out of the components so it is testable: which fields an
 * environment has (taken from the task-spec schemas, so a new parameter shows up by itself),
 * their defaults, and the mapping from raw text to a spec and from SpecError messages back to
 * the field they name.
 */
import { ENV_NAMES, type EnvName, type TaskSpec } from '../../core/types.ts';
import { SpecError } from '../../core/spec/fields.ts';
import {
  darkroomParamsSchema,
  energyApomdpParams,
  energyMdpParams,
  energyPomdpParams,
  parseTaskSpec,
  type ResolvedTaskSpec,
} from '../../core/spec/task-spec.ts';

/** Raw text of every field, per environment (so switching environments keeps what was typed). */
export type Drafts = Record<EnvName, Record<string, string>>;

export const ENV_LABELS: Record<EnvName, string> = {
  'energy-mdp': 'Energy MDP — the battery level is visible',
  'energy-pomdp': 'Energy POMDP — the level is seen through noise',
  'energy-apomdp': 'Energy APOMDP — noisy, and the model itself is ambiguous',
  darkroom: 'Darkroom — find a hidden goal on a grid',
};

/** Plain-words names; the contract's parameter name is shown next to each in code style. */
export const PARAM_LABELS: Record<string, string> = {
  levels: 'Battery levels',
  p: 'Success probability',
  cost: 'Charging cost',
  horizon: 'Horizon',
  gamma: 'Discount',
  init: 'Initial level',
  q: 'Observation accuracy',
  K: 'Ambiguity set size',
  alpha: 'Ambiguity attitude',
  rho: 'KL radius',
  kappa: 'Concentration',
  size: 'Grid size',
  goal: 'Goal cell',
};

const SCHEMAS = {
  'energy-mdp': energyMdpParams,
  'energy-pomdp': energyPomdpParams,
  'energy-apomdp': energyApomdpParams,
  darkroom: darkroomParamsSchema,
} as const;

export function fieldsOf(env: EnvName): string[] {
  return Object.keys(SCHEMAS[env].shape);
}

function show(v: unknown): string {
  return Array.isArray(v) ? v.join(', ') : String(v);
}

export function defaultDraft(env: EnvName): Record<string, string> {
  const resolved = parseTaskSpec({ env, params: {}, seed: 0 }).params as unknown as Record<string, unknown>;
  return Object.fromEntries(fieldsOf(env).map((k) => [k, show(resolved[k])]));
}

export function defaultDrafts(): Drafts {
  return Object.fromEntries(ENV_NAMES.map((e) => [e, defaultDraft(e)])) as Drafts;
}

/** Numbers where the text is numeric; otherwise the text itself, so the spec error quotes what was typed. */
function toValue(raw: string): unknown {
  const t = raw.trim();
  return t !== '' && Number.isFinite(Number(t)) ? Number(t) : t;
}

function toParam(key: string, raw: string): unknown {
  if (key === 'goal') {
    const parts = raw.split(/[\s,]+/).filter((s) => s !== '');
    return parts.map(toValue);
  }
  return toValue(raw);
}

export interface Validation {
  spec: TaskSpec;
  resolved: ResolvedTaskSpec | null;
  /** field name (or 'seed', or '' for the whole spec) → messages naming that field. */
  errors: Record<string, string[]>;
}

/** Builds the spec from the raw text and validates it with the same parser the CLI uses. */
export function validateDraft(env: EnvName, draft: Record<string, string>, seed: string): Validation {
  const params: Record<string, unknown> = {};
  for (const key of fieldsOf(env)) {
    const raw = draft[key] ?? '';
    // An empty field means "use the default"; the schema fills it in.
    if (raw.trim() !== '') params[key] = toParam(key, raw);
  }
  const spec = { env, params, seed: toValue(seed) } as TaskSpec;
  try {
    return { spec, resolved: parseTaskSpec(spec), errors: {} };
  } catch (e) {
    if (!(e instanceof SpecError)) throw e;
    const errors: Record<string, string[]> = {};
    for (const problem of e.problems.flatMap((p) => p.split('; '))) {
      const path = problem.slice(0, problem.indexOf(':'));
      const parts = path.split('.');
      const field = parts[0] === 'params' ? (parts[1] ?? '') : parts[0] === 'seed' ? 'seed' : '';
      (errors[field] ??= []).push(problem);
    }
    return { spec, resolved: null, errors };
  }
}
