/** `lab export-dataset`: real runs write JSONL the docs describe; bad options are named (exit 2). */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parsePrompt } from '../src/core/serialize.ts';
import { runExportDataset, type ExportDatasetArgs } from './commands/export-dataset.ts';

const dir = mkdtempSync(join(tmpdir(), 'lab-export-'));

function lab(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'cli/main.ts', ...args], { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function file(name: string, content: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(content));
  return path;
}

function jsonl(path: string): unknown[] {
  return readFileSync(path, 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l) as unknown);
}

const spec = file('mdp.json', { name: 'sft-mdp', env: 'energy-mdp', params: { horizon: 4 }, support: 2, seed: 9 });

describe('lab export-dataset', () => {
  it('writes {"text"} lines: 15 per task, three trajectory lines each', () => {
    const out = join(dir, 'train.jsonl');
    const r = lab(['export-dataset', '--spec', spec, '--out', out, '--tasks', '2', '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.stdout) as { examples: number; out: { lines: number }; format: string };
    expect(summary).toMatchObject({ examples: 30, format: 'text', out: { lines: 30 } });
    const records = jsonl(out) as { text: string }[];
    expect(records).toHaveLength(30);
    for (const rec of records) {
      expect(Object.keys(rec)).toEqual(['text']);
      expect(rec.text.split('\n')).toHaveLength(3);
      expect(rec.text).toMatch(/^<O_1> \d, <A_1> [012], <R_1> -?\d+\.\d\d/);
    }
  });

  it('writes prompt/completion pairs and splits validation by task with --val-out', () => {
    const out = join(dir, 'pairs.jsonl');
    const valOut = join(dir, 'pairs-val.jsonl');
    const r = lab(['export-dataset', '--spec', spec, '--out', out, '--format', 'pairs', '--tasks', '10', '--val-out', valOut, '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ tasks: 10, trainTasks: 9, valTasks: 1, examples: 150 });
    const train = jsonl(out) as { prompt: string; completion: string }[];
    const val = jsonl(valOut) as { prompt: string; completion: string }[];
    expect(train).toHaveLength(9 * 15 * 4);
    expect(val).toHaveLength(1 * 15 * 4);
    for (const p of [...train.slice(0, 8), ...val.slice(0, 8)]) {
      expect(Object.keys(p)).toEqual(['prompt', 'completion']);
      expect(p.completion).toMatch(/^[012]$/);
      expect(parsePrompt(p.prompt).support).toHaveLength(2);
    }
  });

  it('names the bad option', async () => {
    const run = (a: Partial<ExportDatasetArgs>) => runExportDataset({ spec, out: join(dir, 'x.jsonl'), json: true, ...a });
    await expect(run({ out: undefined })).rejects.toThrow('--out: a file path is required');
    await expect(run({ format: 'csv' })).rejects.toThrow('--format: must be one of text, pairs, got "csv"');
    await expect(run({ tasks: '0' })).rejects.toThrow('--tasks: must be an integer in [1, 100000], got "0"');
    await expect(run({ spec: file('dark.json', { name: 'd', env: 'darkroom' }), tasks: '81' })).rejects.toThrow('--tasks: must be an integer in [1, 80]');
    await expect(run({ spec: file('sweep.json', { name: 's', env: 'energy-mdp', sweep: { param: 'horizon', values: [3, 5] } }) })).rejects.toThrow(
      '--point: the spec sweeps horizon over 2 values (3, 5); choose one with --point 1..2',
    );
    await expect(run({ spec: file('bad.json', { name: 'b', env: 'energy-mdp', support: 50 }) })).rejects.toThrow('--spec: support: must be an integer in [0, 20], got 50');
    await expect(run({ out: join(dir, 'missing', 'x.jsonl'), tasks: '1' })).rejects.toThrow(/^--out: cannot write .* \(ENOENT\)/);
    const r = lab(['export-dataset', '--spec', spec, '--out', join(dir, 'y.jsonl'), '--format', 'csv']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--format');
  });
});
