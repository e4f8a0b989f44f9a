import { describe, expect, it } from 'vitest';
import { iclRunRow, probText, summarizeReturns } from './icl-state.ts';
import type { IclEpisode } from '../../../workers/api.ts';

describe('ICL result arithmetic', () => {
  it('mean return with a 95 % Student-t interval (as the sweeps have); one episode has none', () => {
    expect(summarizeReturns([])).toMatchObject({ n: 0 });
    expect(summarizeReturns([2])).toEqual({ n: 1, mean: 2, half: 0 });
    const s = summarizeReturns([1, 2, 3, 6]);
    expect(s.mean).toBe(3);
    // sample variance 14/3, standard error sqrt(14/12), t quantile (0.975, 3 d.o.f.) = 3.182446305
    expect(s.half).toBeCloseTo(3.182446305284263 * Math.sqrt(14 / 12), 8);
  });

  it('a finished run becomes a result row: gaps per episode against the oracle, Student-t over the episodes', () => {
    const ep = (ret: number, i: number) => ({ episode: { env: 'energy-mdp', spec: { env: 'energy-mdp', params: {}, seed: 3 }, episode: i, return: ret }, decisions: [] }) as unknown as IclEpisode;
    expect(iclRunRow({ episodes: [], oracle: null }, 'm')).toBeNull();
    const row = iclRunRow({ episodes: [ep(1, 0), ep(2, 1), ep(4, 2)], oracle: { method: 'backward-induction', expectedReturn: 4, seconds: 0 } }, 'tiny')!;
    // gaps 0.75, 0.5, 0: mean 5/12, sample sd 0.38188, t(0.975, 2) = 4.302653
    expect(row.gap).toBeCloseTo(5 / 12, 12);
    expect(row.ciHigh - row.gap).toBeCloseTo(4.302652729749464 * Math.sqrt(((0.75 - 5 / 12) ** 2 + (0.5 - 5 / 12) ** 2 + (5 / 12) ** 2) / 2 / 3), 8);
    expect(row).toMatchObject({ policy: 'icl-onnx tiny', tasks: 1, meanReturn: 7 / 3, meanOracleReturn: 4, point: { seed: 3, episodes: 3 } });
  });

  it('probabilities as percentages, tiny ones in exponent form', () => {
    expect(probText(Math.log(0.5))).toBe('50.0 %');
    expect(probText(Math.log(0.004))).toBe('0.4 %');
    expect(probText(Math.log(3.4e-4))).toBe('3.4e-4');
    expect(probText(NaN)).toBe('—');
  });
});
