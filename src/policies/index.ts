/** Public entry of the policies: the interface, the baselines and the registry. */
export type { PolicyContext, PolicyFactory } from './types.ts';
export { randomPolicy } from './random.ts';
export { oraclePolicy } from './oracle.ts';
export { supportCopyPolicy, supportActions } from './support-copy.ts';
export { cePlanningPolicy } from './ce-planning.ts';
export { estimateEnergy } from './ce-estimate.ts';
export { BUILTIN_POLICIES, getPolicy, hasPolicy, policyNames, registerPolicy } from './registry.ts';
