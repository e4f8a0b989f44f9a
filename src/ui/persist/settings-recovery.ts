/**
 * Reading the saved settings back, one panel at a time. A saved state can be from an older
 * version of the app, cut short by a full disk, or edited by hand; a bad value in one panel's
 * settings must not take the other panels down with it. Each panel's slice is checked against a
 * schema; a slice that fails goes back to its defaults and is named in `reset`, the rest is kept.
 * A key an older version did not save takes its default without counting as a reset.
 */
import { z } from 'zod';
import { ENV_NAMES } from '../../core/types.ts';

export const TAB_IDS = ['episode', 'sweep', 'model', 'bench'] as const;

const looseRecord = z.record(z.string(), z.unknown());
const taskSpec = z.looseObject({ env: z.enum(ENV_NAMES), params: looseRecord, seed: z.number() });
const count = z.number().int().nonnegative();

/** What the panels read when they render; deeper contents (solved tables, beliefs) are trusted once these hold. */
const SLICES = {
  tab: { label: 'the selected tab', schema: z.object({ tab: z.enum(TAB_IDS) }) },
  episode: {
    label: 'the task and episode panels',
    schema: z.object({
      env: z.enum(ENV_NAMES),
      drafts: z.record(z.enum(ENV_NAMES), z.record(z.string(), z.string())),
      seed: z.string(),
      lastValid: taskSpec.nullable(),
      task: z.looseObject({ spec: taskSpec, env: z.enum(ENV_NAMES), params: looseRecord, nStates: count, nModels: count, oracle: looseRecord }).nullable(),
      policy: z.string(),
      episodeIndex: count,
      trueModel: z.union([z.literal('drawn'), count]),
      episode: z
        .looseObject({ spec: taskSpec, env: z.enum(ENV_NAMES), steps: z.array(looseRecord).min(1), cumulative: z.array(z.number()), oracle: looseRecord, return: z.number() })
        .nullable(),
      step: count,
    }),
  },
  sweep: { label: 'the sweep form', schema: z.object({ sweepSpec: looseRecord.nullable(), activeRunId: z.string().nullable() }) },
  model: {
    label: 'the model panel',
    schema: z.object({
      modelChoice: z.object({ kind: z.enum(['shipped', 'hub']), shipped: z.string().nullable(), hubId: z.string() }),
      hubHost: z.string(),
      lastModel: z.looseObject({ label: z.string(), parameters: z.number(), backend: z.string() }).nullable(),
      iclChoice: z.object({ hubId: z.string(), dtype: z.string(), device: z.enum(['auto', 'webgpu', 'wasm']), episodes: z.number().int().positive() }),
      tryPrompt: z.string(),
      tryTokens: z.string(),
    }),
  },
} as const;

export type SliceName = keyof typeof SLICES;
export const SLICE_NAMES = Object.keys(SLICES) as SliceName[];

/** The keys each panel's slice holds, in the store's names. */
export function sliceKeys(name: SliceName): string[] {
  return Object.keys(SLICES[name].schema.shape);
}

export function sliceLabel(name: SliceName): string {
  return SLICES[name].label;
}

/** Every persisted settings key. */
export const SETTINGS_KEYS: readonly string[] = SLICE_NAMES.flatMap(sliceKeys);

export interface RecoveredSettings<T> {
  state: T;
  /** the labels of the slices that were unreadable and went back to their defaults. */
  reset: string[];
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/**
 * `defaults` holds every settings key (the store's initial values); `persisted` is whatever was
 * read back. Returns the defaults overlaid with every slice that validates.
 */
export function recoverSettings<T extends object>(persisted: unknown, initial: T): RecoveredSettings<T> {
  const saved = isRecord(persisted) ? persisted : {};
  const defaults = Object.fromEntries(Object.entries(initial) as [string, unknown][]);
  const state: Record<string, unknown> = { ...defaults };
  const reset: string[] = [];
  for (const name of SLICE_NAMES) {
    const keys = sliceKeys(name);
    if (!keys.some((k) => k in saved)) continue;
    const merged: Record<string, unknown> = {};
    for (const k of keys) merged[k] = saved[k] === undefined ? defaults[k] : saved[k];
    // Drafts: an environment or field added since the save gets its default beside the saved text.
    if (name === 'episode' && isRecord(merged.drafts) && isRecord(defaults.drafts)) {
      const savedDrafts = merged.drafts;
      merged.drafts = Object.fromEntries(
        Object.entries(defaults.drafts).map(([env, d]) => [env, { ...(isRecord(d) ? d : {}), ...(isRecord(savedDrafts[env]) ? savedDrafts[env] : {}) }]),
      );
    }
    if (SLICES[name].schema.safeParse(merged).success) Object.assign(state, merged);
    else reset.push(SLICES[name].label);
  }
  // Validated slice by slice above: the initial state with some values replaced by checked ones.
  return { state: { ...initial, ...state }, reset };
}
