/**
 * `lab train` and `lab experiment` with the language-model policies, through the real CLI on a
 * tiny model folder written at test time (tests/fixtures/test-model.ts): train --policy sft
 * writes a PEFT folder that `forward --adapter` loads, refusals name the field, and experiment
 * streams icl and sft rows with progress on stderr.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildTestModel } from '../tests/fixtures/test-model.ts';

const dir = mkdtempSync(join(tmpdir(), 'lab-train-'));
const model = join(dir, 'tiny');

function lab(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'cli/main.ts', ...args], { encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function spec(name: string, content: Record<string, unknown>): string {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify({ name, env: 'energy-mdp', params: { horizon: 3, levels: 4 }, model, ...content }));
  return path;
}

beforeAll(async () => {
  const { files } = await buildTestModel({ config: { max_position_embeddings: 512 } });
  mkdirSync(model, { recursive: true });
  for (const [name, bytes] of files) writeFileSync(join(model, name), bytes);
});

describe('lab train', () => {
  it('--policy sft writes a PEFT adapter folder with training.json, which forward --adapter --nf4 loads', () => {
    const out = join(dir, 'adapter');
    const r = lab(['train', '--spec', spec('t.json', { policies: ['sft'], training: { tasks: 3, epochs: 2, rank: 4 } }), '--policy', 'sft', '--out', out, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const s = JSON.parse(r.stdout);
    expect(s).toMatchObject({ policy: 'sft', trainRows: 30, valRows: 15 });
    expect(existsSync(join(out, 'checkpoint.safetensors'))).toBe(false);
    const config = JSON.parse(readFileSync(join(out, 'adapter_config.json'), 'utf8'));
    expect(config).toMatchObject({ peft_type: 'LORA', r: 4, lora_alpha: 16 });
    expect(config.target_modules).toHaveLength(7);
    const record = JSON.parse(readFileSync(join(out, 'training.json'), 'utf8'));
    expect(record.valLosses.map((v: { epoch: number }) => v.epoch)).toEqual([1, 2]);
    expect(record.losses.length).toBe(s.steps);
    expect(record.tokensPerSecond).toBeGreaterThan(0);
    const tokens = join(dir, 'tokens.json');
    writeFileSync(tokens, JSON.stringify({ input_ids: [[1, 20, 30, 40]] }));
    const f = lab(['forward', '--model', model, '--adapter', out, '--nf4', '--tokens', tokens, '--out', join(dir, 'f.safetensors'), '--json']);
    expect(f.code, f.stderr).toBe(0);
  });

  it('--policy dpt writes a DPT folder with training.json, which an experiment evaluates again by naming it under "trained"', () => {
    const out = join(dir, 'dpt');
    const training = { tasks: 4, seed: 1, dpt: { layers: 1, hidden: 8, epochs: 2 } };
    const r = lab(['train', '--spec', spec('d.json', { policies: ['dpt'], training }), '--policy', 'dpt', '--out', out, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ policy: 'dpt', trainSamples: 3 * 15 * 3, valSamples: 15 * 3 });
    const config = JSON.parse(readFileSync(join(out, 'config.json'), 'utf8'));
    expect(config).toMatchObject({ model_type: 'dpt', env: 'energy-mdp', obs_sizes: [4], num_actions: 3, horizon: 3, context_transitions: 6, hidden_size: 8, num_hidden_layers: 1 });
    const record = JSON.parse(readFileSync(join(out, 'training.json'), 'utf8'));
    expect(record.valLosses.map((v: { epoch: number }) => v.epoch)).toEqual([1, 2]);
    // The same spec, evaluated with the saved DPT, twice: no training progress, the same rows.
    const again = spec('d2.json', { policies: ['dpt'], training, testTasks: 2, episodes: 1, trained: { dpt: out } });
    const e = lab(['experiment', '--spec', again, '--json']);
    expect(e.code, e.stderr).toBe(0);
    expect(e.stderr).not.toMatch(/train:/);
    const rows = (out: string) => out.trim().split('\n').slice(0, -1); // the summary line holds the wall time
    expect(rows(lab(['experiment', '--spec', again, '--json']).stdout)).toEqual(rows(e.stdout));
    const missing = spec('d3.json', { policies: ['dpt'], trained: { dpt: join(dir, 'nothing') } });
    expect(lab(['experiment', '--spec', missing]).stderr).toMatch(/--spec: trained\.dpt: .*config\.json/);
    expect(lab(['experiment', '--spec', spec('d4.json', { policies: ['random'], trained: { dpt: out } })]).stderr).toMatch(/trained\.dpt: the spec's policies do not include dpt/);
  });

  it('names the bad field', () => {
    const t = spec('bad.json', { policies: ['sft'] });
    expect(lab(['train', '--spec', t, '--policy', 'ppo', '--out', join(dir, 'x')]).stderr).toMatch(/--policy: must be one of sft, dpt, got "ppo"/);
    expect(lab(['train', '--spec', t, '--policy', 'sft', '--out', model]).stderr).toMatch(/--out: .* would overwrite --spec model/);
    expect(lab(['train', '--spec', t, '--policy', 'sft', '--out', join(dir, 'y'), '--point', '2']).stderr).toMatch(/--point: must be an integer in \[1, 1\]/);
    expect(lab(['train', '--spec', t, '--policy', 'sft', '--out', join(dir, 'y'), '--threads', '3']).stderr).toMatch(/--threads: must be an integer in \[1, 2\], got "3"/);
    expect(lab(['experiment', '--spec', t, '--threads', '0']).stderr).toMatch(/--threads: must be an integer in \[1, 2\], got "0"/);
    const badTraining = spec('bad2.json', { training: { rank: 0 } });
    expect(lab(['train', '--spec', badTraining, '--policy', 'sft', '--out', join(dir, 'z')]).stderr).toMatch(/training\.rank: must be an integer in \[1, 256\], got 0/);
  });
});

describe('lab experiment with icl, sft and dpt', () => {
  it('streams rows for each, with training and evaluation progress on stderr', () => {
    const training = { tasks: 2, epochs: 1, dpt: { layers: 1, hidden: 8, epochs: 1 } };
    const r = lab(['experiment', '--spec', spec('e.json', { policies: ['random', 'icl', 'sft', 'dpt'], testTasks: 2, episodes: 1, training }), '--json']);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.slice(0, 4).map((l) => l.policy)).toEqual(['random', 'icl', 'sft', 'dpt']);
    expect(lines[4].summary.rows).toBe(4);
    expect(r.stderr).toMatch(/train: .*sft base · epoch 1/);
    expect(r.stderr).toMatch(/train: .*dpt base · epoch 1/);
    expect(r.stderr).toMatch(/experiment: 2\/2 \(100%\)/);
  });
});
