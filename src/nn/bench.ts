/**
 * Training-step benchmark: the toy decoder's LoRA step (forward, backward, AdamW) at two sizes,
 * timed on any backend. Achieved GFLOP/s counts only the matrix multiplies (2·m·n·k each),
 * which are nearly all of the arithmetic, so it is comparable with a device's matmul peak.
 * Benchmarks are never tests (DESIGN §8): nothing asserts on these numbers.
 */
import { Rng } from '../core/rng.ts';
import type { Backend, MatmulParams } from './backend.ts';
import { crossEntropy } from './ops.ts';
import { AdamW, trainStep } from './optim.ts';
import { Tape } from './tape.ts';
import { initToyModel, toyForward, type ToyConfig } from './toy-decoder.ts';
import { PROJECTIONS } from './llama-config.ts';

export interface BenchSize {
  label: string;
  config: ToyConfig;
  batch: number;
  seq: number;
}

const common = { rank: 8, alpha: 16, dropout: 0.05, theta: 10000, eps: 1e-5 };

export const BENCH_SIZES: readonly BenchSize[] = [
  { label: '~1M parameters', config: { ...common, vocab: 1024, dim: 128, layers: 4, heads: 4, kvHeads: 2, hidden: 352 }, batch: 8, seq: 128 },
  { label: '~10M parameters', config: { ...common, vocab: 4096, dim: 384, layers: 4, heads: 6, kvHeads: 2, hidden: 1024 }, batch: 8, seq: 128 },
];

export interface BenchResult {
  label: string;
  params: number;
  tokensPerStep: number;
  steps: number;
  seconds: number;
  tokensPerSecond: number;
  gflopPerStep: number;
  gflops: number;
  finalLoss: number;
}

/** `be` with its matmul counted: a proxy, so the backend's own buffers and methods are untouched. */
function countingMatmuls(be: Backend): { backend: Backend; flops: () => number } {
  let flops = 0;
  const backend = new Proxy(be, {
    get(target, key) {
      if (key === 'matmul') {
        return (a: Parameters<Backend['matmul']>[0], b: Parameters<Backend['matmul']>[1], out: Parameters<Backend['matmul']>[2], p: MatmulParams) => {
          flops += 2 * p.m * p.n * p.k;
          target.matmul(a, b, out, p);
        };
      }
      const v: unknown = Reflect.get(target, key, target);
      return typeof v === 'function' ? (v as (...args: unknown[]) => unknown).bind(target) : v;
    },
  });
  return { backend, flops: () => flops };
}

/** One warm-up step (pipelines compile, the pool fills), then `steps` timed steps on random tokens. */
export async function benchTrainStep(be: Backend, size: BenchSize, steps: number, onStep?: (done: number) => void): Promise<BenchResult> {
  const { backend, flops } = countingMatmuls(be);
  const c = size.config;
  const tokens = size.batch * size.seq;
  const model = initToyModel(backend, c, 1);
  const m = model.model;
  const base = [m.embed, m.finalNorm, m.lmHead, ...m.layers.flatMap((l) => [l.attnNorm, l.mlpNorm, ...PROJECTIONS.map((p) => l.proj[p])])];
  const params = [...base, ...model.adapters].reduce((s, t) => s + t.shape.reduce((a, b) => a * b, 1), 0);
  const opt = new AdamW(backend, model.adapters);
  const tape = new Tape(backend);
  const rng = new Rng(7, 'bench');
  const ids = backend.uploadIndices(Array.from({ length: tokens }, () => rng.int(c.vocab)));
  const targets = backend.uploadIndices(Array.from({ length: tokens }, () => rng.int(c.vocab)));
  const mask = backend.upload(new Float32Array(tokens).fill(1));
  const step = (s: number) =>
    trainStep(tape, opt, [{ count: tokens }], (tp, _mb, denominator) => crossEntropy(tp, toyForward(tp, model, ids, size.batch, size.seq, s), targets, mask, { denominator }), { lr: 1e-3, maxGradNorm: 1 });
  const before = flops();
  await step(0);
  const perStep = flops() - before;
  onStep?.(0);
  const t0 = performance.now();
  let loss = 0;
  for (let s = 1; s <= steps; s++) {
    loss = (await step(s)).loss; // each step awaits its loss and gradient norm: the time is real
    onStep?.(s);
  }
  const seconds = (performance.now() - t0) / 1000;
  return {
    label: size.label,
    params,
    tokensPerStep: tokens,
    steps,
    seconds,
    tokensPerSecond: (tokens * steps) / seconds,
    gflopPerStep: perStep / 1e9,
    gflops: (perStep * steps) / seconds / 1e9,
    finalLoss: loss,
  };
}
