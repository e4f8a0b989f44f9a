/** The agents' incremental belief tracker must agree with filtering the whole history every time. */
import { describe, expect, it } from 'vitest';
import { filterBelief } from '../belief.ts';
import { makeEnergyTask } from '../envs/energy.ts';
import { resolveEnergyParams } from '../spec/task-spec.ts';
import { Rng } from '../rng.ts';
import { episodeRun } from '../simulate.ts';
import type { Step } from '../types.ts';
import { beliefTracker } from './pomdp-belief.ts';

describe('beliefTracker', () => {
  const task = makeEnergyTask('energy-pomdp', resolveEnergyParams('energy-pomdp', { q: 0.7, p: 0.6, horizon: 12 }));
  const model = task.models[0]!;

  it('matches filterBelief along episodes, also when two episodes interleave', () => {
    const rng = new Rng(5, 'actions');
    let checked = 0;
    // One episode alone (the cached path), then two interleaved (every call a cache miss).
    for (const episodes of [[0], [1, 2]]) {
      const track = beliefTracker(task, model);
      const runs = episodes.map((episode) => episodeRun(task, { seed: 1, taskIndex: 0, episode }));
      const queries = runs.map((r) => r.next());
      while (queries.some((q) => !q.done)) {
        runs.forEach((run, i) => {
          const q = queries[i]!;
          if (q.done) return;
          const expected = filterBelief(task, model, q.value.history, q.value.obs)!;
          const got = track(q.value.history, q.value.obs);
          for (let s = 0; s < task.nStates; s++) expect(got[s]).toBeCloseTo(expected[s]!, 12);
          checked++;
          queries[i] = run.next(rng.int(3));
        });
      }
    }
    expect(checked).toBe(36);
  });

  it('falls back to the observation alone on a history the model calls impossible', () => {
    const exact = makeEnergyTask('energy-pomdp', resolveEnergyParams('energy-pomdp', { q: 1, horizon: 4 }));
    const track = beliefTracker(exact, exact.models[0]!);
    const impossible: Step[] = [{ obs: [3], action: 2, reward: 8 / 9 }];
    const b = track(impossible, [5]);
    expect(Array.from(b)).toEqual(Array.from({ length: 10 }, (_, s) => (s === 5 ? 1 : 0)));
  });
});
