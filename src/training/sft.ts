/**
 * QLoRA supervised fine-tuning (DESIGN §1, §9), one loop from top to bottom: a fresh LoRA
 * adapter on every projection of the frozen (NF4) base, AdamW with linear warmup and a cosine
 * schedule, gradient clipping, a fixed number of epochs over the training rows in a seeded
 * order, and the validation loss after each epoch. It runs on any Backend (CPU in Node and the
 * tests, WebGPU in the browser's trainer worker) and reports progress as events; an AbortSignal
 * stops it between steps, and a checkpoint (sft-checkpoint.ts) lets it continue exactly.
 */
import { Rng } from '../core/rng.ts';
import type { LlamaModel } from '../nn/llama.ts';
import { adapterParams, initLora, type LoraAdapter } from '../nn/lora.ts';
import { AdamW, applyUpdate, scheduledLr, warmupSteps } from '../nn/optim.ts';
import { Tape } from '../nn/tape.ts';
import type { SftDataset, SftRow } from './sft-data.ts';
import type { TrainingSettings } from './settings.ts';
import { readSftCheckpoint, rowsFingerprint, writeSftCheckpoint } from './sft-checkpoint.ts';
import { lossOf, MAX_MICRO, microBatches, type SftShardRunner, stepGradients } from './sft-step.ts';

/** The loop's settings (settings.ts has the schema and the defaults); `seed` seeds the adapter's initialisation, the row order and the dropout masks. */
export type SftSettings = Omit<TrainingSettings, 'tasks' | 'nf4' | 'loss'>;

export interface TrainProgress {
  /** 1-based optimiser step and the run's total. */
  step: number;
  steps: number;
  epoch: number;
  /** Mean training loss of this step (nats per counted token). */
  loss: number;
  lr: number;
  /** Set on the last step of an epoch: the validation loss after it. */
  valLoss?: number;
  tokens: number;
  tokensPerSecond: number;
  etaSeconds: number;
}

/** What every training loop (SFT, DPT) reports besides what it trained. */
export interface TrainCurves {
  losses: { step: number; loss: number }[];
  valLosses: { epoch: number; step: number; loss: number }[];
  /** tokens processed (SFT: token rows; DPT: token vectors). */
  tokens: number;
  seconds: number;
}

export interface SftResult extends TrainCurves {
  adapter: LoraAdapter;
}

export interface TrainHooks {
  onProgress?: (p: TrainProgress) => void;
  signal?: AbortSignal;
  /** A clock in milliseconds (tokens/s, ETA). */
  now?: () => number;
  /** Save a checkpoint (sft-checkpoint.ts) every this many steps and at every epoch's end; 0 = never. */
  checkpointEvery?: number;
  saveCheckpoint?: (bytes: Uint8Array, step: number) => void | Promise<void>;
  /** A checkpoint of this run to continue from. */
  resume?: Uint8Array;
  /**
   * A factor on the scheduled learning rate, read before every step: a person can change the
   * rate of a running job without a reset (the schedule's shape is kept). Default 1.
   */
  lrScale?: () => number;
  /** Computes half of every step elsewhere (a second thread); the adapter is byte-identical either way. */
  shards?: SftShardRunner;
}

/** Mean loss per counted token over `rows` (no dropout, no gradients). */
export async function meanLoss(model: LlamaModel, rows: readonly SftRow[], microRows: number): Promise<number> {
  const tape = new Tape(model.backend);
  tape.gradEnabled = false;
  let sum = 0;
  let count = 0;
  for (const mb of microBatches(rows, microRows)) {
    if (mb.count === 0) continue;
    const [v] = await model.backend.read(lossOf(model, tape, mb, 1, { dropout: false, seed: 0 }).buf);
    sum += v!;
    count += mb.count;
    tape.reset();
  }
  return count > 0 ? sum / count : NaN;
}

export async function trainSft(model: LlamaModel, data: SftDataset, s: SftSettings, hooks: TrainHooks = {}): Promise<SftResult> {
  if (data.train.length === 0) throw new Error('SFT: no training rows (give at least 2 training tasks: one is held out for validation)');
  if (Math.ceil(s.batch / s.microRows) > MAX_MICRO) throw new Error(`training.microRows: must be at least batch / ${MAX_MICRO} = ${Math.ceil(s.batch / MAX_MICRO)} (at most ${MAX_MICRO} micro-batches per step), got ${s.microRows}`);
  const now = hooks.now ?? (() => performance.now());
  const be = model.backend;

  // The adapter: B = 0, so training starts from the base model exactly.
  const adapter = initLora(be, model.config, { r: s.rank, alpha: s.alpha, dropout: s.dropout }, s.seed);
  model.setAdapter(adapter);
  const opt = new AdamW(be, adapterParams(adapter), { weightDecay: s.weightDecay });
  const tape = new Tape(be);

  const stepsPerEpoch = Math.ceil(data.train.length / s.batch);
  const steps = s.epochs * stepsPerEpoch;
  // What a checkpoint must match to be resumed: these settings, these rows.
  const run = { settings: s, data: rowsFingerprint(data.train) };
  const resumed = hooks.resume ? readSftCheckpoint(be, hooks.resume, adapter, opt, run) : null;
  const losses: SftResult['losses'] = resumed?.losses ?? [];
  const valLosses: SftResult['valLosses'] = resumed?.valLosses ?? [];
  let tokens = resumed?.tokens ?? 0;
  let step = resumed?.step ?? 0;
  const start = now() - 1000 * (resumed?.elapsedS ?? 0);
  const checkpoint = async (): Promise<void> => {
    if (!hooks.saveCheckpoint) return;
    const elapsedS = (now() - start) / 1000;
    await hooks.saveCheckpoint(await writeSftCheckpoint(be, adapter, opt, run, { step, tokens, elapsedS, losses, valLosses }), step);
  };

  for (let epoch = 1; epoch <= s.epochs; epoch++) {
    // A new seeded order every epoch.
    const order = new Rng(s.seed, 'sft-order', epoch).shuffle(data.train.map((_, i) => i));
    for (let k = 0; k < stepsPerEpoch; k++) {
      if ((epoch - 1) * stepsPerEpoch + k < step) continue; // done before the checkpoint we resumed from
      if (hooks.signal?.aborted) throw new DOMException('training cancelled', 'AbortError');
      const rows = order.slice(k * s.batch, (k + 1) * s.batch).map((i) => data.train[i]!);
      const micro = microBatches(rows, s.microRows);
      const lr = scheduledLr({ peak: s.lr, totalSteps: steps, warmupSteps: warmupSteps(s.warmupRatio, steps) }, step) * (hooks.lrScale?.() ?? 1);
      const loss = await stepGradients(model, tape, opt.params, step, micro, hooks.shards);
      await applyUpdate(opt, { lr, maxGradNorm: s.maxGradNorm });
      step++;
      tokens += micro.reduce((a, mb) => a + mb.tokens, 0);
      losses.push({ step, loss });
      const elapsed = (now() - start) / 1000;
      const progress: TrainProgress = {
        step, steps, epoch, loss, lr, tokens, tokensPerSecond: tokens / Math.max(elapsed, 1e-9), etaSeconds: (elapsed / step) * (steps - step),
      };
      const epochEnd = k === stepsPerEpoch - 1;
      if (epochEnd && data.val.length > 0) {
        progress.valLoss = await meanLoss(model, data.val, s.microRows);
        valLosses.push({ epoch, step, loss: progress.valLoss });
      }
      hooks.onProgress?.(progress);
      const every = hooks.checkpointEvery ?? 0;
      if (every > 0 && (epochEnd || step % every === 0)) await checkpoint();
    }
  }
  return { adapter, losses, valLosses, tokens, seconds: (now() - start) / 1000 };
}
