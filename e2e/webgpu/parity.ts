/**
 * The WebGPU parity page (DESIGN §8, tier 2): every kernel on random tiny inputs on the CPU
 * backend and on the WebGPU backend, one whole LoRA training step of the lab's LlamaModel (f32
 * or NF4 base, nn/toy-decoder.ts sizes) on both, one whole DPT training step on both,
 * and a short fine-tune on WebGPU alone. e2e/webgpu.spec.ts calls the functions put on
 * `window.parity` and asserts on what they return; the page itself asserts nothing.
 *
 * Relative error of a tensor: max|gpu − cpu| / max(max|cpu|, 1e-6), the CPU being the reference.
 */
import { Rng } from '../../src/core/rng.ts';
import type { Backend, Buf, IndexBuf } from '../../src/nn/backend.ts';
import { benchTrainStep, type BenchResult } from '../../src/nn/bench.ts';
import { CpuBackend } from '../../src/nn/cpu/index.ts';
import { crossEntropy } from '../../src/nn/ops.ts';
import { AdamW, trainStep } from '../../src/nn/optim.ts';
import { Tape } from '../../src/nn/tape.ts';
import { initToyModel, toyForward } from '../../src/nn/toy-decoder.ts';
import { WebGpuBackend, type WebGpuInfo } from '../../src/nn/webgpu/index.ts';
import { KERNEL_CASES } from './cases.ts';
import { parseExperimentSpec } from '../../src/experiments/spec.ts';
import { buildDptDataset, dptBatch } from '../../src/training/dpt-data.ts';
import { initDpt } from '../../src/training/dpt-model.ts';
import { COPY_TASK, TOY_COPY_CONFIG, allocTrainBuffers, copyBatch, writeBatch, type TokenRows } from '../../src/nn/toy-tasks.ts';

export function relErr(gpu: ArrayLike<number>, cpu: ArrayLike<number>): number {
  if (gpu.length !== cpu.length) return Infinity;
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < cpu.length; i++) {
    const d = Math.abs(gpu[i]! - cpu[i]!);
    diff = Number.isNaN(d) ? Infinity : Math.max(diff, d);
    scale = Math.max(scale, Math.abs(cpu[i]!));
  }
  return diff / Math.max(scale, 1e-6);
}

let gpu: WebGpuBackend | null = null;
async function backend(): Promise<WebGpuBackend> {
  gpu ??= await WebGpuBackend.create();
  if (!gpu) throw new Error('no WebGPU adapter');
  return gpu;
}

async function info(): Promise<WebGpuInfo | null> {
  return (await WebGpuBackend.create())?.info ?? null;
}

/** Max relative error per kernel case (the worst of its output buffers). */
async function kernels(): Promise<Record<string, number>> {
  const be = await backend();
  const cpu = new CpuBackend();
  const result: Record<string, number> = {};
  for (const c of KERNEL_CASES) {
    const rng = new Rng(11, c.name);
    const data = Object.fromEntries(Object.entries(c.inputs).map(([k, n]) => [k, Array.from({ length: n }, () => rng.normal())]));
    if (c.positive) for (const k of c.positive) data[k] = data[k]!.map((x) => 0.5 + Math.abs(x));
    const ids = Object.fromEntries(Object.entries(c.indices ?? {}).map(([k, [n, vocab]]) => [k, Array.from({ length: n }, () => rng.int(vocab))]));
    const run = async (b: Backend): Promise<Float32Array[]> => {
      const bufs: Record<string, Buf> = Object.fromEntries(Object.entries(data).map(([k, v]) => [k, b.upload(v)]));
      const ix: Record<string, IndexBuf> = Object.fromEntries(Object.entries(ids).map(([k, v]) => [k, b.uploadIndices(v)]));
      c.run(b, bufs, ix);
      return Promise.all(c.outputs.map((o) => b.read(bufs[o]!)));
    };
    const want = await run(cpu);
    const got = await run(be);
    result[c.name] = Math.max(...want.map((w, i) => relErr(got[i]!, w)));
  }
  return result;
}

const TOY = TOY_COPY_CONFIG;
const SEQ = COPY_TASK.seq;

/** A small LlamaModel with LoRA and its training loop on one backend; LoRA B starts random so A gets gradients at step 1. */
function trainer(be: Backend, batch: number, nf4 = false) {
  const model = initToyModel(be, { ...TOY, nf4 }, 1);
  const rng = new Rng(3, 'lora-b');
  for (const t of model.adapters) if (t.shape[1] === TOY.rank) be.write(t.buf, Array.from({ length: t.size }, () => 0.1 * rng.normal()));
  const opt = new AdamW(be, model.adapters, { weightDecay: 0.01 });
  const tape = new Tape(be);
  const bufs = allocTrainBuffers(be, batch, SEQ);
  const step = async (data: TokenRows, seed: number, lr: number) => {
    const count = writeBatch(be, bufs, data);
    return trainStep(tape, opt, [{ count }], (tp, _mb, denominator) => crossEntropy(tp, toyForward(tp, model, bufs.ids, batch, SEQ, seed), bufs.targets, bufs.mask, { denominator }), { lr, maxGradNorm: 1 });
  };
  return { model, step };
}

/** One forward + backward + AdamW step on both backends (the base NF4 with `nf4`); every adapter and its gradient compared. */
async function trainStepParity(nf4 = false) {
  const be = await backend();
  const data = copyBatch(new Rng(5, 'step'), 4);
  const cpuBe = new CpuBackend();
  const cpu = trainer(cpuBe, 4, nf4);
  const gpuT = trainer(be, 4, nf4);
  const rc = await cpu.step(data, 9, 1e-2);
  const rg = await gpuT.step(data, 9, 1e-2);
  let params = 0;
  let grads = 0;
  for (let i = 0; i < cpu.model.adapters.length; i++) {
    const c = cpu.model.adapters[i]!;
    const w = gpuT.model.adapters[i]!;
    params = Math.max(params, relErr(await be.read(w.buf), await cpuBe.read(c.buf)));
    if (c.grad && w.grad) grads = Math.max(grads, relErr(await be.read(w.grad), await cpuBe.read(c.grad)));
  }
  return {
    tensors: cpu.model.adapters.length,
    loss: { cpu: rc.loss, gpu: rg.loss, rel: Math.abs(rc.loss - rg.loss) / Math.abs(rc.loss) },
    gradNorm: { cpu: rc.gradNorm, gpu: rg.gradNorm, rel: Math.abs(rc.gradNorm - rg.gradNorm) / rc.gradNorm },
    params,
    grads,
  };
}

/** One DPT training step (every parameter trains) on both backends, on a batch of a tiny energy-mdp training set. */
async function dptStepParity() {
  const be = await backend();
  const spec = parseExperimentSpec({ name: 'dpt-parity', env: 'energy-mdp', params: { horizon: 3, levels: 4 }, policies: ['dpt'], seed: 1 });
  const data = await buildDptDataset(spec, { tasks: 2 });
  const batch = dptBatch(data.shape, data.train.slice(0, 6));
  const config = { shape: data.shape, contextTransitions: data.contextTransitions, hiddenSize: 16, numLayers: 2, numHeads: 2, intermediateSize: 32 };
  const run = async (b: Backend) => {
    const model = initDpt(b, config, 4);
    const opt = new AdamW(b, model.params(), { weightDecay: 1e-4 });
    const r = await trainStep(new Tape(b), opt, [batch], (tp, mb, d) => model.loss(tp, mb.x, mb.batch, mb.seq, b.uploadIndices(mb.targets), b.upload(mb.mask), d), { lr: 1e-2, maxGradNorm: 1 });
    return { r, model, b };
  };
  const cpu = await run(new CpuBackend());
  const gpu = await run(be);
  const cp = cpu.model.params();
  const gp = gpu.model.params();
  let params = 0;
  let grads = 0;
  for (let i = 0; i < cp.length; i++) {
    params = Math.max(params, relErr(await be.read(gp[i]!.buf), await cpu.b.read(cp[i]!.buf)));
    grads = Math.max(grads, relErr(await be.read(gp[i]!.grad!), await cpu.b.read(cp[i]!.grad!)));
  }
  return {
    tensors: cp.length,
    loss: { cpu: cpu.r.loss, gpu: gpu.r.loss, rel: Math.abs(cpu.r.loss - gpu.r.loss) / Math.abs(cpu.r.loss) },
    gradNorm: { cpu: cpu.r.gradNorm, gpu: gpu.r.gradNorm, rel: Math.abs(cpu.r.gradNorm - gpu.r.gradNorm) / cpu.r.gradNorm },
    params,
    grads,
  };
}

/** A LoRA fine-tune on the copy task, WebGPU only: the losses per step. */
async function finetune(steps: number): Promise<number[]> {
  const t = trainer(await backend(), 16);
  const rng = new Rng(2, 'copy');
  const losses: number[] = [];
  for (let s = 0; s < steps; s++) losses.push((await t.step(copyBatch(rng, 16), s, 1e-2)).loss);
  return losses;
}

/** The bench's code path (matmul counting proxy over the WebGPU backend) at a toy size. */
async function bench(): Promise<BenchResult> {
  return benchTrainStep(await backend(), { label: 'tiny', config: TOY, batch: 2, seq: SEQ }, 2);
}

declare global {
  interface Window {
    parity: { info: typeof info; kernels: typeof kernels; trainStepParity: typeof trainStepParity; dptStepParity: typeof dptStepParity; finetune: typeof finetune; bench: typeof bench };
  }
}

window.parity = { info, kernels, trainStepParity, dptStepParity, finetune, bench };
document.body.dataset.ready = 'true';
