import { describe, expect, it } from 'vitest';
import { parseTaskSpec } from './task-spec.ts';
import { SpecError } from './fields.ts';

function problems(input: unknown): string[] {
  try {
    parseTaskSpec(input);
  } catch (e) {
    if (e instanceof SpecError) return e.problems;
    throw e;
  }
  return [];
}

describe('task specs', () => {
  it('fills in the documented defaults', () => {
    const s = parseTaskSpec({ env: 'energy-apomdp', params: {}, seed: 3 });
    expect(s).toEqual({
      env: 'energy-apomdp',
      seed: 3,
      params: { levels: 10, p: 0.6, cost: 0.1, horizon: 10, gamma: 1, init: 'uniform', q: 0.9, K: 3, alpha: 0.5, rho: 0.1, kappa: 50 },
    });
    expect(parseTaskSpec({ env: 'darkroom', params: {} }).params).toEqual({ size: 10, goal: [9, 9], horizon: 100 });
    expect(parseTaskSpec({ env: 'energy-mdp', params: {} }).params).toMatchObject({ q: 1, K: 1 });
  });

  it('names every bad field with its allowed range', () => {
    expect(problems({ env: 'energy-mdp', params: { p: 1.5 }, seed: 1 })).toEqual(['params.p: must be a number in [0, 1], got 1.5']);
    expect(problems({ env: 'energy-pomdp', params: { q: -0.1, horizon: 2.5 } })).toEqual([
      'params.horizon: must be an integer in [1, 200], got 2.5',
      'params.q: must be a number in [0, 1], got -0.1',
    ]);
    expect(problems({ env: 'energy-mdp', params: { q: 0.5 } })).toEqual(['params.q: unknown field']);
    expect(problems({ env: 'energy-mdp', params: { levels: 5, init: 7 } })).toEqual([
      'params.init: must be "uniform" or an integer level in [0, 4], got 7',
    ]);
    expect(problems({ env: 'gridworld', params: {} })[0]).toMatch(/^env: must be one of energy-mdp, energy-pomdp, energy-apomdp, darkroom/);
    expect(problems({ env: 'darkroom', params: { size: 5, goal: [5, 1] } })).toEqual(['params.goal.0: must be an integer in [0, 4], got 5']);
    expect(problems({ env: 'energy-apomdp', params: { alpha: 2, gamma: 0 } })).toEqual([
      'params.gamma: must be a number in (0, 1], got 0',
      'params.alpha: must be a number in [0, 1], got 2',
    ]);
  });
});
