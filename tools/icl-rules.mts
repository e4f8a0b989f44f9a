/**
 * What simple in-context rules score on the ICL spec (docs/results.md, "What an in-context rule
 * can reach"): the gaps a language model acting in context could get by following one of them.
 * Not policies of the lab (they are analysis, not baselines the paper has); registered here for
 * one run of the same pipeline as `experiment`.
 *
 *   npx tsx tools/icl-rules.mts [spec.json]   (default docs/examples/icl-vs-random.json)
 */
import { readFileSync } from 'node:fs';
import { collectExperiment } from '../src/experiments/run.ts';
import { registerPolicy } from '../src/policies/registry.ts';
import { sameObs } from '../src/policies/support-copy.ts';
import type { Trajectory } from '../src/core/types.ts';

const WORK = 2;
const CHARGE = 0;

/** Counts of charge (actions 0 and 1) and work over the support steps that pass `keep`. */
function votes(support: readonly Trajectory[], keep: (obs: readonly number[]) => boolean): { charge: number; work: number } {
  let charge = 0;
  let work = 0;
  for (const traj of support) {
    for (const s of traj) {
      if (!keep(s.obs)) continue;
      if (s.action === WORK) work++;
      else charge++;
    }
  }
  return { charge, work };
}

registerPolicy({ name: 'always-work', description: 'Works at every step.', prepare: () => ({ act: () => WORK }) });
registerPolicy({
  name: 'support-majority',
  description: 'The support trajectories\' most frequent kind of action (work or charge), at every step.',
  prepare({ support }) {
    const v = votes(support, () => true);
    const a = v.work >= v.charge ? WORK : CHARGE;
    return { act: () => a };
  },
});
registerPolicy({
  name: 'observation-lookup',
  description: 'The most frequent kind of action the support took at the current observation (any step); random when the observation never occurs there.',
  prepare({ support, rng, view }) {
    return {
      act(_history, obs) {
        const v = votes(support, (o) => sameObs(o, obs));
        if (v.work + v.charge === 0) return rng.int(view.nActions);
        return v.work >= v.charge ? WORK : CHARGE;
      },
    };
  },
});

registerPolicy({
  name: 'same-step',
  description: 'The action a support trajectory took at the same step, whatever the observation (one support drawn with the policy\'s stream when several): what plain copying after a one-token step marker reads.',
  prepare({ support, rng, view }) {
    return {
      act(history) {
        const at = support.map((traj) => traj[history.length]?.action).filter((a): a is number => a !== undefined);
        return at.length === 0 ? rng.int(view.nActions) : at[rng.int(at.length)]!;
      },
    };
  },
});

const specPath = process.argv[2] ?? 'docs/examples/icl-vs-random.json';
const spec = JSON.parse(readFileSync(specPath, 'utf8')) as Record<string, unknown>;
spec.policies = ['random', 'support-copy', 'always-work', 'support-majority', 'observation-lookup', 'same-step'];
const { rows } = await collectExperiment(spec);
const pct = (x: number): string => (100 * x).toFixed(1);
for (const r of rows) console.log(`H=${String(r.point.horizon)}\t${r.policy}\t${pct(r.gap)} % [${pct(r.ciLow)}, ${pct(r.ciHigh)}]`);
