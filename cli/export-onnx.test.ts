/** `lab export-onnx`: the real CLI writes a folder whose graph reproduces the golden logits. */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-web';
import { describe, expect, it } from 'vitest';
import { readSafetensors } from '../src/nn/safetensors.ts';
import { relativeError } from '../tests/fixtures/compare.ts';

const dir = mkdtempSync(join(tmpdir(), 'lab-export-onnx-'));
const FIXTURE = join(import.meta.dirname, '../tests/fixtures/llama-tiny');

function lab(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'cli/main.ts', 'export-onnx', ...args], { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Logits of the fixture's tokens from an exported folder (first step: empty caches). */
async function logitsOf(folder: string): Promise<Float32Array> {
  const ids = (JSON.parse(readFileSync(join(FIXTURE, 'tokens.json'), 'utf8')) as { input_ids: number[][] }).input_ids;
  const [B, T] = [ids.length, ids[0]!.length];
  const i64 = (rows: number[][]): ort.Tensor => new ort.Tensor('int64', BigInt64Array.from(rows.flat().map(BigInt)), [B, T]);
  const feeds: Record<string, ort.Tensor> = { input_ids: i64(ids), attention_mask: i64(ids.map((r) => r.map(() => 1))), position_ids: i64(ids.map((r) => r.map((_, t) => t))) };
  for (const l of [0, 1]) for (const k of ['key', 'value']) feeds[`past_key_values.${l}.${k}`] = new ort.Tensor('float32', new Float32Array(0), [B, 2, 0, 4]);
  const session = await ort.InferenceSession.create(readFileSync(join(folder, 'onnx', 'model.onnx')));
  const out = await session.run(feeds);
  await session.release();
  return out.logits!.data as Float32Array;
}

describe('lab export-onnx', () => {
  it('exports with and without --adapter; the graphs give the golden logits within 1e-4; tokenizer files are copied', async () => {
    const model = join(dir, 'model');
    mkdirSync(model);
    for (const f of ['config.json', 'model.safetensors']) copyFileSync(join(FIXTURE, f), join(model, f));
    writeFileSync(join(model, 'tokenizer.json'), '{"version": "1.0"}');
    for (const [flags, expected] of [[['--adapter', FIXTURE], 'expected.safetensors'], [[], 'expected-no-adapter.safetensors']] as const) {
      const out = join(dir, `out-${flags.length}`);
      const r = lab(['--model', model, ...flags, '--out', out, '--json']);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      const summary = JSON.parse(r.stdout) as { files: string[]; adapterMerged: boolean };
      expect(summary).toMatchObject({ out, files: ['config.json', 'generation_config.json', 'onnx/model.onnx', 'tokenizer.json'], adapterMerged: flags.length > 0 });
      const reference = readSafetensors(readFileSync(join(FIXTURE, expected))).tensors.get('logits')!.data;
      expect(relativeError(await logitsOf(out), reference)).toBeLessThanOrEqual(1e-4);
      expect(readFileSync(join(out, 'tokenizer.json'), 'utf8')).toBe('{"version": "1.0"}');
    }
  });

  it('refuses missing options and bad folders naming the option, exit 2', () => {
    const out = join(dir, 'bad-out');
    const link = join(dir, 'model-link');
    symlinkSync(FIXTURE, link);
    const cases: [string[], string][] = [
      [['--out', out], '--model: a folder path is required'],
      [['--model', FIXTURE], '--out: a folder path is required'],
      [['--model', FIXTURE, '--out', FIXTURE], `--out: ${FIXTURE} would overwrite --model ${FIXTURE}`],
      // A symlink to the model folder is the model folder.
      [['--model', FIXTURE, '--out', link], `--out: ${link} would overwrite --model ${FIXTURE}`],
      [['--model', join(dir, 'nowhere'), '--out', out], '--model: cannot read'],
      [['--model', FIXTURE, '--adapter', join(dir, 'nowhere'), '--out', out], '--adapter: cannot read'],
      [['--model', FIXTURE, '--out', out, '--nf4'], "export-onnx: Unknown option '--nf4'"],
    ];
    for (const [args, message] of cases) {
      const r = lab(args);
      expect(r.code, message).toBe(2);
      expect(r.stderr).toContain(message);
    }
    const bad = join(dir, 'bad-config');
    mkdirSync(bad);
    const config = JSON.parse(readFileSync(join(FIXTURE, 'config.json'), 'utf8')) as Record<string, unknown>;
    writeFileSync(join(bad, 'config.json'), JSON.stringify({ ...config, max_position_embeddings: 0 }));
    copyFileSync(join(FIXTURE, 'model.safetensors'), join(bad, 'model.safetensors'));
    const r = lab(['--model', bad, '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--model: config.json: max_position_embeddings: must be a positive integer, got 0');
    expect(existsSync(join(out, 'onnx', 'model.onnx'))).toBe(false);
  });
});
