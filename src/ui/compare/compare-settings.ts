/**
 * What the Compare tab keeps of what a person chose (saved, and written into a shared link):
 * the policies, which trained adapter and DPT stand for sft and dpt, the episode, the step
 * shown, and the large-type option for a projector.
 */
import { z } from 'zod';
import { enumError, intIn } from '../../core/spec/fields.ts';

export const COMPARE_POLICIES = ['icl', 'sft', 'dpt', 'oracle', 'random', 'support-copy'] as const;

export const compareSettingsSchema = z.object({
  policies: z
    .array(z.enum(COMPARE_POLICIES, { error: enumError(COMPARE_POLICIES) }))
    .min(1, { error: 'must list at least one policy' })
    .default(['icl', 'sft', 'dpt', 'oracle']),
  episode: intIn(0, 9999).default(0),
  /** the kept artifact (IndexedDB id) that sft and dpt use; null = the newest one. */
  adapterId: z.string().nullable().default(null),
  dptId: z.string().nullable().default(null),
  step: intIn(0, 10000).default(0),
  large: z.boolean().default(false),
});
export type CompareSettings = z.output<typeof compareSettingsSchema>;
export const COMPARE_DEFAULTS: CompareSettings = compareSettingsSchema.parse({});
