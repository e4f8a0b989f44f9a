/**
 * Reading the saved settings back, one panel at a time. A saved state can be from an older
 * version of the app, cut short by a full disk, or edited by hand; a bad value in one panel's
 * settings must not take the other panels down with it. Each panel's slice is checked against a
 * schema; a slice that fails goes back to its defaults and is named in `reset`, the rest is kept.
 * A key an older version did not save takes its default without counting as a reset.
 */
import { z } from 'zod';
import { ENV_NAMES } from '../../core/types.ts';
import { enumError, shown } from '../../core/spec/fields.ts';
import { defaultDrafts } from '../env/param-form.ts';
import { THEORY_DEFAULTS, theorySettingsSchema } from '../../core/theory/explorer.ts';
import { COMPARE_DEFAULTS, compareSettingsSchema } from '../compare/compare-settings.ts';
import { TRAIN_DEFAULTS, trainJobSchema, trainSettingsSchema } from '../train/train-settings.ts';

export const TAB_IDS = ['episode', 'sweep', 'train', 'compare', 'model', 'theory', 'bench'] as const;

/** The hub as transformers.js addresses it by default; a mirror can replace it. */
export const DEFAULT_HUB_HOST = 'https://huggingface.co/';

/**
 * The "Try the model" prefill: the in-context copying the shipped model is trained on (the
 * corpus's `copy:` … `again:` documents), so a good model visibly repeats the sequence.
 */
export const DEFAULT_TRY_PROMPT = 'copy: Kim 358 x36 Paul k21 fovi 7\nagain: ';

const looseRecord = z.record(z.string(), z.unknown());
const taskSpec = z.looseObject({ env: z.enum(ENV_NAMES), params: looseRecord, seed: z.number() });
const count = z.number().int().nonnegative();
/** A whole number from `min` up, whose message names the range (shown beside a bad field of a shared link). */
function wholeFrom(min: number) {
  const msg = (iss: { input?: unknown }) => `must be a whole number ≥ ${min}, got ${shown(iss.input)}`;
  return z.number({ error: msg }).int({ error: msg }).min(min, { error: msg });
}

/** The model the Model tab loads: a shipped folder (by manifest name) or a hub id; both fields are kept when switching. */
const modelChoice = z.object({ kind: z.enum(['shipped', 'hub'], { error: enumError(['shipped', 'hub']) }), shipped: z.string().nullable(), hubId: z.string() });
/** The ONNX model for in-context learning with transformers.js (Model tab), and how to run it; dtype is 'auto' or a transformers.js dtype. */
const iclChoice = z.object({
  hubId: z.string(),
  dtype: z.string(),
  device: z.enum(['auto', 'webgpu', 'wasm'], { error: enumError(['auto', 'webgpu', 'wasm']) }),
  episodes: wholeFrom(1),
});
export type ModelChoice = z.infer<typeof modelChoice>;
export type IclChoice = z.infer<typeof iclChoice>;

/**
 * What the panels read when they render; deeper contents (solved tables, beliefs) are trusted
 * once these hold. Each field's `.default` is the value the lab starts from: the store, a reset
 * and a shared link (which leaves default values out) all read it from here.
 */
const SLICES = {
  tab: { label: 'the selected tab', schema: z.object({ tab: z.enum(TAB_IDS, { error: enumError(TAB_IDS) }).default('episode') }) },
  episode: {
    label: 'the task and episode panels',
    schema: z.object({
      env: z.enum(ENV_NAMES, { error: enumError(ENV_NAMES) }).default('energy-mdp'),
      // From the task-spec schemas (param-form.ts), so a new parameter's default shows up by itself.
      drafts: z.record(z.enum(ENV_NAMES), z.record(z.string(), z.string())).default(defaultDrafts),
      seed: z.string().default('1'),
      lastValid: taskSpec.nullable().default(null),
      task: z.looseObject({ spec: taskSpec, env: z.enum(ENV_NAMES), params: looseRecord, nStates: count, nModels: count, oracle: looseRecord }).nullable().default(null),
      policy: z.string().min(1).default('oracle'),
      episodeIndex: wholeFrom(0).default(0),
      trueModel: z.union([z.literal('drawn'), wholeFrom(0)], { error: (iss) => `must be "drawn" or a whole number ≥ 0, got ${shown(iss.input)}` }).default('drawn'),
      episode: z
        .looseObject({ spec: taskSpec, env: z.enum(ENV_NAMES), steps: z.array(looseRecord).min(1), cumulative: z.array(z.number()), oracle: looseRecord, return: z.number() })
        .nullable()
        .default(null),
      step: wholeFrom(0).default(0),
    }),
  },
  sweep: { label: 'the sweep form', schema: z.object({ sweepSpec: looseRecord.nullable().default(null), activeRunId: z.string().nullable().default(null) }) },
  model: {
    label: 'the model panel',
    schema: z.object({
      modelChoice: modelChoice.default(() => ({ kind: 'shipped' as const, shipped: null, hubId: '' })),
      hubHost: z.string().default(DEFAULT_HUB_HOST),
      lastModel: z.looseObject({ label: z.string(), parameters: z.number(), backend: z.string() }).nullable().default(null),
      iclChoice: iclChoice.default(() => ({ hubId: '', dtype: 'auto', device: 'auto' as const, episodes: 1 })),
      tryPrompt: z.string().default(DEFAULT_TRY_PROMPT),
      tryTokens: z.string().default('16'),
    }),
  },
  train: {
    label: 'the train panel',
    schema: z.object({ train: trainSettingsSchema.default(() => ({ ...TRAIN_DEFAULTS })), trainJob: trainJobSchema.nullable().default(null) }),
  },
  compare: { label: 'the compare panel', schema: z.object({ compare: compareSettingsSchema.default(() => structuredClone(COMPARE_DEFAULTS)) }) },
  theory: { label: 'the theory explorer', schema: z.object({ theory: theorySettingsSchema.default(() => ({ ...THEORY_DEFAULTS })) }) },
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

/**
 * One schema per settings key (the same one a saved state and a shared link are checked
 * against), e.g. `settingSchema('step')`.
 */
export function settingSchema(key: string): z.ZodType {
  for (const name of SLICE_NAMES) {
    const shape: Record<string, z.ZodType> = SLICES[name].schema.shape;
    if (key in shape) return shape[key]!;
  }
  throw new Error(`no settings key ${key}`);
}

/** Every setting at its schema default: what the lab starts from. A fresh object each call (drafts, choices). */
export function settingsDefaults(): Record<string, unknown> {
  return Object.assign({}, ...SLICE_NAMES.map((name) => SLICES[name].schema.parse({})));
}

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
