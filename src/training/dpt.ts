/**
 * DPT training (DESIGN §9), one loop from top to bottom, the same shape as SFT's (sft.ts): a
 * fresh model from a seed, AdamW with linear warmup and the cosine schedule of nn/optim.ts,
 * gradient clipping, a fixed number of epochs over the samples in a seeded order, and the
 * validation loss after each epoch. Every parameter trains (there is no pretrained base). Runs
 * on any Backend and reports the same progress events as SFT; an AbortSignal stops it between
 * steps.
 */
import { Rng } from '../core/rng.ts';
import type { Backend } from '../nn/backend.ts';
import { AdamW, scheduledLr, trainStep, warmupSteps } from '../nn/optim.ts';
import { Tape } from '../nn/tape.ts';
import { type DptBatch, dptBatch, type DptDataset, type DptSample } from './dpt-data.ts';
import { type DptModel, initDpt } from './dpt-model.ts';
import type { DptSettings } from './settings.ts';
import type { TrainCurves, TrainHooks, TrainProgress } from './sft.ts';

export interface DptResult extends TrainCurves {
  model: DptModel;
}

/** The intermediate size of the MLP: 4× the width, as GPT-2's. */
const MLP_RATIO = 4;

function batchLoss(model: DptModel, tape: Tape, b: DptBatch, denominator?: number) {
  return model.loss(tape, b.x, b.batch, b.seq, tape.indices(b.targets), tape.values(b.mask), denominator);
}

/** Mean cross-entropy per counted position over `samples` (no gradients). */
export async function dptMeanLoss(model: DptModel, data: DptDataset, samples: readonly DptSample[], batch: number): Promise<number> {
  const tape = new Tape(model.backend);
  tape.gradEnabled = false;
  let sum = 0;
  let count = 0;
  for (let i = 0; i < samples.length; i += batch) {
    const b = dptBatch(data.shape, samples.slice(i, i + batch));
    const [v] = await model.backend.read(batchLoss(model, tape, b, 1).buf);
    sum += v!;
    count += b.count;
    tape.reset();
  }
  return count > 0 ? sum / count : NaN;
}

export async function trainDpt(be: Backend, data: DptDataset, s: DptSettings & { seed: number }, hooks: TrainHooks = {}): Promise<DptResult> {
  if (data.train.length === 0) throw new Error('DPT: no training samples (give at least 2 training tasks: one is held out for validation)');
  const now = hooks.now ?? (() => performance.now());

  const model = initDpt(be, {
    shape: data.shape, contextTransitions: data.contextTransitions,
    hiddenSize: s.hidden, numLayers: s.layers, numHeads: s.heads, intermediateSize: MLP_RATIO * s.hidden,
  }, s.seed);
  const opt = new AdamW(be, model.params(), { weightDecay: s.weightDecay });
  const tape = new Tape(be);

  const stepsPerEpoch = Math.ceil(data.train.length / s.batch);
  const steps = s.epochs * stepsPerEpoch;
  const losses: DptResult['losses'] = [];
  const valLosses: DptResult['valLosses'] = [];
  let tokens = 0;
  let step = 0;
  const start = now();

  for (let epoch = 1; epoch <= s.epochs; epoch++) {
    const order = new Rng(s.seed, 'dpt-order', epoch).shuffle(data.train.map((_, i) => i));
    for (let k = 0; k < stepsPerEpoch; k++) {
      if (hooks.signal?.aborted) throw new DOMException('training cancelled', 'AbortError');
      const batch = dptBatch(data.shape, order.slice(k * s.batch, (k + 1) * s.batch).map((i) => data.train[i]!));
      const lr = scheduledLr({ peak: s.lr, totalSteps: steps, warmupSteps: warmupSteps(s.warmupRatio, steps) }, step) * (hooks.lrScale?.() ?? 1);
      const r = await trainStep(tape, opt, [batch], (tp, b, denominator) => batchLoss(model, tp, b, denominator), { lr, maxGradNorm: s.maxGradNorm });
      step++;
      tokens += batch.count;
      losses.push({ step, loss: r.loss });
      const elapsed = (now() - start) / 1000;
      const progress: TrainProgress = {
        step, steps, epoch, loss: r.loss, lr, tokens, tokensPerSecond: tokens / Math.max(elapsed, 1e-9), etaSeconds: (elapsed / step) * (steps - step),
      };
      if (k === stepsPerEpoch - 1 && data.val.length > 0) {
        progress.valLoss = await dptMeanLoss(model, data, data.val, s.batch);
        valLosses.push({ epoch, step, loss: progress.valLoss });
      }
      hooks.onProgress?.(progress);
    }
  }
  return { model, losses, valLosses, tokens, seconds: (now() - start) / 1000 };
}
