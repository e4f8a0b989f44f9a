import { describe, expect, it } from 'vitest';
import { probText, summarizeReturns } from './icl-state.ts';

describe('ICL result arithmetic', () => {
  it('mean return with a 95 % normal interval; one episode has none', () => {
    expect(summarizeReturns([])).toMatchObject({ n: 0 });
    expect(summarizeReturns([2])).toEqual({ n: 1, mean: 2, half: 0 });
    const s = summarizeReturns([1, 2, 3, 6]);
    expect(s.mean).toBe(3);
    // sample variance 14/3, standard error sqrt(14/12)
    expect(s.half).toBeCloseTo(1.96 * Math.sqrt(14 / 12), 12);
  });

  it('probabilities as percentages, tiny ones in exponent form', () => {
    expect(probText(Math.log(0.5))).toBe('50.0 %');
    expect(probText(Math.log(0.004))).toBe('0.4 %');
    expect(probText(Math.log(3.4e-4))).toBe('3.4e-4');
    expect(probText(NaN)).toBe('—');
  });
});
