/** Example experiments offered by the sweep form: the project's own presets, as a user would write them. */
import { EXAMPLE_SPEC_INPUTS } from '../../experiments/examples.ts';
import type { SweepSpec } from './sweep-spec.ts';

export const EXAMPLES: { name: string; spec: SweepSpec }[] = Object.entries(EXAMPLE_SPEC_INPUTS).map(([name, spec]) => ({
  name,
  spec: structuredClone(spec) as unknown as SweepSpec,
}));
