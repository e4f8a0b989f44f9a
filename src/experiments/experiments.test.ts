import { describe, expect, it } from 'vitest';
import { SpecError } from '../core/spec/fields.ts';
import { CostLimitError, solve } from '../core/solve.ts';
import { makeEnergyTask } from '../core/envs/energy.ts';
import { experimentCost, parseExperimentSpec, sweepPoints } from './spec.ts';
import { collectExperiment, runExperiment, sampleTask } from './run.ts';
import { trainTasksAt } from '../training/at-point.ts';
import { EXAMPLE_SPECS } from './examples.ts';
import type { ExperimentProgress, ResultRow } from './types.ts';

const tiny = {
  name: 'tiny',
  env: 'energy-mdp' as const,
  params: { levels: 6 },
  sweep: { param: 'horizon' as const, values: [3, 6] },
  policies: ['random', 'oracle', 'support-copy'],
  testTasks: 4,
  episodes: 6,
};

function problems(input: unknown): string[] {
  try {
    parseExperimentSpec(input);
  } catch (e) {
    if (e instanceof SpecError) return e.problems;
    throw e;
  }
  return [];
}

describe('experiment spec', () => {
  it('fills in the defaults', () => {
    const s = parseExperimentSpec({ name: 'x', env: 'energy-mdp' });
    expect(s).toEqual({
      name: 'x',
      env: 'energy-mdp',
      params: {},
      distribution: { pMin: 0.3, pMax: 0.9 },
      policies: ['random', 'oracle'],
      testTasks: 20,
      episodes: 30,
      support: 2,
      supportPolicy: 'oracle',
      seed: 0,
      // The training block's defaults come from its schema (training/settings.ts), written there only.
      training: { epochs: 3, rank: 8, alpha: 16, dropout: 0.1, lr: 2e-3, batch: 8, microRows: 4, warmupRatio: 0.05, maxGradNorm: 1, weightDecay: 0, loss: 'query', nf4: true, seed: 0,
        dpt: { layers: 4, hidden: 32, heads: 1, epochs: 10, lr: 1e-3, weightDecay: 1e-4, batch: 64, warmupRatio: 0.05, maxGradNorm: 1 } },
    });
    expect(parseExperimentSpec({ name: 'd', env: 'darkroom' }).distribution).toEqual({ goals: 'test' });
    expect(parseExperimentSpec(s)).toEqual(s); // parsing is idempotent
  });

  it('names the field and the allowed range', () => {
    expect(problems({ ...tiny, testTasks: 0 })).toEqual(['testTasks: must be an integer in [1, 1000], got 0']);
    expect(problems({ ...tiny, episodes: 2.5 })).toEqual(['episodes: must be an integer in [1, 1000], got 2.5']);
    expect(problems({ ...tiny, support: 21 })).toEqual(['support: must be an integer in [0, 20], got 21']);
    expect(problems({ ...tiny, sweep: { param: 'horizon', values: [5, 0] } })).toEqual(['sweep.values.1: must be an integer in [1, 200], got 0']);
    expect(problems({ ...tiny, env: 'energy-pomdp', sweep: { param: 'q', values: [0.5, 1.5] } })).toEqual(['sweep.values.1: must be a number in [0, 1], got 1.5']);
    expect(problems({ ...tiny, distribution: { pMin: 0.8, pMax: 0.4 } })).toEqual(['distribution.pMax: must be ≥ distribution.pMin (0.8), got 0.4']);
    expect(problems({ ...tiny, distribution: { pMin: -0.1 } })).toEqual(['distribution.pMin: must be a number in [0, 1], got -0.1']);
    expect(problems({ ...tiny, supportPolicy: 'sft' })).toEqual(['supportPolicy: must be one of oracle, random, got "sft"']);
    expect(problems({ ...tiny, env: 'chess' })[0]).toMatch(/^env: must be one of energy-mdp, energy-pomdp, energy-apomdp, darkroom, got "chess"/);
  });

  it('checks policies, sweep params per env, hidden params and base params', () => {
    expect(problems({ ...tiny, policies: ['random', 'gpt'] })[0]).toMatch(/^policies\.1: must be one of random, oracle, support-copy, ce-planning.*got "gpt"$/);
    expect(problems({ ...tiny, policies: ['random', 'random'] })).toEqual(['policies.1: "random" is listed twice']);
    expect(problems({ ...tiny, sweep: { param: 'q', values: [0.5] } })).toEqual(['sweep.param: must be one of horizon, levels, cost, gamma, trainTasks for energy-mdp, got "q"']);
    expect(problems({ ...tiny, sweep: { param: 'p', values: [0.5] } })[0]).toMatch(/^sweep\.param: must be one of horizon, q, K/);
    expect(problems({ ...tiny, params: { p: 0.5 } })[0]).toMatch(/^params\.p: drawn per task from distribution/);
    expect(problems({ name: 'd', env: 'darkroom', params: { goal: [1, 1] } })[0]).toMatch(/^params\.goal: drawn per task/);
    expect(problems({ ...tiny, params: { levels: 1 } })[0]).toBe('params.levels: must be an integer in [2, 50], got 1');
    expect(problems({ ...tiny, params: { init: 5 }, sweep: { param: 'levels', values: [10, 4] } })[0]).toMatch(/^params\.init: .*\[0, 3\], got 5 \(at sweep point 2: \{"levels":4\}\)/);
    expect(problems({ ...tiny, extra: 1 })).toEqual(['extra: unknown field']);
  });

  it('expands sweep points', () => {
    expect(sweepPoints(parseExperimentSpec(tiny)).map((p) => p.point)).toEqual([{ horizon: 3 }, { horizon: 6 }]);
    expect(sweepPoints(parseExperimentSpec({ name: 'x', env: 'energy-mdp' }))).toEqual([{ point: {}, params: {} }]);
  });

  it('a series: every (sweep value, series value) pair, sweep value by sweep value, each with both params', () => {
    const spec = parseExperimentSpec({ ...tiny, env: 'energy-apomdp', params: { levels: 4, horizon: 3 }, sweep: { param: 'K', values: [1, 3] }, series: { param: 'alpha', values: [0, 1] } });
    expect(sweepPoints(spec).map((p) => p.point)).toEqual([{ K: 1, alpha: 0 }, { K: 1, alpha: 1 }, { K: 3, alpha: 0 }, { K: 3, alpha: 1 }]);
    expect(sweepPoints(spec)[3]!.params).toEqual({ levels: 4, horizon: 3, K: 3, alpha: 1 });
    // trainTasks as the series changes the training set only, never the task params.
    const byTasks = parseExperimentSpec({ ...tiny, series: { param: 'trainTasks', values: [10, 20] } });
    expect(sweepPoints(byTasks).map((p) => [p.point, p.params])).toEqual([
      [{ horizon: 3, trainTasks: 10 }, { levels: 6, horizon: 3 }], [{ horizon: 3, trainTasks: 20 }, { levels: 6, horizon: 3 }],
      [{ horizon: 6, trainTasks: 10 }, { levels: 6, horizon: 6 }], [{ horizon: 6, trainTasks: 20 }, { levels: 6, horizon: 6 }],
    ]);
  });

  it('a series is checked like the sweep and names its own field', () => {
    expect(problems({ ...tiny, series: { param: 'alpha', values: [0] } })).toEqual(['series.param: must be one of horizon, levels, cost, gamma, trainTasks for energy-mdp, got "alpha"']);
    expect(problems({ ...tiny, series: { param: 'horizon', values: [4] } })).toEqual(['series.param: must differ from sweep.param (horizon)']);
    expect(problems({ ...tiny, series: { param: 'cost', values: [0.1, -1] } })[0]).toMatch(/^series\.values\.1: must be a number in \[0, /);
    const noSweep = { ...tiny } as Record<string, unknown>;
    delete noSweep.sweep;
    expect(problems({ ...noSweep, name: 't', series: { param: 'cost', values: [0.1] } })[0]).toMatch(/^series: needs a sweep/);
  });

  it('every example spec is valid', () => {
    expect(Object.keys(EXAMPLE_SPECS)).toEqual(['gap-vs-horizon', 'gap-vs-q', 'gap-vs-alpha', 'gap-vs-K-by-alpha', 'darkroom']);
    expect(EXAMPLE_SPECS['gap-vs-horizon']!.sweep).toEqual({ param: 'horizon', values: [5, 10, 20] });
  });
});

describe('cost limits', () => {
  it('refuses an experiment over the budget unless allowLarge is set, naming the estimate', () => {
    // The reproducer of the reliability issue: every maximum at once.
    const huge = {
      name: 'huge', env: 'energy-apomdp', params: { levels: 50, horizon: 200 }, testTasks: 1000, episodes: 1000,
      sweep: { param: 'horizon', values: Array.from({ length: 20 }, (_, i) => 200 - i) },
    };
    expect(() => parseExperimentSpec(huge)).toThrow(/testTasks: this experiment simulates about 3\.4e\+10 steps .* over the budget of 1\.0e\+8/);
    expect(experimentCost(parseExperimentSpec({ ...huge, allowLarge: true })).steps).toBe(3 * 1000 * 1000 * 3 * (20 * 200 - 190));
    // Language-model decisions have their own, lower budget.
    expect(() => parseExperimentSpec({ name: 'lm', env: 'energy-mdp', params: { horizon: 100 }, policies: ['icl'], testTasks: 100, episodes: 30 }))
      .toThrow(/the language-model policies would take about 3\.0e\+5 decisions/);
    expect(() => parseExperimentSpec({ name: 'ok', env: 'energy-mdp', policies: ['icl'] })).not.toThrow();
    expect(() => parseExperimentSpec({ ...huge, allowLarge: 'yes' })).toThrow(/allowLarge: must be true or false/);
  });

  it('refuses a forced expectimax past its horizon limit before building anything', () => {
    const task = makeEnergyTask('energy-pomdp', { levels: 10, p: 0.6, cost: 0.1, horizon: 200, gamma: 1, init: 'uniform', q: 0.9, K: 1, alpha: 0.5, rho: 0.1, kappa: 50 });
    const t0 = performance.now();
    expect(() => solve(task, { method: 'expectimax' })).toThrow(CostLimitError);
    expect(() => solve(task, { method: 'expectimax' })).toThrow(/method: expectimax .* allowed up to horizon 7, got horizon 200/);
    expect(performance.now() - t0).toBeLessThan(1000);
  });
});

describe('trainTasks sweep (DESIGN §7)', () => {
  it('changes only the training set: task params stay, each point trains on its own number of tasks, darkroom is capped at its 80 train goals', () => {
    const spec = parseExperimentSpec({ name: 't', env: 'energy-mdp', params: { horizon: 5 }, sweep: { param: 'trainTasks', values: [10, 40] }, policies: ['sft'], training: { tasks: 7 } });
    expect(sweepPoints(spec).map((p) => [p.point, p.params])).toEqual([[{ trainTasks: 10 }, { horizon: 5 }], [{ trainTasks: 40 }, { horizon: 5 }]]);
    expect([0, 1].map((i) => trainTasksAt(spec, i))).toEqual([10, 40]);
    expect(trainTasksAt(parseExperimentSpec({ ...spec, sweep: { param: 'horizon', values: [5] } }), 0)).toBe(7);
    expect(trainTasksAt(parseExperimentSpec({ name: 'd', env: 'darkroom' }), 0)).toBe(80);
    expect(problems({ name: 'd', env: 'darkroom', sweep: { param: 'trainTasks', values: [40, 81] } })).toEqual([
      'sweep.values.1: must be an integer in [1, 80] for darkroom (trainTasks), got 81',
    ]);
    expect(problems({ name: 'd', env: 'darkroom', training: { tasks: 100 } })).toEqual(['training.tasks: must be an integer in [1, 80] for darkroom, got 100']);
    expect(problems({ ...tiny, sweep: { param: 'trainTasks', values: [0] } })).toEqual(['sweep.values.0: must be an integer in [1, 100000], got 0']);
  });
});

describe('sampleTask', () => {
  it('draws task i identically across sweep points, with p in the distribution', () => {
    const spec = parseExperimentSpec({ ...tiny, distribution: { pMin: 0.3, pMax: 0.5 } });
    const [a, b] = sweepPoints(spec);
    for (let i = 0; i < 10; i++) {
      const ta = sampleTask(spec, a!.params, i);
      const tb = sampleTask(spec, b!.params, i);
      if (ta.kind !== 'energy' || tb.kind !== 'energy') throw new Error('energy expected');
      expect(ta.params.p).toBe(tb.params.p);
      expect(ta.params.p).toBeGreaterThanOrEqual(0.3);
      expect(ta.params.p).toBeLessThan(0.5);
      expect([ta.params.horizon, tb.params.horizon]).toEqual([3, 6]);
    }
  });

  it('darkroom tasks cycle through the test goals', () => {
    const spec = parseExperimentSpec({ name: 'd', env: 'darkroom', testTasks: 25 });
    const goals = Array.from({ length: 21 }, (_, i) => sampleTask(spec, {}, i)).map((t) => (t.kind === 'darkroom' ? t.params.goal.join(',') : ''));
    expect(new Set(goals.slice(0, 20)).size).toBe(20);
    expect(goals[20]).toBe(goals[0]);
  });
});

describe('runExperiment', () => {
  it('yields one row per (point, policy) in order, each point as soon as it is done', async () => {
    const progress: ExperimentProgress[] = [];
    const rows: ResultRow[] = [];
    const doneAtRow: number[] = [];
    const gen = runExperiment(tiny, { onProgress: (p) => progress.push(p) });
    for (;;) {
      const r = await gen.next();
      if (r.done) {
        expect(r.value.rows).toBe(6);
        expect(r.value.experiment).toBe('tiny');
        break;
      }
      rows.push(r.value);
      doneAtRow.push(progress.length);
    }
    expect(rows.map((r) => `${r.point.horizon}:${r.policy}`)).toEqual(['3:random', '3:oracle', '3:support-copy', '6:random', '6:oracle', '6:support-copy']);
    expect(doneAtRow).toEqual([4, 4, 4, 8, 8, 8]);
    expect(progress.map((p) => p.done)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(progress.every((p) => p.total === 8)).toBe(true);
    expect(progress[5]!.label).toBe('horizon=6 · task 2/4');
  });

  it('K × α as one sweep with a series: a row per (K, alpha, policy), the oracle at 0 everywhere', async () => {
    const { rows } = await collectExperiment({
      name: 'k-by-alpha', env: 'energy-apomdp', params: { levels: 4, horizon: 3, q: 0.9 },
      sweep: { param: 'K', values: [1, 2] }, series: { param: 'alpha', values: [0, 1] }, policies: ['random', 'oracle'], testTasks: 2, episodes: 2,
    });
    expect(rows.map((r) => `${r.point.K}/${r.point.alpha}:${r.policy}`)).toEqual([
      '1/0:random', '1/0:oracle', '1/1:random', '1/1:oracle', '2/0:random', '2/0:oracle', '2/1:random', '2/1:oracle',
    ]);
    for (const r of rows.filter((x) => x.policy === 'oracle')) expect(r.gap).toBe(0);
  });

  it('oracle gap is exactly 0 on the same episodes, random gap is positive, intervals bracket the mean', async () => {
    const { rows } = await collectExperiment(tiny);
    for (const r of rows) {
      expect(r.tasks).toBe(4);
      expect(r.taskGaps).toHaveLength(4);
      expect(r.ciLow).toBeLessThanOrEqual(r.gap);
      expect(r.ciHigh).toBeGreaterThanOrEqual(r.gap);
      if (r.policy === 'oracle') {
        expect(r.taskGaps.every((g) => g === 0)).toBe(true);
        expect(r.meanReturn).toBe(r.meanOracleReturn);
      }
      if (r.policy === 'random') expect(r.gap).toBeGreaterThan(0.2);
    }
  });

  it('the oracle\'s R* tracks its expected return', async () => {
    const { rows } = await collectExperiment({ ...tiny, sweep: undefined, params: { levels: 6, horizon: 6 }, episodes: 200, testTasks: 3, policies: ['oracle'] });
    const spec = parseExperimentSpec({ ...tiny, sweep: undefined, params: { levels: 6, horizon: 6 }, testTasks: 3 });
    let expected = 0;
    for (let i = 0; i < 3; i++) expected += solve(sampleTask(spec, spec.params, i)).expectedReturn / 3;
    expect(Math.abs(rows[0]!.meanOracleReturn - expected)).toBeLessThan(0.1 * expected);
  });

  it('is deterministic: the same spec gives identical rows, another seed different ones', async () => {
    const a = await collectExperiment(tiny);
    const b = await collectExperiment(tiny);
    expect(b.rows).toEqual(a.rows);
    const c = await collectExperiment({ ...tiny, seed: 1 });
    expect(c.rows.map((r) => r.taskGaps)).not.toEqual(a.rows.map((r) => r.taskGaps));
  });

  it('runs the darkroom with random support data too', async () => {
    const { rows } = await collectExperiment({
      name: 'dr',
      env: 'darkroom',
      params: { size: 5, horizon: 20 },
      policies: ['random', 'oracle', 'ce-planning'],
      testTasks: 3,
      episodes: 2,
      supportPolicy: 'random',
    });
    const byPolicy = Object.fromEntries(rows.map((r) => [r.policy, r]));
    expect(byPolicy.oracle!.gap).toBe(0);
    expect(byPolicy.random!.gap).toBeGreaterThan(0.5);
    expect(byPolicy['ce-planning']!.gap).toBeLessThan(byPolicy.random!.gap);
  });

  it('stops promptly with an AbortError', async () => {
    const controller = new AbortController();
    let seen = 0;
    const run = collectExperiment({ ...tiny, testTasks: 50 }, {
      signal: controller.signal,
      onProgress: () => {
        seen++;
        if (seen === 2) controller.abort();
      },
    });
    await expect(run).rejects.toMatchObject({ name: 'AbortError' });
    expect(seen).toBe(2);
    const already = new AbortController();
    already.abort();
    await expect(collectExperiment(tiny, { signal: already.signal })).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('aborting from a timer interrupts a long run', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 20);
    let done = 0;
    await expect(collectExperiment({ ...tiny, testTasks: 1000, episodes: 50 }, { signal: controller.signal, onProgress: (p) => (done = p.done) })).rejects.toMatchObject({ name: 'AbortError' });
    expect(done).toBeLessThan(2000);
  });

  it('rejects an invalid spec before running', async () => {
    await expect(collectExperiment({ ...tiny, testTasks: 0 })).rejects.toThrow('testTasks: must be an integer in [1, 1000], got 0');
  });
});

const pomdpSolvable = (() => {
  try {
    solve(makeEnergyTask('energy-pomdp', { levels: 3, p: 0.6, cost: 0.1, horizon: 2, gamma: 1, init: 'uniform', q: 0.9, K: 1, alpha: 1, rho: 0.1, kappa: 50 }));
    return true;
  } catch {
    return false;
  }
})();

describe.skipIf(!pomdpSolvable)('runExperiment on the POMDP (once solve() handles energy-pomdp)', () => {
  it('oracle gap 0 and random gap > 0 at every q', async () => {
    const { rows } = await collectExperiment({ ...EXAMPLE_SPECS['gap-vs-q']!, testTasks: 3, episodes: 5, policies: ['random', 'oracle'] });
    for (const r of rows) {
      if (r.policy === 'oracle') expect(r.gap).toBe(0);
      else expect(r.gap).toBeGreaterThan(0);
    }
  });
});
