/**
 * The WebGPU parity page (DESIGN §8, tier 2): every kernel on random tiny inputs on the CPU
 * backend and on the WebGPU backend, one whole LoRA training step of the toy decoder on both,
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

/** A toy decoder and its training loop on one backend; LoRA B starts random so A gets gradients at step 1. */
function trainer(be: Backend, batch: number) {
  const model = initToyModel(be, TOY, 1);
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

/** One forward + backward + AdamW step on both backends; every adapter and its gradient compared. */
async function trainStepParity() {
  const be = await backend();
  const data = copyBatch(new Rng(5, 'step'), 4);
  const cpuBe = new CpuBackend();
  const cpu = trainer(cpuBe, 4);
  const gpuT = trainer(be, 4);
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
    parity: { info: typeof info; kernels: typeof kernels; trainStepParity: typeof trainStepParity; finetune: typeof finetune; bench: typeof bench };
  }
}

window.parity = { info, kernels, trainStepParity, finetune, bench };
document.body.dataset.ready = 'true';
