// The engine bench's plumbing, not its timings (benchmarks never gate tests): the in-memory ONNX
// Gemm that serves as the reference computes the same product as our matmul, onnxruntime-web
// loads its WASM from node_modules, and `--only` is validated.
import { spawnSync } from 'node:child_process';
import * as ort from 'onnxruntime-web';
import { describe, expect, it } from 'vitest';
import { Rng } from '../src/core/rng.ts';
import { CpuBackend } from '../src/nn/cpu/index.ts';
import { ENGINE_MODELS, gemmModel, matmulShapes } from './commands/bench-engine.ts';
import { benchSft } from './commands/bench-sft.ts';
import { parseOnly } from './commands/bench.ts';

describe('bench --only sft', () => {
  it('times a QLoRA step of the shipped model at three row lengths, reference and fast kernels, one and two threads, with attention and matmul shares', async () => {
    const b = await benchSft({ quick: true });
    // The H = 20 row with one-token step markers: between 600 and 1,000 tokens.
    expect(b.h20Tokens).toBeGreaterThan(600);
    expect(b.h20Tokens).toBeLessThan(1000);
    const L = [256, b.h20Tokens, 1536];
    // Per row length, the four configurations (whose steps the bench interleaves).
    expect(b.rows.map((r) => [r.kernel, r.rowTokens, r.batch, r.threads])).toEqual(L.flatMap((T) => [['reference', T, 1, 1], ['fast', T, 1, 1], ['fast', T, 2, 1], ['fast', T, 2, 2]]));
    for (const r of b.rows) {
      expect(r.tokensPerSecond).toBeCloseTo((1000 * r.rowTokens * r.batch) / r.stepMs, 9);
      if (r.threads === 1) {
        expect(r.attentionShare!).toBeGreaterThan(0);
        expect(r.attentionShare! + r.matmulShare!).toBeLessThanOrEqual(1);
      } else expect(r.attentionShare).toBeNull();
    }
    const tps = (i: number) => b.rows[i]!.tokensPerSecond;
    expect(b.speedupAt1536).toBeCloseTo(tps(11) / tps(8), 12);
    expect(b.speedupAtH20).toBeCloseTo(tps(7) / tps(4), 12);
    expect(b.kernelRatioAt1536).toBeCloseTo(tps(9) / tps(8), 12);
    expect(b.threadRatioAt1536).toBeCloseTo(tps(11) / tps(10), 12);
    expect(b.longRowRatio).toBeCloseTo(tps(9) / tps(1), 12);
  }, 240_000);
});

describe('bench --only engine: the onnxruntime reference', () => {
  it('a Gemm built in memory runs on onnxruntime-web (wasm, one thread) and equals our matmul for every transpose', async () => {
    ort.env.wasm.numThreads = 1;
    const be = new CpuBackend();
    const [m, n, k] = [5, 7, 3];
    const rng = new Rng(3, 'bench-test');
    for (const transA of [false, true]) {
      for (const transB of [false, true]) {
        const a = Float32Array.from({ length: m * k }, () => rng.normal());
        const b = Float32Array.from({ length: k * n }, () => rng.normal());
        const session = await ort.InferenceSession.create(gemmModel({ m, n, k, transA, transB }), { executionProviders: ['wasm'] });
        const r = await session.run({
          A: new ort.Tensor('float32', a, transA ? [k, m] : [m, k]),
          B: new ort.Tensor('float32', b, transB ? [n, k] : [k, n]),
        });
        await session.release();
        const out = be.alloc(m * n);
        be.matmul(be.upload(a), be.upload(b), out, { m, n, k, transA, transB });
        const y = r.Y!.data as Float32Array;
        const ours = be.view(out);
        expect(r.Y!.dims).toEqual([m, n]);
        for (let i = 0; i < m * n; i++) expect(Math.abs(y[i]! - ours[i]!)).toBeLessThan(1e-5);
      }
    }
  });

  it('times the shapes of both model sizes, every layout a LoRA step uses', () => {
    const shapes = ENGINE_MODELS.flatMap(matmulShapes);
    expect(new Set(shapes.map((s) => s.model))).toEqual(new Set(['~1M', '~10M']));
    for (const layout of [[false, true], [false, false], [true, false]]) {
      expect(shapes.some((s) => s.transA === layout[0] && s.transB === layout[1])).toBe(true);
    }
  });

  it('--only accepts solvers, engine, icl or sft and names the option otherwise', () => {
    expect(parseOnly(undefined)).toEqual(['solvers', 'engine', 'icl', 'sft']);
    expect(parseOnly('engine')).toEqual(['engine']);
    expect(parseOnly('icl')).toEqual(['icl']);
    expect(parseOnly('sft')).toEqual(['sft']);
    expect(() => parseOnly('gpu')).toThrow(/--only: must be one of solvers, engine, icl, sft, got "gpu"/);
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'cli/main.ts', 'bench', '--only', 'gpu'], { encoding: 'utf8', timeout: 60_000 });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--only/);
  });
});
