/** Spec → task. The only place where a task's sampled quantities (APOMDP models) are drawn. */
import { Rng } from './rng.ts';
import type { Task } from './types.ts';
import { makeEnergyTask } from './envs/energy.ts';
import { makeDarkroomTask } from './envs/darkroom.ts';
import { sampleAmbiguitySet } from './envs/ambiguity.ts';
import { parseTaskSpec, type ResolvedTaskSpec } from './spec/task-spec.ts';

export function createTask(spec: ResolvedTaskSpec): Task {
  if (spec.env === 'darkroom') return makeDarkroomTask(spec.params);
  const task = makeEnergyTask(spec.env, spec.params);
  if (spec.env === 'energy-apomdp' && spec.params.K > 1) {
    task.models.push(...sampleAmbiguitySet(task.models[0]!, spec.params, new Rng(spec.seed, 'ambiguity-set')));
  }
  return task;
}

/** Validates a raw `{"env", "params", "seed"}` spec and builds its task. */
export function taskFromSpec(input: unknown): Task {
  return createTask(parseTaskSpec(input));
}
