/**
 * Shared links: state → link → state is the identity on everything a link holds; a link with a
 * bad field restores the rest and names that field and its range; garbage never throws and
 * gives the defaults; another panel can add its own fields.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { intIn } from '../../core/spec/fields.ts';
import type { TaskSpec } from '../../core/types.ts';
import { getPolicy } from '../../policies/registry.ts';
import type { EpisodeView, TaskInfo } from '../../../workers/api.ts';
import { runEpisodeWith, solved } from '../../../workers/episodes.ts';
import { SETTINGS_KEYS, TAB_IDS } from '../persist/settings-recovery.ts';
import { validateDraft } from '../env/param-form.ts';
import { defaultSettings } from '../state/settings.ts';
import type { LabState } from '../store.ts';
import { labLink } from './lab-link.ts';
import { fieldsSlice, LinkRegistry, textValue, valueText } from './link.ts';

/** The fields a link reads and writes: every setting but the browser's own (hub address, last model, active run, training job) and the computed task and episode. */
const LINKED = SETTINGS_KEYS.filter((k) => !['hubHost', 'lastModel', 'activeRunId', 'trainJob', 'lastValid', 'task', 'episode', 'step'].includes(k));

/** The store as it is before a link is applied: every setting at its default, nothing live. */
function fresh(patch: Partial<LabState> = {}): LabState {
  return { ...defaultSettings(), linkRestore: null, ...patch } as LabState;
}

/** What opening `link` over `state` leaves in the store. */
function open(link: string, state = fresh()): { state: LabState; problems: string[] } {
  const { patch, problems } = labLink.read(link, state);
  return { state: { ...state, ...patch }, problems };
}

/** Through a real address bar: what `location.hash` gives back after the link is pasted. */
function viaUrl(fragment: string): string {
  return new URL(`http://localhost:5173/#${fragment}`).hash;
}

function taskInfo(spec: TaskSpec): TaskInfo {
  // The fields the solver worker's sampleTask returns (workers/solver.worker.ts).
  const s = solved(spec);
  return {
    spec,
    env: s.task.env,
    params: s.task.params as unknown as Record<string, unknown>,
    nStates: s.task.kind === 'energy' ? s.task.nStates : s.task.params.size ** 2,
    nModels: s.task.kind === 'energy' ? s.task.models.length : 1,
    oracle: s.info,
  };
}

const SWEEP = {
  name: 'my sweep',
  env: 'energy-pomdp',
  params: { levels: 4 },
  sweep: { param: 'q', values: [0.6, 0.8, 1] },
  policies: ['random', 'support-copy', 'oracle'],
  testTasks: 7,
  episodes: 5,
  support: 3,
  seed: 42,
  training: { tasks: 4, epochs: 2 },
};

/** A person's setup that differs from the defaults everywhere a link reaches. */
function setup(): LabState {
  const d = defaultSettings();
  return fresh({
    tab: 'sweep',
    env: 'energy-pomdp',
    drafts: { ...d.drafts, 'energy-pomdp': { ...d.drafts['energy-pomdp'], q: '0.70', horizon: '12' }, darkroom: { ...d.drafts.darkroom, size: '5' } },
    seed: '3',
    policy: 'random',
    episodeIndex: 2,
    trueModel: 1,
    sweepSpec: structuredClone(SWEEP),
    modelChoice: { kind: 'hub', shipped: null, hubId: 'owner/model' },
    iclChoice: { hubId: 'a/b', dtype: 'q8', device: 'wasm', episodes: 3 },
    tryPrompt: 'copy: "a" & b = 1%\nagain: ',
    tryTokens: '32',
  });
}

const pick = (s: LabState) => Object.fromEntries(LINKED.map((k) => [k, s[k as keyof LabState]]));

describe('state → link → state', () => {
  it('is the identity on every linked setting, through a real URL', () => {
    const before = setup();
    const link = labLink.write(before);
    const { state, problems } = open(viaUrl(link));
    expect(problems).toEqual([]);
    expect(pick(state)).toEqual(pick(before));
    // and the link it gives is the same link
    expect(labLink.write(state)).toBe(link);
  });

  it('is the identity at the defaults too, where the link is just its version', () => {
    expect(labLink.write(fresh())).toBe('v=1');
    const { state, problems } = open('#v=1', setup());
    expect(problems).toEqual([]);
    expect(pick(state)).toEqual(pick(fresh()));
  });

  it('reads like the settings it holds', () => {
    const link = labLink.write(setup());
    expect(link).toContain('tab=sweep');
    expect(link).toContain('env=energy-pomdp');
    expect(link).toContain('energy-pomdp.q=0.70');
    expect(link).toContain('seed=3');
    expect(link).toContain('sweep.testTasks=7');
    expect(link).not.toContain('energy-mdp.'); // defaults are left out
  });

  it('carries the task and step shown, and opening it computes them again with the same request', async () => {
    const s = setup();
    // the task the form describes, as the episode panel samples it
    const spec = validateDraft('energy-pomdp', s.drafts['energy-pomdp'], s.seed).spec;
    expect(spec.params).toMatchObject({ q: 0.7, horizon: 12 });
    const view: EpisodeView = await runEpisodeWith({ spec, policy: 'random', episode: 2 }, getPolicy('random'));
    const shown = { ...s, trueModel: 'drawn' as const, task: taskInfo(spec), episode: view, step: 4 };
    const link = labLink.write(shown);
    expect(link).toContain('task=form');
    expect(link).toContain('step=4');
    const { state, problems } = open(viaUrl(link));
    expect(problems).toEqual([]);
    expect(state.linkRestore).toEqual({ task: spec, run: { spec, policy: 'random', episode: 2 }, step: 4 });
    expect(state.task).toBeNull();
    // while it is computed again the address still holds it
    expect(labLink.write(state)).toBe(link);
    // and the episode it runs is the one that was shown
    expect(await runEpisodeWith(state.linkRestore!.run!, getPolicy('random'))).toEqual(view);
    // opened in the browser that shows it already, nothing is computed again
    const again = open(link, shown);
    expect(again.state).toMatchObject({ task: shown.task, episode: view, step: 4, linkRestore: null });
  });

  it('a task that is not the form’s travels as its spec', () => {
    const spec: TaskSpec = { env: 'darkroom', params: { size: 4 }, seed: 9 };
    const link = labLink.write({ ...fresh(), task: taskInfo(spec) });
    expect(textValue(new URLSearchParams(link).get('task')!)).toEqual(spec);
    expect(open(link).state.linkRestore).toEqual({ task: spec, run: null, step: 0 });
  });
});

describe('a link with a bad field', () => {
  const base = labLink.write(setup());
  const withParam = (key: string, value: string) => {
    const p = new URLSearchParams(base);
    p.set(key, value);
    return p.toString();
  };

  it.each([
    ['energy-pomdp.q', '1.3', /^energy-pomdp\.q: must be a number in \[0, 1\], got 1\.3$/, 'drafts'],
    ['step', '-1', /^step: must be a whole number ≥ 0, got -1$/, null],
    ['tab', 'bogus', new RegExp(`^tab: must be one of ${TAB_IDS.join(', ')}, got "bogus"$`), 'tab'],
    ['sweep.testTasks', '0', /^sweep\.testTasks: must be an integer in \[1, 1000\], got 0$/, 'sweepSpec'],
    ['tryTokens', '999', /^tryTokens: must be a whole number from 1 to 256, got “999”\.$/, 'tryTokens'],
    ['policy', 'sft', /^policy: must be one of random, oracle, support-copy, ce-planning(, \w+)*, got "sft"$/, 'policy'],
    ['iclChoice', '{"hubId":"a/b","dtype":"q8","device":"tpu","episodes":3}', /^iclChoice\.device: must be one of auto, webgpu, wasm, got "tpu"$/, 'iclChoice'],
  ])('%s=%s restores everything else and names the field and its range', (key, value, message, field) => {
    const before = setup();
    const { state, problems } = open(viaUrl(withParam(key, value)));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(message);
    const d = defaultSettings();
    for (const k of LINKED) {
      if (k === field) continue;
      expect([k, state[k as keyof LabState]]).toEqual([k, before[k as keyof LabState]]);
    }
    if (field === 'drafts') expect(state.drafts['energy-pomdp']).toEqual({ ...before.drafts['energy-pomdp'], q: d.drafts['energy-pomdp'].q });
    else if (field === 'sweepSpec') expect(state.sweepSpec).toEqual(Object.fromEntries(Object.entries(SWEEP).filter(([k]) => k !== 'testTasks')));
    else if (field !== null) expect(state[field as keyof LabState]).toEqual(d[field as keyof typeof d]);
  });

  it('an unknown parameter and an unknown environment field are named, and ignored', () => {
    const { state, problems } = open(`${base}&colour=red&energy-mdp.speed=3`);
    expect(problems).toEqual(['colour: not a setting of this lab; ignored', 'energy-mdp.speed: energy-mdp has no parameter “speed”; its parameters are levels, p, cost, horizon, gamma, init']);
    expect(pick(state)).toEqual(pick(setup()));
  });
});

describe('garbage', () => {
  it.each(['', '#', '#%%%', '#v=9&&&=&', '#task={broken&step=x', '#sweep.sweep=[[[&sweep.env=mars', '#tab=%F0%9F%92%A9', '#=&==&v', '#modelChoice=null&iclChoice=7'])(
    'opening %j never throws and gives the defaults for what it cannot use',
    (link) => {
      const { state } = open(link, setup());
      const d = pick(fresh());
      const got = pick(state);
      for (const k of LINKED) {
        if (k === 'sweepSpec' && got.sweepSpec !== null) continue; // a sweep link that is half right keeps its right half
        expect([k, got[k]]).toEqual([k, d[k]]);
      }
      expect(state.linkRestore).toBeNull();
    },
  );

  it('a 20,000-character link of one unknown parameter is named, cut short', () => {
    const { state, problems } = open(`#${'x'.repeat(20_000)}`, setup());
    expect(pick(state)).toEqual(pick(fresh()));
    expect(problems).toHaveLength(1);
    expect(problems[0]!.length).toBeLessThan(200);
  });

  it('a newer version is said, and what can be read is used', () => {
    const { state, problems } = open('#v=2&seed=5');
    expect(problems).toEqual(['v: this link is of version 2, this lab reads version 1; what it could read is used']);
    expect(state.seed).toBe('5');
  });
});

describe('the registry', () => {
  interface Demo {
    theory: { n: number; kappa: number };
    tab: string;
  }
  const theory = () =>
    fieldsSlice<Demo>(
      'theory',
      { n: { schema: intIn(1, 1000).default(20) }, kappa: { schema: z.number().min(1).default(1) } },
      { pick: (s) => s.theory, apply: (values, s) => ({ theory: { ...s.theory, ...(values as Demo['theory']) } }) },
    );

  it('another panel adds its own fields, kept in an object of its own', () => {
    const r = new LinkRegistry<Demo>();
    r.register(fieldsSlice<Demo>('tab', { tab: { schema: z.string().default('episode') } }));
    r.register(theory());
    const link = r.write({ tab: 'theory', theory: { n: 50, kappa: 1 } });
    expect(link).toBe('v=1&tab=theory&n=50');
    const back = r.read(link, { tab: 'episode', theory: { n: 3, kappa: 9 } });
    expect(back).toEqual({ patch: { tab: 'theory', theory: { n: 50, kappa: 1 } }, problems: [] });
    expect(r.read('n=0', { tab: 'x', theory: { n: 3, kappa: 9 } }).problems).toEqual(['n: must be an integer in [1, 1000], got 0']);
  });

  it('refuses a slice that claims a parameter another owns', () => {
    const r = new LinkRegistry<Demo>();
    r.register(theory());
    expect(() => r.register(fieldsSlice<Demo>('other', { n: { schema: z.number() } }))).toThrow(/both claim the parameter n/);
    expect(() => r.register({ name: 'p', keys: [], prefixes: ['n'], write: () => [], read: () => ({ patch: {}, problems: [] }) })).toThrow(/both claim/);
    // the lab's slices were all registered (a clash would have thrown when the module loaded)
    expect(labLink.slices.map((s) => s.name)).toEqual(expect.arrayContaining(['tab', 'episode', 'sweep', 'model']));
  });

  it('values go bare where that is unambiguous, JSON otherwise, and come back exactly', () => {
    for (const v of ['energy-pomdp', '12', '"x"', 'true', '', ' 5', 12, 0.1, true, null, [1, 'a'], { a: { b: [null] } }, 'copy: "a"\n']) {
      expect(textValue(valueText(v))).toEqual(v);
    }
    expect(valueText('energy-pomdp')).toBe('energy-pomdp');
    expect(valueText('12')).toBe('"12"');
  });
});
