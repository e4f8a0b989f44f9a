import Papa from 'papaparse';
import { describe, expect, it } from 'vitest';
import { rowsToCsv } from './rows-csv.ts';
import type { ResultRow } from './types.ts';

const row = (point: Record<string, number | string>, policy: string, gap: number, ciLow = gap - 0.1): ResultRow => ({
  experiment: 'e, "quoted"', env: 'energy-mdp', point, policy, tasks: 3, gap, ciLow, ciHigh: gap + 0.1, meanReturn: 1.5, meanOracleReturn: 2, taskGaps: [gap, gap, gap],
});

describe('rowsToCsv', () => {
  it('writes one line per row with the swept parameters as columns, and reads back to the same values', () => {
    const csv = rowsToCsv([row({ horizon: 5 }, 'random', 0.25), row({ horizon: 10 }, 'oracle', 0, -Infinity)]);
    expect(csv.split('\n')[0]).toBe('experiment,env,horizon,policy,tasks,gap,ciLow,ciHigh,meanReturn,meanOracleReturn,flaggedTasks');
    const back = Papa.parse<Record<string, string>>(csv.trim(), { header: true }).data;
    expect(back).toHaveLength(2);
    expect(back[0]).toMatchObject({ experiment: 'e, "quoted"', horizon: '5', policy: 'random', gap: '0.25', ciLow: '0.15', flaggedTasks: '' });
    // no spread with -Infinity: an empty cell, never "-Infinity"
    expect(back[1]!.ciLow).toBe('');
  });

  it('gives rows of different sweeps their own columns, empty where a row has no such parameter', () => {
    const csv = rowsToCsv([row({ q: 0.7 }, 'random', 0.5), row({ K: 2, alpha: 1 }, 'random', 0.4)]);
    const back = Papa.parse<Record<string, string>>(csv.trim(), { header: true }).data;
    expect(Object.keys(back[0]!).slice(2, 5)).toEqual(['q', 'K', 'alpha']);
    expect(back[0]).toMatchObject({ q: '0.7', K: '', alpha: '' });
    expect(back[1]).toMatchObject({ q: '', K: '2', alpha: '1' });
  });
});
