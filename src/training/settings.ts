/**
 * The training settings of an experiment spec (`"training": {...}`, DESIGN §7), one zod schema
 * whose defaults are the only place the defaults are written: the CLI, the runner, the docs
 * table and the UI read them from here.
 *
 * Our choices where the paper's values were lost (docs/training.md): rank 8 and alpha 16 (scale
 * 2) as in the QLoRA paper's small-model runs; a peak lr of 2e-3, ten times the 2e-4 of 7B
 * recipes, since the adapted model is ~10⁴× smaller and must move in three epochs; dropout 0.1,
 * warmup ratio 0.05, cosine, clipping at 1 and 3 epochs as in DESIGN §1.
 */
import { z } from 'zod';
import { enumError, intIn, realIn } from '../core/spec/fields.ts';

/** The most training tasks a spec may ask for. */
export const MAX_TRAIN_TASKS = 100_000;

/** What the SFT loss counts (sft-data.ts explains each). */
export const SFT_LOSS_MODES = ['query', 'text'] as const;
export type SftLossMode = (typeof SFT_LOSS_MODES)[number];

/**
 * The DPT's own settings (`"training": {"dpt": {...}}`): the reference's architecture and
 * optimiser (4 layers, width 32, one head, AdamW lr 1e-3, weight decay 1e-4; docs/training.md),
 * and more epochs than SFT since it learns from scratch.
 */
export const dptSettingsSchema = z.strictObject({
  layers: intIn(1, 16).default(4),
  hidden: intIn(8, 512).default(32),
  heads: intIn(1, 16).default(1),
  epochs: intIn(1, 1000).default(10),
  lr: realIn(0, 1, true).default(1e-3),
  weightDecay: realIn(0, 10).default(1e-4),
  /** samples (queries, each with its whole context) per optimiser step */
  batch: intIn(1, 4096).default(64),
  warmupRatio: realIn(0, 1).default(0.05),
  maxGradNorm: realIn(0, 1e6, true).default(1),
}).refine((d) => d.hidden % d.heads === 0 && (d.hidden / d.heads) % 2 === 0, { message: 'hidden must split into heads of an even size', path: ['hidden'] });

export type DptSettings = z.output<typeof dptSettingsSchema>;

export const trainingSchema = z.strictObject({
  /** training tasks; default 100 for the energy families, every train goal (80) for darkroom. */
  tasks: intIn(1, MAX_TRAIN_TASKS).optional(),
  epochs: intIn(1, 100).default(3),
  rank: intIn(1, 256).default(8),
  alpha: realIn(0, 1e4, true).default(16),
  dropout: realIn(0, 0.9).default(0.1),
  lr: realIn(0, 1, true).default(2e-3),
  /** rows per optimiser step, and per micro-batch (memory) */
  batch: intIn(1, 4096).default(8),
  microRows: intIn(1, 256).default(4),
  warmupRatio: realIn(0, 1).default(0.05),
  maxGradNorm: realIn(0, 1e6, true).default(1),
  weightDecay: realIn(0, 10).default(0),
  loss: z.enum(SFT_LOSS_MODES, { error: enumError(SFT_LOSS_MODES) }).default('query'),
  /** quantize the frozen base to NF4 (QLoRA) */
  nf4: z.boolean({ error: 'must be true or false' }).default(true),
  seed: intIn(0, 2 ** 32 - 1).default(0),
  dpt: dptSettingsSchema.default(dptSettingsSchema.parse({})),
});

export type TrainingSettings = z.output<typeof trainingSchema>;
export type TrainingInput = z.input<typeof trainingSchema>;

/** Every default, as the schema fills them in. */
export const TRAINING_DEFAULTS: TrainingSettings = trainingSchema.parse({});
