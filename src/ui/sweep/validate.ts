/** Validates a sweep spec with the same parser the runner and CLI use; returns its SpecError messages. */
import { SpecError } from '../../core/spec/fields.ts';
import { parseExperimentSpec } from '../../experiments/spec.ts';
import type { SweepSpec } from './sweep-spec.ts';

export function validateSweep(spec: SweepSpec): string[] {
  try {
    parseExperimentSpec(spec);
    return [];
  } catch (e) {
    if (e instanceof SpecError) return e.problems.flatMap((p) => p.split('; '));
    return [e instanceof Error ? e.message : String(e)];
  }
}
