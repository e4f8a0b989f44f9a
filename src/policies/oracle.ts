/** The task's optimal policy; privileged: it is handed the oracle solution (DESIGN §3). */
import type { PolicyFactory } from './types.ts';

export const oraclePolicy: PolicyFactory = {
  name: 'oracle',
  privileged: true,
  description: 'The optimal policy computed from the true task (upper reference, gap 0).',
  prepare({ solution, rng }) {
    if (!solution) throw new Error('oracle policy: needs the task solution (privileged factory)');
    return solution.agent(rng);
  },
};
