import { describe, expect, it } from 'vitest';
import type { ResultRow } from '../../experiments/types.ts';
import { SMALL_SAMPLE, smallSampleWarning } from './small-sample.ts';

const row = (tasks: number): ResultRow => ({ tasks } as Partial<ResultRow> as ResultRow);

describe('smallSampleWarning', () => {
  it('names the smallest task count and the t quantile (12.7 at 2 tasks, 2.78 at 5: tables of Student-t)', () => {
    expect(smallSampleWarning([row(20), row(2)])).toMatch(/^Only 2 test tasks: the 95 % intervals are ±12\.7 standard errors wide \(Student-t with 1 degree of freedom\)/);
    expect(smallSampleWarning([row(5)])).toMatch(/±2\.8 standard errors wide \(Student-t with 4 degrees of freedom\)/);
    expect(smallSampleWarning([row(1)])).toMatch(/^Only 1 test task: there is no interval/);
  });

  it('says nothing from SMALL_SAMPLE tasks on, or without rows', () => {
    expect(smallSampleWarning([row(SMALL_SAMPLE), row(100)])).toBeNull();
    expect(smallSampleWarning([row(SMALL_SAMPLE - 1)])).not.toBeNull();
    expect(smallSampleWarning([])).toBeNull();
  });
});
