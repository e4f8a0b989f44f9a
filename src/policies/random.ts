/** Uniform over all actions (duplicates included), from the policy's own stream. */
import type { PolicyFactory } from './types.ts';

export const randomPolicy: PolicyFactory = {
  name: 'random',
  description: 'Uniformly random action at every step.',
  prepare({ view, rng }) {
    return { act: () => rng.int(view.nActions) };
  },
};
