/**
 * The fuzz suite at the size `npm test` can afford (a few hundred cases per input class; the full
 * run, `npx tsx tests/fuzz/run.ts`, does thousands): every mutated input is accepted with finite
 * numbers or refused with a named error, none crashes or hangs.
 */
import { describe, expect, it } from 'vitest';
import { fuzzTarget, mutateJson, TARGETS } from './fuzz.ts';
import { Rng } from '../../src/core/rng.ts';

describe('fuzz', () => {
  it('mutations are seeded: the same seed gives the same inputs', () => {
    const seed = { a: [1, { b: 'x' }], c: 2 };
    expect(mutateJson(seed, new Rng(4, 'm'))).toEqual(mutateJson(seed, new Rng(4, 'm')));
  });

  it.each(TARGETS.map((t) => [t.name, t] as const))('%s: no crash, hang or non-finite output', (_name, target) => {
    const s = fuzzTarget(target, { seed: 20261201, cases: 300 });
    expect(s.failures, JSON.stringify(s.failures, null, 1)).toEqual([]);
    expect(s.ok + s.error).toBe(s.cases);
    // The mutations reach both sides: some inputs pass, most are refused.
    expect(s.error).toBeGreaterThan(0);
  }, 60_000);
});
