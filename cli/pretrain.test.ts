/**
 * `lab pretrain` and `lab model-card` through the real CLI at toy scale: a run interrupted
 * (--stop-after) and resumed writes the same model.safetensors bytes as an uninterrupted run on
 * two worker threads; the folder loads as a model with its tokenizer; the model card is written
 * from measurements.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CpuBackend } from '../src/nn/cpu/index.ts';
import { parseLlamaConfig } from '../src/nn/llama-config.ts';
import { loadLlama } from '../src/nn/llama.ts';
import { loadLabTokenizer, VOCAB_SIZE } from '../src/models/tokenizer/index.ts';
import { SHIPPED_MODEL_NAME } from '../src/models/pretrain/card.ts';
import { pretrainOptions, reproduceCommand } from './commands/pretrain.ts';

const dir = mkdtempSync(join(tmpdir(), 'lab-pretrain-'));
const TOY = ['--layers', '2', '--hidden', '16', '--heads', '2', '--kv-heads', '1', '--intermediate', '32', '--steps', '5', '--batch', '4', '--seq', '160', '--warm-steps', '0', '--warmup', '1', '--mix', 'copy=6'];

function lab(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'cli/main.ts', ...args], { encoding: 'utf8', timeout: 90_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('lab pretrain', () => {
  const whole = join(dir, 'whole');
  const parts = join(dir, 'parts');

  it('an interrupted and resumed one-thread run writes the bytes of an uninterrupted two-thread run', () => {
    const a = lab(['pretrain', '--out', whole, ...TOY, '--threads', '2', '--json']);
    expect(a.code, a.stderr).toBe(0);
    expect(JSON.parse(a.stdout)).toMatchObject({ step: 5, steps: 5, tokens: 5 * 4 * 160, threads: 2, done: true });
    expect(a.stderr).toMatch(/step 5\/5 loss \d+\.\d+ lr \S+ gnorm \S+ tok\/s \d+ eta/);

    const b = lab(['pretrain', '--out', parts, ...TOY, '--threads', '1', '--stop-after', '2', '--json']);
    expect(b.code, b.stderr).toBe(0);
    expect(JSON.parse(b.stdout)).toMatchObject({ step: 2, done: false });
    expect(existsSync(join(parts, 'model.safetensors'))).toBe(false);
    const again = lab(['pretrain', '--out', parts, ...TOY, '--threads', '1']);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/--out: .*checkpoint\.safetensors exists; pass --resume/);
    const c = lab(['pretrain', '--out', parts, ...TOY, '--threads', '1', '--resume', '--json']);
    expect(c.code, c.stderr).toBe(0);
    expect(c.stderr).toMatch(/resuming .* at step 2\/5/);
    expect(readFileSync(join(parts, 'model.safetensors')).equals(readFileSync(join(whole, 'model.safetensors')))).toBe(true);
    const record = JSON.parse(readFileSync(join(whole, 'pretrain.json'), 'utf8'));
    expect(record).toMatchObject({ tokens: 3200, steps: 5, threads: 2 });
    expect(record.command).toMatch(/^npm run -s lab -- pretrain --out .* --layers 2 --hidden 16 .* --mix sentences=4,copy=6,/);
  });

  it('writes a model folder that loads (config, weights, tokenizer), and model-card measures it', async () => {
    const config = parseLlamaConfig(JSON.parse(readFileSync(join(whole, 'config.json'), 'utf8')));
    expect(config).toMatchObject({ hiddenSize: 16, numLayers: 2, numKvHeads: 1, tieWordEmbeddings: true, vocabSize: VOCAB_SIZE });
    loadLlama(new CpuBackend(), config, readFileSync(join(whole, 'model.safetensors')));
    const tok = await loadLabTokenizer(whole);
    expect(tok.decode(tok.encode('again: 12 Tom'))).toBe('again: 12 Tom');
    const r = lab(['model-card', '--model', whole, '--seed', '5', '--copy-examples', '3', '--kv-examples', '3', '--documents', '4', '--token-examples', '2', '--no-icl', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const s = JSON.parse(r.stdout);
    expect(s).toMatchObject({ parameters: 16 * VOCAB_SIZE + 2 * (2 * 16 + 16 * 16 * 2 + 2 * 8 * 16 + 3 * 16 * 32) + 16, seeds: { copy: 5, kv: 6, corpus: 7, tokens: 8 } });
    expect(s.copyAccuracy).toBeGreaterThanOrEqual(0);
    // Random-token copying at 10..650 tokens, from the start and from the end of the 2,048-token context.
    expect(s.tokenCopy.map((p: { length: number }) => p.length)).toEqual([10, 50, 150, 300, 650, 10, 50, 150, 300, 650]);
    expect(Math.max(...s.tokenCopy.map((p: { offset: number; length: number }) => p.offset + 2 * p.length))).toBe(2040);
    expect(s.icl).toBeNull();
    expect(s.perplexity).toBeGreaterThan(1);
    const card = readFileSync(join(whole, 'README.md'), 'utf8');
    expect(card).toContain('## Measured abilities');
    expect(card).toContain(record(whole).command);
    expect(card).toMatch(/in-context copying .* \*\*\d+\.\d %\*\*/);
    expect(card).toMatch(/\| 650 \| 740 \| 1392–2040 \| \*\*\d+\.\d %\*\*/);
  });

  it('its defaults are the shipped model\'s recipe: `pretrain --out DIR` alone repeats the recorded run', () => {
    const shipped = join('public/models', SHIPPED_MODEL_NAME);
    const words = record(shipped).command.replace(/^npm run -s lab -- pretrain /, '').split(/\s+/);
    const args: Record<string, string> = {};
    for (let i = 0; i < words.length; i += 2) args[words[i]!.replace(/^--/, '')] = words[i + 1]!;
    expect(pretrainOptions({ ...args, resume: false, json: false, untied: false })).toEqual(pretrainOptions({ resume: false, json: false, untied: false }));
  });

  it('names the bad option', () => {
    const r = lab(['pretrain', '--out', join(dir, 'bad'), '--heads', '3', '--hidden', '16']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--heads: hidden 16 is not a multiple of heads 3/);
    expect(lab(['pretrain', '--out', join(dir, 'bad'), '--mix', 'poems=1']).stderr).toMatch(/--mix: .*unknown document kind "poems"/);
    expect(() => pretrainOptions({ kernels: 'turbo', resume: false, json: false, untied: false })).toThrow(/--kernels: must be one of reference, fast, got "turbo"/);
  });

  it('--kernels: fast is the default (the shipped recipe); reference leaves the options as earlier recipes had them and is named in the command', () => {
    const base = { resume: false, json: false, untied: false };
    expect(pretrainOptions(base).kernels).toBe('fast');
    expect(pretrainOptions({ ...base, kernels: 'fast' })).toEqual(pretrainOptions(base));
    const reference = pretrainOptions({ ...base, kernels: 'reference' });
    expect(reference).not.toHaveProperty('kernels');
    expect(reproduceCommand(pretrainOptions(base), 'D')).toMatch(/ --kernels fast$/);
    // A recorded reference command must stay a reference run now that the default is fast.
    expect(reproduceCommand(reference, 'D')).toMatch(/ --kernels reference$/);
  });
});

function record(folder: string): { command: string } {
  return JSON.parse(readFileSync(join(folder, 'pretrain.json'), 'utf8')) as { command: string };
}
