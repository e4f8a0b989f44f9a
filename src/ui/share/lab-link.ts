/**
 * The lab's link: which slices of the store go into a shared link, and how each is checked when
 * one is opened. Every field is checked with the settings schema (persist/settings-recovery.ts)
 * that a saved state goes through, and where the lab knows more, with the same parser the forms
 * use: parameter drafts with the task spec, the sweep with the experiment spec, so a bad value
 * is named with its allowed range exactly as the form would name it.
 *
 * Parameters (defaults are left out):
 * - `tab`
 * - `env`, `<env>.<param>` (each parameter as typed, per environment), `seed`
 * - `policy`, `episodeIndex`, `trueModel`: the episode controls; where an episode is shown,
 *   those it was run with
 * - `task`: the task shown, `form` when it is the one the form describes (the usual case), else
 *   its spec as JSON; `step`: the step shown, present when an episode is. Neither the task nor
 *   the episode is in the link, only what makes them: opening it samples and runs them again
 *   (the same seed gives the same task and the same episode on every machine).
 * - `sweep.<key>`: each top-level field of the sweep form's experiment spec (policies, values,
 *   test tasks, episodes, seed, model, training…)
 * - `modelChoice`, `iclChoice`, `tryPrompt`, `tryTokens`: the Model tab's choices. Not the hub
 *   address (it is about the sender's network), not runs or trained models (they stay in the
 *   browser that made them; export them to share them).
 *
 * - `train.<field>`, `compare.<field>`, `theory.<field>`: the Train tab's choices (not its job:
 *   that stays in the browser that ran it); the Compare tab's policies, episode, step and type
 *   size; the Theory tab's sliders.
 *
 * Another panel adds its fields with `labLink.register(fieldsSlice(...))` in a module the app
 * imports, under parameter names no other slice owns (the registry refuses a clash).
 */
import type { z } from 'zod';
import { SpecError } from '../../core/spec/fields.ts';
import { theorySettingsSchema } from '../../core/theory/explorer.ts';
import { compareSettingsSchema } from '../compare/compare-settings.ts';
import { trainSettingsSchema } from '../train/train-settings.ts';
import { parseTaskSpec } from '../../core/spec/task-spec.ts';
import { ENV_NAMES, type EnvName, type TaskSpec } from '../../core/types.ts';
import { BUILTIN_POLICIES } from '../../policies/registry.ts';
import type { EpisodeRequest } from '../../../workers/api.ts';
import { fieldsOf, validateDraft, type Drafts } from '../env/param-form.ts';
import { parseTokenCount } from '../model/try-state.ts';
import { settingSchema } from '../persist/settings-recovery.ts';
import { defaultSettings } from '../state/settings.ts';
import type { LabState, LinkRestore } from '../store.ts';
import { EXAMPLES } from '../sweep/examples.ts';
import { validateSweep } from '../sweep/validate.ts';
import { fieldsSlice, LinkRegistry, readParam, sameJson, textValue, valueText, type LinkSlice } from './link.ts';

/** Read-only here: a link is written and read against the schema's defaults. */
const DEFAULTS = defaultSettings();

/** The policies the episode stepper offers (its worker runs no language model). */
const STEPPER_POLICIES = BUILTIN_POLICIES.filter((f) => !f.languageModel).map((f) => f.name);

/** The spec the form describes, when it is valid. */
function formSpec(env: EnvName, drafts: Drafts, seed: string): TaskSpec | null {
  const v = validateDraft(env, drafts[env], seed);
  return v.resolved ? v.spec : null;
}

/** What the episode panel shows: from the store, or from a link still being computed again. */
function shownOf(s: LabState): LinkRestore | null {
  if (s.linkRestore) return s.linkRestore;
  if (!s.task) return null;
  const e = s.episode;
  // A drawn model is drawn again the same way; a fixed one is the model the episode ran with
  // (which reproduces it even when the select changed since).
  const run: EpisodeRequest | null = e ? { spec: e.spec, policy: e.policy, episode: e.episode, ...(s.trueModel === 'drawn' ? {} : { model: e.model }) } : null;
  return { task: s.task.spec, run, step: s.step };
}

const episodeSlice: LinkSlice<LabState> = {
  name: 'episode',
  keys: ['env', 'seed', 'policy', 'episodeIndex', 'trueModel', 'task', 'step'],
  prefixes: ENV_NAMES.map((e) => `${e}.`),

  write(s) {
    const d = DEFAULTS;
    const out: [string, string][] = [];
    if (s.env !== d.env) out.push(['env', s.env]);
    for (const env of ENV_NAMES) {
      for (const [k, v] of Object.entries(s.drafts[env] ?? {})) if (v !== d.drafts[env][k]) out.push([`${env}.${k}`, v]);
    }
    if (s.seed !== d.seed) out.push(['seed', s.seed]);
    const shown = shownOf(s);
    const run = shown?.run;
    const policy = run ? run.policy : s.policy;
    const index = run ? run.episode : s.episodeIndex;
    const model = run ? (run.model ?? 'drawn') : s.trueModel;
    if (policy !== d.policy) out.push(['policy', policy]);
    if (index !== d.episodeIndex) out.push(['episodeIndex', String(index)]);
    if (model !== d.trueModel) out.push(['trueModel', valueText(model)]);
    if (shown) {
      out.push(['task', sameJson(shown.task, formSpec(s.env, s.drafts, s.seed)) ? 'form' : JSON.stringify(shown.task)]);
      if (run) out.push(['step', String(shown.step)]);
    }
    return out;
  },

  read(params, s) {
    const d = DEFAULTS;
    const problems: string[] = [];
    const env = (readParam(params, 'env', settingSchema('env'), problems) as EnvName | undefined) ?? d.env;

    // Each environment's fields as typed, then checked by the task spec: a value it refuses goes
    // back to its default, named with the message the form would show beside it.
    const drafts: Drafts = structuredClone(d.drafts);
    const given = new Set<string>();
    for (const [key, raw] of params) {
      const dot = key.indexOf('.');
      if (dot < 0) continue;
      const e = key.slice(0, dot) as EnvName;
      const field = key.slice(dot + 1);
      if (!fieldsOf(e).includes(field)) problems.push(`${key}: ${e} has no parameter “${field}”; its parameters are ${fieldsOf(e).join(', ')}`);
      else {
        drafts[e][field] = raw;
        given.add(key);
      }
    }
    for (const e of ENV_NAMES) {
      for (let round = 0; round <= fieldsOf(e).length; round++) {
        const { errors } = validateDraft(e, drafts[e], '0');
        const bad = Object.keys(errors).filter((f) => given.has(`${e}.${f}`));
        if (bad.length === 0) break;
        for (const f of bad) {
          problems.push(...errors[f]!.map((m) => `${e}.${m.replace(/^params\./, '')}`));
          drafts[e][f] = d.drafts[e][f]!;
          given.delete(`${e}.${f}`);
        }
      }
    }

    let seed = params.get('seed') ?? d.seed;
    const seedErrors = validateDraft(env, drafts[env], seed).errors.seed;
    if (seedErrors) {
      problems.push(...seedErrors);
      seed = d.seed;
    }

    let policy = params.get('policy') ?? d.policy;
    if (!STEPPER_POLICIES.includes(policy)) {
      problems.push(`policy: must be one of ${STEPPER_POLICIES.join(', ')}, got ${JSON.stringify(policy)}`);
      policy = d.policy;
    }
    const episodeIndex = (readParam(params, 'episodeIndex', settingSchema('episodeIndex'), problems) as number | undefined) ?? d.episodeIndex;
    const trueModel = (readParam(params, 'trueModel', settingSchema('trueModel'), problems) as 'drawn' | number | undefined) ?? d.trueModel;
    const form = formSpec(env, drafts, seed);

    let task: TaskSpec | null = null;
    const taskText = params.get('task');
    if (taskText === 'form') {
      if (form) task = form;
      else problems.push('task: the link shows the task its form describes, but the form has errors (named above); no task is shown');
    } else if (taskText !== undefined) {
      const given = textValue(taskText);
      try {
        parseTaskSpec(given);
        task = given as TaskSpec;
      } catch (e) {
        if (!(e instanceof SpecError)) throw e;
        problems.push(...e.problems.map((p) => `task.${p}`));
      }
    }
    const step = readParam(params, 'step', settingSchema('step'), problems) as number | undefined;
    if (step !== undefined && !task) problems.push('step: there is no task to show it on; ignored');
    const run: EpisodeRequest | null = task && step !== undefined ? { spec: task, policy, episode: episodeIndex, ...(trueModel === 'drawn' ? {} : { model: trueModel }) } : null;

    const patch: Partial<LabState> = { env, drafts, seed, policy, episodeIndex, trueModel, lastValid: form, taskError: null, episodeError: null };
    if (!task) return { patch: { ...patch, task: null, episode: null, step: 0, linkRestore: null }, problems };
    // What this browser shows already (its own link opened again) is kept, not computed again.
    const keepTask = s.task !== null && sameJson(s.task.spec, task);
    const e = s.episode;
    const keepEpisode = keepTask && run !== null && e !== null && sameJson(e.spec, task) && e.policy === run.policy && e.episode === run.episode && (run.model === undefined ? s.trueModel === 'drawn' : e.model === run.model);
    if (keepEpisode && step !== undefined && step < e.steps.length) return { patch: { ...patch, task: s.task, episode: e, step, linkRestore: null }, problems };
    return { patch: { ...patch, task: keepTask ? s.task : null, episode: null, step: 0, linkRestore: { task, run, step: step ?? 0 } }, problems };
  },
};

const SWEEP = 'sweep.';

const sweepSlice: LinkSlice<LabState> = {
  name: 'sweep',
  keys: [],
  prefixes: [SWEEP],
  write: (s) => (s.sweepSpec === null ? [] : Object.entries(s.sweepSpec).flatMap(([k, v]): [string, string][] => (v === undefined ? [] : [[`${SWEEP}${k}`, valueText(v)]]))),
  read(params) {
    if (params.size === 0) return { patch: { sweepSpec: null }, problems: [] };
    let spec: Record<string, unknown> = {};
    for (const [key, text] of params) spec[key.slice(SWEEP.length)] = textValue(text);
    // A field the experiment spec refuses goes (a required one back to the first example's);
    // the parser is asked again, since a field can hide another's problem. Problems no single
    // field causes stay for the form to show.
    const base = EXAMPLES[0]!.spec;
    const problems: string[] = [];
    const dropped = new Set<string>();
    for (let round = 0; round <= Object.keys(spec).length; round++) {
      const fixable = validateSweep(spec).filter((p) => {
        const k = p.split(/[.:]/)[0]!;
        return k in spec && !dropped.has(k);
      });
      if (fixable.length === 0) break;
      for (const p of fixable) {
        const k = p.split(/[.:]/)[0]!;
        problems.push(`${SWEEP}${p}`);
        dropped.add(k);
        spec = k === 'name' || k === 'env' ? { ...spec, [k]: base[k] } : Object.fromEntries(Object.entries(spec).filter(([x]) => x !== k));
      }
    }
    return { patch: { sweepSpec: spec }, problems };
  },
};

export const labLink = new LinkRegistry<LabState>();
labLink.register(fieldsSlice<LabState>('tab', { tab: { schema: settingSchema('tab') } }));
labLink.register(episodeSlice);
labLink.register(sweepSlice);
labLink.register(
  fieldsSlice<LabState>('model', {
    modelChoice: { schema: settingSchema('modelChoice') },
    iclChoice: { schema: settingSchema('iclChoice') },
    tryPrompt: { schema: settingSchema('tryPrompt'), codec: 'text' },
    tryTokens: {
      schema: settingSchema('tryTokens'),
      codec: 'text',
      check: (v) => {
        const r = parseTokenCount(String(v));
        return r.ok ? null : r.message.replace(/^Tokens to generate: /, '');
      },
    },
  }),
);

/** Slices whose setting is one object: each field is its own parameter, `<key>.<field>`, checked by the field's schema. */
function objectFieldsSlice(key: 'theory' | 'compare' | 'train', shape: Record<string, z.ZodType>, fields: readonly string[]): LinkSlice<LabState> {
  const prefix = `${key}.`;
  return fieldsSlice<LabState>(key, Object.fromEntries(fields.map((f) => [prefix + f, { schema: shape[f]! }])), {
    pick: (s) => Object.fromEntries(fields.map((f) => [prefix + f, (s[key] as Record<string, unknown>)[f]])),
    apply: (values, s) => ({ [key]: { ...s[key], ...Object.fromEntries(fields.map((f) => [f, values[prefix + f]])) } }),
  });
}
// The trained artifacts a comparison used are ids in the sender's browser: not in the link.
labLink.register(objectFieldsSlice('compare', compareSettingsSchema.shape, ['policies', 'episode', 'step', 'large']));
labLink.register(objectFieldsSlice('theory', theorySettingsSchema.shape, Object.keys(theorySettingsSchema.shape)));
labLink.register(objectFieldsSlice('train', trainSettingsSchema.shape, Object.keys(trainSettingsSchema.shape)));
