/**
 * `bench --only engine`: the CPU tensor engine (src/nn/cpu) measured against a reference run in
 * the same process (docs/benchmarks.md, "Engine (CPU)").
 *
 * 1. Matmul GFLOP/s (2·m·n·k per product) for the shapes a LoRA training step of the ~1M and
 *    ~10M Llama configs below actually runs: x·Wᵀ forward (transB), the backward dx = dy·W
 *    (plain), the LoRA dA = dhᵀ·x (transA, m = r) and the full weight-gradient layout dyᵀ·x
 *    (transA; what an unfrozen linear would run). Median over repeats. The reference is
 *    onnxruntime-web's WASM backend, single-threaded (numThreads = 1; our CPU backend is one
 *    thread too), on a one-node Gemm graph with the same transA/transB, same shape, same FLOP
 *    count; the ratio is ours / onnxruntime.
 * 2. Training tokens/s: forward + backward + AdamW of LoRA r = 8 on all seven projections of a
 *    frozen random Llama (randomLlama, seeded), f32 base and NF4 base; median step time after a
 *    warm-up step. A proxy around the backend also times every kernel, so the report shows where
 *    a step spends its time (the profile the CPU optimisations were chosen by).
 *
 * The ONNX model is built in memory with the ONNX exporter's graph builder (src/models/onnx,
 * protobufjs underneath); nothing is read from the network: onnxruntime-web's Node build loads its .wasm from
 * node_modules/onnxruntime-web/dist.
 */
import { median } from '../../src/core/metrics.ts';
import { createRequire } from 'node:module';
import path from 'node:path';
import { GraphBuilder } from '../../src/models/onnx/graph-builder.ts';
import { DataType } from '../../src/models/onnx/onnx-proto.ts';
import * as ort from 'onnxruntime-web';
import { Rng } from '../../src/core/rng.ts';
import type { Backend, Buf, MatmulParams } from '../../src/nn/backend.ts';
import { CpuBackend } from '../../src/nn/cpu/index.ts';
import { matmulKernel, setMatmulKernel } from '../../src/nn/cpu/matmul.ts';
import type { LlamaConfig } from '../../src/nn/llama-config.ts';
import { randomLlama } from '../../src/nn/llama.ts';
import { adapterParams, initLora } from '../../src/nn/lora.ts';
import { nextTokenTargets } from '../../src/nn/ops.ts';
import { AdamW, trainStep } from '../../src/nn/optim.ts';
import { Tape } from '../../src/nn/tape.ts';

export interface EngineModel {
  label: string;
  config: LlamaConfig;
  batch: number;
  seq: number;
}

const common = { numLayers: 4, ropeTheta: 10000, rmsNormEps: 1e-5, tieWordEmbeddings: false };

/** The two sizes of the requirement; same shapes as the WebGPU bench page's toy decoder. */
export const ENGINE_MODELS: readonly EngineModel[] = [
  { label: '~1M', config: { ...common, vocabSize: 1024, hiddenSize: 128, intermediateSize: 352, numHeads: 4, numKvHeads: 2, headDim: 32 }, batch: 4, seq: 64 },
  { label: '~10M', config: { ...common, vocabSize: 4096, hiddenSize: 384, intermediateSize: 1024, numHeads: 6, numKvHeads: 2, headDim: 64 }, batch: 4, seq: 64 },
];

const LORA = { r: 8, alpha: 16, dropout: 0.05 };

export interface MatmulShape {
  model: string;
  /** What the product is in the training step. */
  role: string;
  m: number;
  n: number;
  k: number;
  transA: boolean;
  transB: boolean;
}

/** The products of one training step worth timing, per model (N = batch·seq tokens). */
export function matmulShapes(em: EngineModel): MatmulShape[] {
  const c = em.config;
  const N = em.batch * em.seq;
  const s = (role: string, m: number, n: number, k: number, transA: boolean, transB: boolean): MatmulShape => ({ model: em.label, role, m, n, k, transA, transB });
  return [
    s('gate/up fwd  x·Wᵀ', N, c.intermediateSize, c.hiddenSize, false, true),
    s('down bwd dx  dy·W', N, c.intermediateSize, c.hiddenSize, false, false),
    s('lm_head fwd  x·Eᵀ', N, c.vocabSize, c.hiddenSize, false, true),
    s('lm_head bwd dx dy·E', N, c.hiddenSize, c.vocabSize, false, false),
    s('LoRA dA  dhᵀ·x', LORA.r, c.hiddenSize, N, true, false),
    s('weight grad dyᵀ·x', c.intermediateSize, c.hiddenSize, N, true, false),
  ];
}

export interface MatmulRow extends MatmulShape {
  /** The engine's matmul as it runs: the fast kernels' f32x4 WebAssembly kernel on f32 storage (cpu/matmul32.ts). */
  oursMs: number;
  oursGflops: number;
  /** The reference kernels' packed f64 matmul (cpu/matmul.ts): its WebAssembly f64x2 loop, and its scalar JS fallback. */
  f64SimdGflops: number;
  scalarGflops: number;
  ortMs: number;
  ortGflops: number;
  /** ours / onnxruntime, in GFLOP/s (> 1: we are faster). */
  ratio: number;
  /** max |ours − ort| / max |ort|: both compute the same product. */
  relError: number;
}

export interface TrainRow {
  model: string;
  base: 'f32' | 'nf4';
  /** Parameters of the (frozen) base model, and of the LoRA adapter (the only trained ones). */
  baseParams: number;
  loraParams: number;
  batch: number;
  seq: number;
  steps: number;
  medianStepMs: number;
  tokensPerSecond: number;
  /** Matmul GFLOP per step (2·m·n·k summed) and the achieved rate over the whole step. */
  matmulGflopPerStep: number;
  gflops: number;
  /** Share of the step's time per kernel, largest first (from the timing proxy). */
  profile: { kernel: string; share: number }[];
  finalLoss: number;
}

export interface EngineBench {
  /** 'wasm' (WebAssembly SIMD) or 'js': the matmul kernel the training rows ran with. */
  kernel: string;
  matmul: MatmulRow[];
  training: TrainRow[];
  reference: string;
}

// ---------------------------------------------------------------------------------------------
// The reference: onnxruntime-web (WASM, one thread) on a one-node Gemm graph.

/** A serialized ONNX model computing Y = op(A)·op(B) with Gemm (opset 13, no C input), built with the exporter's graph builder. */
export function gemmModel(s: Pick<MatmulShape, 'm' | 'n' | 'k' | 'transA' | 'transB'>): Uint8Array {
  const g = new GraphBuilder();
  const a = g.input('A', DataType.FLOAT, s.transA ? [s.k, s.m] : [s.m, s.k]);
  const b = g.input('B', DataType.FLOAT, s.transB ? [s.n, s.k] : [s.k, s.n]);
  g.output('Y', DataType.FLOAT, [s.m, s.n]);
  g.op('Gemm', [a, b], { transA: { int: s.transA ? 1 : 0 }, transB: { int: s.transB ? 1 : 0 } }, 'Y');
  return g.encode({ name: 'gemm', opset: 13, irVersion: 8, producer: 'decision-lab bench', doc: '' });
}

let ortReady = false;

function setUpOrt(): void {
  if (ortReady) return;
  ort.env.wasm.numThreads = 1; // one thread, like our CPU backend
  ort.env.wasm.proxy = false;
  // The .wasm next to the package's JS; never a CDN.
  const dist = path.dirname(createRequire(import.meta.url).resolve('onnxruntime-web/ort-wasm-simd-threaded.wasm'));
  ort.env.wasm.wasmPaths = dist + path.sep;
  ort.env.logLevel = 'error';
  ortReady = true;
}

/** ms per call of `fn` after two warm-up calls: `repeats` samples, each the mean of enough calls to last ≥ minMs. */
async function timeIt(fn: () => unknown, repeats: number, minMs: number): Promise<number[]> {
  await fn();
  const t0 = performance.now();
  await fn();
  const once = Math.max(1e-3, performance.now() - t0);
  const inner = Math.max(1, Math.ceil(minMs / once));
  const out: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const t = performance.now();
    for (let i = 0; i < inner; i++) await fn();
    out.push((performance.now() - t) / inner);
  }
  return out;
}

export async function benchMatmuls(shapes: readonly MatmulShape[], repeats: number, minMs: number): Promise<MatmulRow[]> {
  setUpOrt();
  const be = new CpuBackend();
  const reference = new CpuBackend({ kernels: 'reference' });
  const rows: MatmulRow[] = [];
  const rng = new Rng(11, 'bench-matmul');
  for (const s of shapes) {
    const a = Float32Array.from({ length: s.m * s.k }, () => rng.normal());
    const b = Float32Array.from({ length: s.k * s.n }, () => rng.normal());
    const A = be.upload(a);
    const B = be.upload(b);
    const C = be.alloc(s.m * s.n);
    const p: MatmulParams = { m: s.m, n: s.n, k: s.k, transA: s.transA, transB: s.transB };
    setMatmulKernel('js');
    const scalar = median(await timeIt(() => reference.matmul(A, B, C, p), repeats, minMs));
    setMatmulKernel('wasm');
    const f64Simd = median(await timeIt(() => reference.matmul(A, B, C, p), repeats, minMs));
    const ours = median(await timeIt(() => be.matmul(A, B, C, p), repeats, minMs));

    const session = await ort.InferenceSession.create(gemmModel(s), { executionProviders: ['wasm'], graphOptimizationLevel: 'all' });
    const feeds = {
      A: new ort.Tensor('float32', a, s.transA ? [s.k, s.m] : [s.m, s.k]),
      B: new ort.Tensor('float32', b, s.transB ? [s.n, s.k] : [s.k, s.n]),
    };
    let y: Float32Array | null = null;
    const ortMs = median(
      await timeIt(async () => {
        const r = await session.run(feeds);
        y = r.Y!.data as Float32Array;
      }, repeats, minMs),
    );
    await session.release();

    const c = be.view(C);
    let diff = 0;
    let scale = 1e-30;
    const ref = y as Float32Array | null;
    if (ref) for (let i = 0; i < c.length; i++) {
      diff = Math.max(diff, Math.abs(c[i]! - ref[i]!));
      scale = Math.max(scale, Math.abs(ref[i]!));
    }
    const flop = 2 * s.m * s.n * s.k;
    const oursGflops = flop / ours / 1e6;
    const ortGflops = flop / ortMs / 1e6;
    rows.push({ ...s, oursMs: ours, oursGflops, f64SimdGflops: flop / f64Simd / 1e6, scalarGflops: flop / scalar / 1e6, ortMs, ortGflops, ratio: oursGflops / ortGflops, relError: diff / scale });
  }
  return rows;
}

// ---------------------------------------------------------------------------------------------
// Training tokens/s.

/** `be` with every kernel timed and every matmul's FLOPs counted (a proxy; the backend is untouched). */
function profiled(be: Backend): { backend: Backend; flops: () => number; times: Map<string, number> } {
  let flops = 0;
  const times = new Map<string, number>();
  const backend = new Proxy(be, {
    get(target, key) {
      const v: unknown = Reflect.get(target, key, target);
      if (typeof v !== 'function') return v;
      const fn = (v as (...args: unknown[]) => unknown).bind(target);
      const name = String(key);
      if (name === 'read') return fn;
      return (...args: unknown[]) => {
        if (name === 'matmul') {
          const p = args[3] as MatmulParams;
          flops += 2 * p.m * p.n * p.k;
        }
        const t = performance.now();
        const r = fn(...args);
        times.set(name, (times.get(name) ?? 0) + performance.now() - t);
        return r;
      };
    },
  });
  return { backend, flops: () => flops, times };
}

export async function benchTraining(em: EngineModel, nf4: boolean, steps: number): Promise<TrainRow> {
  const { backend: be, flops, times } = profiled(new CpuBackend());
  const c = em.config;
  const model = randomLlama(be, c, 1, { nf4 });
  const adapter = initLora(be, c, LORA, 2);
  model.setAdapter(adapter);
  const params = adapterParams(adapter);
  const opt = new AdamW(be, params);
  const tape = new Tape(be);
  const rng = new Rng(7, 'bench-train');
  const rowsIds = Array.from({ length: em.batch }, () => Array.from({ length: em.seq }, () => rng.int(c.vocabSize)));
  const { targets, mask } = nextTokenTargets(rowsIds);
  const ids = be.uploadIndices(rowsIds.flat());
  const tgt = be.uploadIndices(targets);
  const maskBuf: Buf = be.upload(mask);
  const count = mask.reduce((s, x) => s + x, 0);
  const step = (s: number) =>
    trainStep(tape, opt, [{ count }], (tp, _mb, denominator) => model.loss(tp, ids, em.batch, em.seq, tgt, maskBuf, { seed: s, denominator }).loss, { lr: 1e-3, maxGradNorm: 1 });
  const f0 = flops();
  await step(0); // warm-up: the pool fills, V8 compiles the kernels
  const perStep = flops() - f0;
  times.clear();
  const ms: number[] = [];
  let loss = 0;
  for (let s = 1; s <= steps; s++) {
    const t = performance.now();
    loss = (await step(s)).loss;
    ms.push(performance.now() - t);
  }
  const total = ms.reduce((a, b) => a + b, 0);
  const profile = [...times.entries()].map(([kernel, t]) => ({ kernel, share: t / total })).sort((a, b) => b.share - a.share);
  const kernelShare = profile.reduce((s, p) => s + p.share, 0);
  profile.push({ kernel: '(outside kernels)', share: Math.max(0, 1 - kernelShare) });
  const medianStepMs = median(ms);
  const baseParams = c.vocabSize * c.hiddenSize * (c.tieWordEmbeddings ? 1 : 2) + c.hiddenSize + c.numLayers * (2 * c.hiddenSize) +
    model.layers.reduce((s, l) => s + Object.values(l.proj).reduce((t, w) => t + w.shape[0]! * w.shape[1]!, 0), 0);
  return {
    model: em.label,
    base: nf4 ? 'nf4' : 'f32',
    baseParams,
    loraParams: params.reduce((s, t) => s + t.size, 0),
    batch: em.batch,
    seq: em.seq,
    steps,
    medianStepMs,
    tokensPerSecond: (em.batch * em.seq) / (medianStepMs / 1000),
    matmulGflopPerStep: perStep / 1e9,
    gflops: perStep / (medianStepMs / 1000) / 1e9,
    profile,
    finalLoss: loss,
  };
}

export async function benchEngine(o: { quick: boolean; onProgress?: (line: string) => void }): Promise<EngineBench> {
  const shapes = ENGINE_MODELS.flatMap(matmulShapes);
  const matmul = await benchMatmuls(shapes, o.quick ? 3 : 7, o.quick ? 20 : 150);
  o.onProgress?.('matmul done');
  const training: TrainRow[] = [];
  for (const em of ENGINE_MODELS) {
    for (const nf4 of [false, true]) {
      training.push(await benchTraining(em, nf4, o.quick ? 2 : em.label === '~1M' ? 7 : 5));
      o.onProgress?.(`training ${em.label} ${nf4 ? 'nf4' : 'f32'} done`);
    }
  }
  return { kernel: matmulKernel(), matmul, training, reference: `onnxruntime-web ${ort.env.versions.web ?? '?'} (wasm, numThreads 1, Gemm)` };
}

export function printEngine(r: EngineBench): void {
  const f = (x: number, d = 2) => x.toFixed(d);
  console.log(`\nEngine (CPU backend, one thread; ours = the fast kernels' f32x4 matmul, then the reference kernels' f64 matmul: ${r.kernel} loop and scalar JS) — matmul, median; reference ${r.reference}`);
  console.log('model  product                  m     n     k  tA tB   ours ms  GFLOP/s  f64 SIMD  scalar JS    ort ms  GFLOP/s  ours/ort  max rel diff');
  for (const m of r.matmul) {
    console.log(
      `${m.model.padEnd(6)} ${m.role.padEnd(20)} ${String(m.m).padStart(5)} ${String(m.n).padStart(5)} ${String(m.k).padStart(5)}  ${m.transA ? 'T' : '-'}  ${m.transB ? 'T' : '-'} ${f(m.oursMs, 3).padStart(9)} ${f(m.oursGflops).padStart(8)} ${f(m.f64SimdGflops).padStart(9)} ${f(m.scalarGflops).padStart(10)} ${f(m.ortMs, 3).padStart(9)} ${f(m.ortGflops).padStart(8)} ${f(m.ratio, 3).padStart(9)}  ${m.relError.toExponential(1)}`,
    );
  }
  console.log('\nEngine (CPU) — LoRA r=8 on all 7 projections, frozen base; forward + backward + AdamW, median step');
  console.log('model  base  base params  LoRA params  batch×seq  steps  step ms  tokens/s  matmul GFLOP/step  GFLOP/s  profile (share of step time)');
  for (const t of r.training) {
    const prof = t.profile.slice(0, 5).map((p) => `${p.kernel} ${(100 * p.share).toFixed(0)}%`).join(', ');
    console.log(
      `${t.model.padEnd(6)} ${t.base.padEnd(4)} ${String(t.baseParams).padStart(12)} ${String(t.loraParams).padStart(12)} ${`${t.batch}×${t.seq}`.padStart(10)} ${String(t.steps).padStart(6)} ${f(t.medianStepMs, 0).padStart(8)} ${f(t.tokensPerSecond, 0).padStart(9)} ${f(t.matmulGflopPerStep, 3).padStart(18)} ${f(t.gflops).padStart(8)}  ${prof}`,
    );
  }
}
