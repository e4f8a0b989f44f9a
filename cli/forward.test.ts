/** `lab forward` as other checks call it (DESIGN §7): the real CLI against the golden fixtures. */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readSafetensors, writeSafetensors } from '../src/nn/safetensors.ts';
import { relativeError } from '../tests/fixtures/compare.ts';

const dir = mkdtempSync(join(tmpdir(), 'lab-forward-'));
const FIXTURES = join(import.meta.dirname, '../tests/fixtures');

function lab(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'cli/main.ts', 'forward', ...args], { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function file(name: string, content: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

describe('lab forward', () => {
  it.each([
    ['llama-tiny', ['--adapter'], 'expected.safetensors'],
    ['llama-tiny-nf4', ['--adapter', '--nf4'], 'expected.safetensors'],
    ['llama-tiny-tied', [], 'expected-no-adapter.safetensors'],
  ])('%s with %j writes what %s holds (logits, loss, adapter gradients) within 1e-4 relative', (name, flags, expectedFile) => {
    const fixture = join(FIXTURES, name);
    const out = join(dir, `${name}.safetensors`);
    const extra = flags.flatMap((f) => (f === '--adapter' ? ['--adapter', fixture] : [f]));
    const r = lab(['--model', fixture, ...extra, '--tokens', join(fixture, 'tokens.json'), '--grad', '--out', out, '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ out, logits: [2, 7, 32], gradients: flags.includes('--adapter') ? 28 : 0 });
    const got = readSafetensors(readFileSync(out)).tensors;
    const want = readSafetensors(readFileSync(join(fixture, expectedFile))).tensors;
    expect(new Set(got.keys())).toEqual(new Set(want.keys()));
    for (const [key, ref] of want) {
      expect(got.get(key)!.dtype, key).toBe('F32');
      expect(got.get(key)!.shape, key).toEqual(ref.shape);
      expect(relativeError(got.get(key)!.data, ref.data), key).toBeLessThanOrEqual(1e-4);
    }
  });

  it('writes only logits without --grad, every t >= 1 counting when there is no loss_mask', () => {
    const model = join(FIXTURES, 'llama-tiny');
    const out = join(dir, 'plain.safetensors');
    const tokens = file('nomask.json', { input_ids: [[1, 7, 30], [4, 5, 6]] });
    expect(lab(['--model', model, '--tokens', tokens, '--out', out]).code).toBe(0);
    expect([...readSafetensors(readFileSync(out)).tensors.keys()]).toEqual(['logits']);
    const r = lab(['--model', model, '--tokens', tokens, '--grad', '--out', out, '--json']);
    const allOnes = lab(['--model', model, '--tokens', file('ones.json', { input_ids: [[1, 7, 30], [4, 5, 6]], loss_mask: [[0, 1, 1], [0, 1, 1]] }), '--grad', '--out', out, '--json']);
    expect((JSON.parse(r.stdout) as { loss: number }).loss).toBe((JSON.parse(allOnes.stdout) as { loss: number }).loss);
  });

  it('refuses bad tokens naming the field, exit 2', () => {
    const model = join(FIXTURES, 'llama-tiny');
    const run = (tokens: unknown): { code: number | null; stderr: string } => lab(['--model', model, '--tokens', file('t.json', tokens), '--out', join(dir, 'x.safetensors')]);
    const cases: [unknown, string][] = [
      [{ input_ids: [[1, 2, 3], [1, 2]] }, '--tokens: input_ids[1]: has 2 tokens, input_ids[0] has 3 (rows must have equal length)'],
      [{ input_ids: [[1, 32]] }, '--tokens: input_ids[0][1]: must be a token id in [0, 31] (vocab_size 32), got 32'],
      [{ input_ids: [[1, 2]], loss_mask: [[0, 2]] }, '--tokens: loss_mask[0][1]: must be 0 or 1, got 2'],
      [{ input_ids: [[1, 2]], loss_mask: [[0, 1, 1]] }, '--tokens: loss_mask[0]: has 3 entries, input_ids rows have 2'],
      [{ ids: [[1]] }, '--tokens: ids: unknown field'],
    ];
    for (const [tokens, message] of cases) {
      const r = run(tokens);
      expect(r.code, message).toBe(2);
      expect(r.stderr).toContain(message);
    }
  });

  it('stops with a named error when finite weights overflow the activations (a norm gain of 3e38), writing nothing', () => {
    const fixture = join(FIXTURES, 'llama-tiny');
    const hot = join(dir, 'hot-model');
    mkdirSync(hot, { recursive: true });
    copyFileSync(join(fixture, 'config.json'), join(hot, 'config.json'));
    const tensors = readSafetensors(readFileSync(join(fixture, 'model.safetensors'))).tensors;
    const scaled = new Map([...tensors].map(([k, t]) => [k, { shape: t.shape, data: k === 'model.norm.weight' ? Float32Array.from(t.data, () => 3e38) : t.data }]));
    writeFileSync(join(hot, 'model.safetensors'), writeSafetensors(scaled));
    const out = join(dir, 'hot.safetensors');
    const r = lab(['--model', hot, '--tokens', join(fixture, 'tokens.json'), '--out', out]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/--model: the forward pass produced (-?Infinity|NaN) in logits .* overflow f32 activations/);
    expect(() => readFileSync(out)).toThrow();
  });

  it('refuses bad model and adapter folders and missing options naming them, exit 2', () => {
    const fixture = join(FIXTURES, 'llama-tiny');
    const tokens = join(fixture, 'tokens.json');
    const out = join(dir, 'y.safetensors');
    const bad = join(dir, 'bad-model');
    mkdirSync(bad, { recursive: true });
    const config = JSON.parse(readFileSync(join(fixture, 'config.json'), 'utf8')) as Record<string, unknown>;
    writeFileSync(join(bad, 'config.json'), JSON.stringify({ ...config, num_key_value_heads: 3 }));
    copyFileSync(join(fixture, 'model.safetensors'), join(bad, 'model.safetensors'));
    let r = lab(['--model', bad, '--tokens', tokens, '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--model: config.json: num_attention_heads: 4 is not a multiple of num_key_value_heads 3');

    writeFileSync(join(bad, 'config.json'), JSON.stringify(config));
    const weights = readSafetensors(readFileSync(join(fixture, 'model.safetensors'))).tensors;
    weights.delete('model.layers.1.mlp.gate_proj.weight');
    writeFileSync(join(bad, 'model.safetensors'), writeSafetensors(weights));
    r = lab(['--model', bad, '--tokens', tokens, '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--model: model.safetensors: missing tensor model.layers.1.mlp.gate_proj.weight (expected shape [24, 16])');

    r = lab(['--model', fixture, '--adapter', join(dir, 'nowhere'), '--tokens', tokens, '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--adapter: cannot read');
    expect(lab(['--model', fixture, '--tokens', tokens]).stderr).toContain('--out: a file path is required');
    expect(lab(['--tokens', tokens, '--out', out]).stderr).toContain('--model: a folder path is required');
  });

  it("refuses rows longer than the model's context (max_position_embeddings) before running them", () => {
    const fixture = join(FIXTURES, 'llama-tiny'); // max_position_embeddings 64
    const tokens = file('long.json', { input_ids: [Array.from({ length: 65 }, (_, i) => i % 32)] });
    const r = lab(['--model', fixture, '--tokens', tokens, '--out', join(dir, 'long.safetensors')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--tokens: input_ids rows have 65 tokens, over the model's context of 64 (config.json max_position_embeddings)");
  });

  it("never overwrites its own inputs: --out inside the model folder or on the tokens file is refused and they stay as they were", () => {
    const model = join(dir, 'own-model');
    mkdirSync(model, { recursive: true });
    for (const f of ['config.json', 'model.safetensors', 'tokens.json']) copyFileSync(join(FIXTURES, 'llama-tiny', f), join(model, f));
    const before = readFileSync(join(model, 'model.safetensors'));
    for (const out of [join(model, 'model.safetensors'), join(model, 'tokens.json')]) {
      const r = lab(['--model', model, '--tokens', join(model, 'tokens.json'), '--out', out]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`--out: ${out} would overwrite`);
    }
    expect(readFileSync(join(model, 'model.safetensors')).equals(before)).toBe(true);
  });
});
