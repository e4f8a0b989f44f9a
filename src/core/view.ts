/**
 * What an agent may know about a task before acting (the task family, never its hidden
 * parameters): env, nActions, horizon, gamma and the public params. Energy: levels, cost, init,
 * K, alpha; darkroom: size. Never p, q, the goal or the models — those are what a few-shot
 * policy must infer from its support trajectories.
 */
import type { AgentView, Task } from './types.ts';

export function publicView(task: Task): AgentView {
  if (task.kind === 'darkroom') {
    const { size, horizon } = task.params;
    return { env: task.env, nActions: task.nActions, horizon, gamma: 1, known: { size } };
  }
  const { levels, cost, init, K, alpha, horizon, gamma } = task.params;
  return { env: task.env, nActions: task.nActions, horizon, gamma, known: { levels, cost, init, K, alpha } };
}
