import { describe, expect, it } from 'vitest';
import { defaultDistribution, EXPERIMENT_DEFAULTS, parseExperimentSpec } from '../../experiments/spec.ts';
import { seriesOf, withEnv } from './sweep-spec.ts';

describe('the sweep form reads its defaults from the experiment spec schema', () => {
  it('the placeholders are what the parser fills in', () => {
    const parsed = parseExperimentSpec({ name: 'x', env: 'energy-mdp' });
    expect(EXPERIMENT_DEFAULTS).toEqual({ testTasks: parsed.testTasks, episodes: parsed.episodes, support: parsed.support, seed: parsed.seed });
  });

  it('switching between the energy family and darkroom starts from the parser’s distribution', () => {
    const dark = withEnv({ name: 'x', env: 'energy-mdp', distribution: { pMin: 0.5, pMax: 0.6 } }, 'darkroom');
    expect(dark.distribution).toEqual(parseExperimentSpec({ name: 'x', env: 'darkroom' }).distribution);
    const energy = withEnv(dark, 'energy-pomdp');
    expect(energy.distribution).toEqual(parseExperimentSpec({ name: 'x', env: 'energy-pomdp' }).distribution);
    expect(energy.distribution).toEqual(defaultDistribution('energy-pomdp'));
    // within a family the person's distribution stays
    expect(withEnv({ name: 'x', env: 'energy-mdp', distribution: { pMin: 0.5, pMax: 0.6 } }, 'energy-apomdp').distribution).toEqual({ pMin: 0.5, pMax: 0.6 });
  });

  it('a series stays when the new env sweeps its param and goes when it cannot', () => {
    const spec = { name: 'x', env: 'energy-apomdp', sweep: { param: 'K', values: [1, 2] }, series: { param: 'alpha', values: [0, 1] } };
    expect(seriesOf(spec)).toEqual({ param: 'alpha', values: [0, 1] });
    expect(seriesOf(withEnv(spec, 'energy-pomdp'))).toBeUndefined();
    const byCost = { ...spec, series: { param: 'cost', values: [0.1, 0.2] } };
    expect(seriesOf(withEnv(byCost, 'energy-mdp'))).toEqual({ param: 'cost', values: [0.1, 0.2] });
    expect(seriesOf({ name: 'x' })).toBeUndefined();
  });
});
