/**
 * The Train tab's settings (saved, and in a shared link) and the job it runs (saved, so a reload
 * finds it and can continue it from its last checkpoint). The job's loss curves are kept thinned
 * to at most CURVE_POINTS points, which a localStorage entry holds easily.
 */
import { z } from 'zod';
import { enumError, intIn, realIn } from '../../core/spec/fields.ts';

export const trainSettingsSchema = z.object({
  policy: z.enum(['sft', 'dpt'], { error: enumError(['sft', 'dpt']) }).default('sft'),
  /** which point of the sweep form's spec gives the training set (0-based). */
  point: intIn(0, 19).default(0),
  /** factor on the scheduled learning rate; changeable while a job runs. */
  lrScale: realIn(0.01, 100).default(1),
  /** train on the CPU even where WebGPU is available. */
  cpu: z.boolean().default(false),
});
export type TrainSettings = z.output<typeof trainSettingsSchema>;
export const TRAIN_DEFAULTS: TrainSettings = trainSettingsSchema.parse({});

export const CURVE_POINTS = 400;
/** An SFT checkpoint every this many steps: what a reload or a pause loses at most. */
export const TRAIN_CHECKPOINT_EVERY = 5;

const curvePoint = z.object({ step: z.number(), loss: z.number() });
export const trainJobSchema = z.object({
  id: z.string(),
  name: z.string(),
  policy: z.enum(['sft', 'dpt']),
  spec: z.record(z.string(), z.unknown()),
  point: z.number().int().nonnegative(),
  /** e.g. "horizon=10": the sweep point the training set is drawn at. */
  label: z.string(),
  status: z.enum(['running', 'paused', 'done', 'failed', 'cancelled', 'interrupted']),
  step: z.number().int().nonnegative(),
  steps: z.number().int().nonnegative(),
  losses: z.array(curvePoint),
  valLosses: z.array(z.object({ epoch: z.number(), step: z.number(), loss: z.number() })),
  tokensPerSecond: z.number(),
  etaSeconds: z.number(),
  /** the learning rate of the last step (the schedule × the factor); absent until the first step. */
  lr: z.number().optional(),
  device: z.string(),
  /** what happened to the device (a WebGPU loss and the move to the CPU). */
  deviceNote: z.string().nullable(),
  error: z.string().nullable(),
  startedAt: z.number(),
});
export type TrainJob = z.output<typeof trainJobSchema>;

/** Every other point of the older half once the curve is full, so the recent steps stay dense. */
export function thinCurve<T>(points: T[]): T[] {
  if (points.length <= CURVE_POINTS) return points;
  const half = Math.floor(points.length / 2);
  return [...points.slice(0, half).filter((_, i) => i % 2 === 0), ...points.slice(half)];
}
