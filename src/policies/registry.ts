/**
 * Policy names → factories. The baselines and `icl` are built in (`icl` gets its model from the
 * experiment runner, which loads the spec's `"model"`); policies that hold a model of their own
 * (`icl-onnx`) register themselves where their runtime lives.
 */
import { cePlanningPolicy } from './ce-planning.ts';
import { dptPolicy } from './dpt.ts';
import { iclPolicy, sftPolicy } from './icl.ts';
import { oraclePolicy } from './oracle.ts';
import { randomPolicy } from './random.ts';
import { supportCopyPolicy } from './support-copy.ts';
import type { PolicyFactory } from './types.ts';

export const BUILTIN_POLICIES: readonly PolicyFactory[] = [randomPolicy, oraclePolicy, supportCopyPolicy, cePlanningPolicy, iclPolicy, sftPolicy, dptPolicy];

const registry = new Map<string, PolicyFactory>(BUILTIN_POLICIES.map((f) => [f.name, f]));

/** Adds (or replaces) a policy; returns a function that removes it again. */
export function registerPolicy(factory: PolicyFactory): () => void {
  const previous = registry.get(factory.name);
  registry.set(factory.name, factory);
  return () => {
    if (registry.get(factory.name) !== factory) return;
    if (previous) registry.set(factory.name, previous);
    else registry.delete(factory.name);
  };
}

export function policyNames(): string[] {
  return [...registry.keys()];
}

export function hasPolicy(name: string): boolean {
  return registry.has(name);
}

export function getPolicy(name: string): PolicyFactory {
  const f = registry.get(name);
  if (!f) throw new Error(`unknown policy ${JSON.stringify(name)}; known: ${policyNames().join(', ')}`);
  return f;
}
