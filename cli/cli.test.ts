/** The CLI as other checks call it (DESIGN §7): real processes, real exit codes. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const dir = mkdtempSync(join(tmpdir(), 'lab-cli-'));

function lab(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'cli/main.ts', ...args], { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function specFile(name: string, spec: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(spec));
  return path;
}

describe('lab solve', () => {
  it.each([
    ['energy-mdp', { p: 0.7, horizon: 5 }],
    ['energy-pomdp', { p: 0.6, q: 0.7, horizon: 4 }],
    ['energy-apomdp', { p: 0.6, q: 0.8, horizon: 3, K: 2 }],
    ['darkroom', { goal: [3, 4] }],
  ])('prints expectedReturn and the fully specified task for %s', (env, params) => {
    const r = lab(['solve', '--spec', specFile(`${env}.json`, { env, params, seed: 3 }), '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { expectedReturn: number; values?: number[][]; task: Record<string, unknown> };
    expect(Number.isFinite(out.expectedReturn)).toBe(true);
    expect(out.task.env).toBe(env);
    if (env === 'darkroom') {
      expect(out.expectedReturn).toBe(101 - 3 - 4);
      expect(out.task.params).toEqual({ size: 10, goal: [3, 4], horizon: 100 });
      return;
    }
    const models = out.task.models as { transition: number[][][]; emission: number[][] }[];
    expect(models).toHaveLength(env === 'energy-apomdp' ? 2 : 1);
    expect(models[0]!.transition).toHaveLength(3);
    expect(models[0]!.transition[0]).toHaveLength(10);
    expect(models[0]!.emission[0]).toHaveLength(10);
    if (env === 'energy-mdp') {
      expect(out.values).toHaveLength(5);
      // V_0 averaged over the uniform initial level is the expected return
      const v0 = out.values![0]!;
      expect(v0.reduce((a, b) => a + b, 0) / v0.length).toBeCloseTo(out.expectedReturn, 12);
    } else {
      expect(out.values).toBeUndefined();
    }
  });

  it('exits non-zero naming the bad field and its range', () => {
    const r = lab(['solve', '--spec', specFile('bad.json', { env: 'energy-pomdp', params: { q: 1.3 }, seed: 1 }), '--json']);
    expect(r.code).not.toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('params.q: must be a number in [0, 1], got 1.3');
  });

  it('says which option is missing or unreadable', () => {
    expect(lab(['solve']).stderr).toContain('--spec: a file path is required');
    expect(lab(['solve', '--spec', join(dir, 'nope.json')]).stderr).toContain('--spec: cannot read');
    const r = lab(['solve', '--spec', specFile('x.json', { env: 'energy-mdp' }), '--bogus']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/bogus/);
  });

  it('refuses a key given twice and a forced expectimax past its limit, exit 2, before any work', () => {
    const dup = join(dir, 'dup.json');
    writeFileSync(dup, '{"env": "energy-mdp", "params": {"horizon": 5, "horizon": 50}, "seed": 1}');
    const d = lab(['solve', '--spec', dup]);
    expect(d.code).toBe(2);
    expect(d.stderr).toContain('key "horizon" appears twice in params');
    const big = lab(['solve', '--spec', specFile('big.json', { env: 'energy-pomdp', params: { horizon: 200 }, seed: 1 }), '--method', 'expectimax']);
    expect(big.code).toBe(2);
    expect(big.stderr).toContain('--method: expectimax is exact');
  });
});

describe('lab rollout and experiment', () => {
  it('rolls out serialized trajectories with returns', () => {
    const spec = specFile('r.json', { env: 'energy-mdp', params: { p: 0.6, horizon: 4 }, seed: 2 });
    const r = lab(['rollout', '--spec', spec, '--policy', 'oracle', '--episodes', '3', '--json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { episodes: { text: string; return: number }[]; meanReturn: number };
    expect(out.episodes).toHaveLength(3);
    expect(out.episodes[0]!.text).toMatch(/^<O_1> \d, <A_1> [0-2], <R_1> -?\d\.\d\d, <O_2> /);
    expect(out.meanReturn).toBeCloseTo(out.episodes.reduce((a, e) => a + e.return, 0) / 3, 12);
    expect(lab(['rollout', '--spec', spec, '--policy', 'greedy']).stderr).toContain('--policy: must be one of random, oracle, got "greedy"');
    // Integer options take plain decimal digits only.
    for (const bad of ['0x10', ' 3 ', '1e1', '2.5']) {
      expect(lab(['rollout', '--spec', spec, '--policy', 'oracle', '--episodes', bad]).stderr).toContain(`--episodes: must be an integer in [1, 10000], got ${JSON.stringify(bad)}`);
    }
  });

  it('streams one JSON line per row, then a summary', () => {
    const spec = specFile('e.json', {
      name: 't',
      env: 'energy-mdp',
      params: {},
      sweep: { param: 'horizon', values: [3, 6] },
      policies: ['random', 'oracle'],
      testTasks: 4,
      episodes: 5,
    });
    const r = lab(['experiment', '--spec', spec, '--json']);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(5);
    expect(lines.slice(0, 4).map((l) => [l.point, l.policy])).toEqual([
      [{ horizon: 3 }, 'random'],
      [{ horizon: 3 }, 'oracle'],
      [{ horizon: 6 }, 'random'],
      [{ horizon: 6 }, 'oracle'],
    ]);
    expect(lines[1]!.gap).toBe(0);
    expect(lines[4]!.summary).toMatchObject({ rows: 4 });
    const bad = lab(['experiment', '--spec', specFile('eb.json', { name: 't', env: 'energy-mdp', testTasks: 0 })]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('testTasks: must be an integer in [1, 1000], got 0');
  });
});
