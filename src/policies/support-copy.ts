/**
 * Copies the action a support trajectory took at the same step and the same observation; when
 * several supports match, one of them is picked with the policy's stream (deterministic for a
 * seed); with no match, a uniformly random action. With oracle supports on (near-)deterministic
 * dynamics this reproduces the oracle wherever the supports went — a simple "lookup" baseline
 * that separates memorising support data from generalising from it.
 */
import type { Step, Trajectory } from '../core/types.ts';
import type { PolicyFactory } from './types.ts';

/** Whether two observations are equal (one number per component). */
export function sameObs(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/** Actions the supports took at step t with observation obs, one entry per matching support. */
export function supportActions(support: readonly Trajectory[], t: number, obs: readonly number[]): number[] {
  const out: number[] = [];
  for (const traj of support) {
    const step: Step | undefined = traj[t];
    if (step && sameObs(step.obs, obs)) out.push(step.action);
  }
  return out;
}

export const supportCopyPolicy: PolicyFactory = {
  name: 'support-copy',
  description: 'Repeats a support trajectory’s action at the same step and observation, else random.',
  prepare({ view, support, rng }) {
    return {
      act(history, obs) {
        const matches = supportActions(support, history.length, obs);
        if (matches.length === 0) return rng.int(view.nActions);
        return matches.length === 1 ? matches[0]! : matches[rng.int(matches.length)]!;
      },
    };
  },
};
