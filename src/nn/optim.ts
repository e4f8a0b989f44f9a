/**
 * Optimisation: AdamW, the cosine learning-rate schedule with linear warmup, global-norm
 * gradient clipping, and a training step that accumulates gradients over micro-batches.
 * Conventions follow PyTorch / Hugging Face Trainer so a run here and a run with the
 * reference tooling (DESIGN §5) see the same learning rates and updates.
 */
import type { Backend, Buf } from './backend.ts';
import type { Tape } from './tape.ts';
import type { Tensor } from './tensor.ts';

export interface AdamWOptions {
  beta1?: number;
  beta2?: number;
  eps?: number;
  /** Decoupled decay (torch.optim.AdamW defaults to 0.01; HF TrainingArguments to 0). */
  weightDecay?: number;
}

export class AdamW {
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  readonly weightDecay: number;
  /** Optimiser steps taken so far (bias correction uses step + 1 for the next one). */
  step = 0;
  private readonly m: Buf[];
  private readonly v: Buf[];
  /** One-element buffer for the gradient norm, so steps allocate nothing. */
  readonly normScratch: Buf;

  constructor(
    readonly backend: Backend,
    readonly params: readonly Tensor[],
    o: AdamWOptions = {},
  ) {
    this.beta1 = o.beta1 ?? 0.9;
    this.beta2 = o.beta2 ?? 0.999;
    this.eps = o.eps ?? 1e-8;
    this.weightDecay = o.weightDecay ?? 0;
    for (const p of params) if (!p.requiresGrad || !p.leaf) throw new Error('AdamW: every parameter must be a leaf that requires a gradient');
    this.m = params.map((p) => backend.alloc(p.size));
    this.v = params.map((p) => backend.alloc(p.size));
    this.normScratch = backend.alloc(1);
  }

  /** One update with learning rate lr; gradients are multiplied by gradScale first (clipping). */
  update(lr: number, gradScale = 1): void {
    this.step++;
    this.params.forEach((p, i) => {
      if (!p.grad) return; // no gradient reached it: PyTorch skips such parameters too
      this.backend.adamwStep(p.buf, p.grad, this.m[i]!, this.v[i]!, {
        lr, beta1: this.beta1, beta2: this.beta2, eps: this.eps, weightDecay: this.weightDecay, step: this.step, gradScale,
      });
    });
  }

  /** The moment buffers, in `params` order (checkpoints read them and write them back). */
  moments(): { m: readonly Buf[]; v: readonly Buf[] } {
    return { m: this.m, v: this.v };
  }

  zeroGrad(): void {
    for (const p of this.params) if (p.grad) this.backend.fill(p.grad, 0);
  }
}

export interface CosineSchedule {
  /** The learning rate after warmup. */
  peak: number;
  totalSteps: number;
  warmupSteps: number;
  /** The cosine ends at peak · minRatio (default 0, as transformers' schedule). */
  minRatio?: number;
  /**
   * Warmup from peak/(w+1) at the first update (pretraining, so no step is wasted at lr 0),
   * instead of transformers' 0 at the first update (SFT and DPT, as the reference tooling).
   */
  warmupFromFirstStep?: boolean;
}

/**
 * The one learning-rate schedule of every training loop (pretraining, SFT, DPT): at optimiser
 * step `step` (0-based, the number of updates already taken), a linear warmup, then half a
 * cosine from the peak down to peak · minRatio, as transformers' get_cosine_schedule_with_warmup.
 */
export function scheduledLr(s: CosineSchedule, step: number): number {
  const w = s.warmupSteps;
  if (step < w) return s.warmupFromFirstStep ? (s.peak * (step + 1)) / (w + 1) : s.peak * (step / Math.max(1, w));
  const progress = Math.min(1, (step - w) / Math.max(1, s.totalSteps - w));
  const min = s.minRatio ?? 0;
  return s.peak * (min + (1 - min) * 0.5 * (1 + Math.cos(Math.PI * progress)));
}

/** Warmup steps of a warmup ratio: ceil(ratio · total), as transformers' TrainingArguments. */
export function warmupSteps(ratio: number, totalSteps: number): number {
  return Math.ceil(ratio * totalSteps);
}

/** sqrt(Σ over all gradients of g²); one read-back per call (the only sync point of a step). */
export async function globalGradNorm(backend: Backend, params: readonly Tensor[], scratch?: Buf): Promise<number> {
  const out = scratch ?? backend.alloc(1);
  backend.fill(out, 0);
  for (const p of params) if (p.grad) backend.sumSquares(p.grad, out, true);
  const [sum] = await backend.read(out);
  if (!scratch) backend.free(out);
  return Math.sqrt(sum!);
}

/** The factor torch.nn.utils.clip_grad_norm_ applies: min(1, maxNorm / (norm + 1e-6)). */
export function clipFactor(norm: number, maxNorm: number): number {
  return Math.min(1, maxNorm / (norm + 1e-6));
}

/** Scale the gradients in place so their global norm is at most maxNorm; returns the norm before. */
export async function clipGradNorm(backend: Backend, params: readonly Tensor[], maxNorm: number): Promise<number> {
  const norm = await globalGradNorm(backend, params);
  const c = clipFactor(norm, maxNorm);
  if (c < 1) for (const p of params) if (p.grad) backend.scale(p.grad, c);
  return norm;
}

export interface MicroBatch {
  /** Counted targets (Σ mask) of this micro-batch. */
  readonly count: number;
}

export interface TrainStepOptions {
  lr: number;
  /** Global-norm clipping threshold; omitted or Infinity = no clipping. */
  maxGradNorm?: number;
}

export interface TrainStepResult {
  /** Mean loss over all counted targets of all micro-batches. */
  loss: number;
  /** Global gradient norm before clipping. */
  gradNorm: number;
}

/** What each micro-batch's loss is divided by: the whole step's target count (1 if none). */
export function stepDenominator(micro: readonly MicroBatch[]): number {
  const total = micro.reduce((s, mb) => s + mb.count, 0);
  return total > 0 ? total : 1;
}

/**
 * Adds the gradients of `micro` to the parameters' `.grad` (backward accumulates), one
 * micro-batch at a time; returns the sum of their losses.
 */
export async function accumulateGradients<M extends MicroBatch>(
  tape: Tape,
  micro: readonly M[],
  lossOf: (tape: Tape, mb: M, denominator: number) => Tensor,
  denominator: number,
): Promise<number> {
  let loss = 0;
  for (const mb of micro) {
    const l = lossOf(tape, mb, denominator);
    tape.backward(l);
    const [v] = await tape.backend.read(l.buf);
    loss += v!;
    tape.reset();
  }
  return loss;
}

/** Clips the gradients now in the parameters to `maxGradNorm` and takes the AdamW step; returns the norm before clipping. */
export async function applyUpdate(opt: AdamW, o: TrainStepOptions): Promise<number> {
  const gradNorm = await globalGradNorm(opt.backend, opt.params, opt.normScratch);
  const maxNorm = o.maxGradNorm ?? Infinity;
  opt.update(o.lr, Number.isFinite(maxNorm) ? clipFactor(gradNorm, maxNorm) : 1);
  return gradNorm;
}

/**
 * One optimiser step over several micro-batches. Each micro-batch's loss is divided by the
 * total target count of the whole step (not its own), so the accumulated gradient is exactly
 * the full batch's, even when micro-batches count different numbers of targets.
 */
export async function trainStep<M extends MicroBatch>(
  tape: Tape,
  opt: AdamW,
  micro: readonly M[],
  lossOf: (tape: Tape, mb: M, denominator: number) => Tensor,
  o: TrainStepOptions,
): Promise<TrainStepResult> {
  opt.zeroGrad();
  const loss = await accumulateGradients(tape, micro, lossOf, stepDenominator(micro));
  return { loss, gradNorm: await applyUpdate(opt, o) };
}
