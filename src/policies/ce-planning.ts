/**
 * Certainty-equivalent planning: estimate the task's hidden parameters from the support
 * trajectories (ce-estimate.ts), plan with solve() on the task built from the public view plus
 * the estimates, and act with that task's oracle. A model-based baseline: the gap it leaves is
 * the price of estimation error alone, which is what a few-shot learner could at best reach.
 *
 * Energy: the estimate is fixed at prepare time from the support (APOMDP: planned as a single
 * POMDP, ignoring ambiguity). Darkroom: the goal is also learned online from the episode itself;
 * until it is found the agent walks (x first, then y) to the nearest cell not yet excluded,
 * lowest index first on ties, and stays there to test it.
 */
import { makeDarkroomTask } from '../core/envs/darkroom.ts';
import { makeEnergyTask } from '../core/envs/energy.ts';
import { solve } from '../core/solve.ts';
import { darkroomOracleAction } from '../core/envs/darkroom.ts';
import type { Agent, AgentView, Step, Trajectory } from '../core/types.ts';
import type { Rng } from '../core/rng.ts';
import { emptyDarkroomKnowledge, estimateEnergy, estimatedEnergyParams, learnDarkroom, type DarkroomKnowledge } from './ce-estimate.ts';
import type { PolicyFactory } from './types.ts';

function energyAgent(view: AgentView, support: readonly Trajectory[], rng: Rng): Agent {
  const est = estimateEnergy(view, support);
  const env = view.env === 'energy-mdp' ? 'energy-mdp' : 'energy-pomdp';
  const task = makeEnergyTask(env, estimatedEnergyParams(view, est));
  return solve(task).agent(rng);
}

/** The next step toward the nearest candidate goal: x first, then y; stay when on it. */
export function exploreAction(size: number, k: DarkroomKnowledge, x: number, y: number): number {
  let target = -1;
  let bestD = Infinity;
  for (let c = 0; c < size * size; c++) {
    if (k.excluded.has(c)) continue;
    const d = Math.abs((c % size) - x) + Math.abs(Math.floor(c / size) - y);
    if (d < bestD) {
      bestD = d;
      target = c;
    }
  }
  if (target < 0) return 4; // every cell excluded: the goal is unreachable in this room; stay
  return darkroomOracleAction([target % size, Math.floor(target / size)], x, y);
}

function darkroomAgent(view: AgentView, support: readonly Trajectory[], rng: Rng): Agent {
  const size = Number(view.known.size);
  const fromSupport = emptyDarkroomKnowledge();
  for (const traj of support) learnDarkroom(size, fromSupport, traj);
  let k: DarkroomKnowledge = fromSupport;
  let seen = 0;
  let planned: { goal: string; agent: Agent } | null = null;
  return {
    act(history: readonly Step[], obs: readonly number[]): number {
      // The agent is reused across episodes: a shorter history means a new episode began.
      if (history.length < seen || seen === 0) {
        k = { goal: fromSupport.goal, excluded: new Set(fromSupport.excluded) };
        seen = 0;
      }
      learnDarkroom(size, k, history, seen);
      seen = history.length;
      if (k.goal) {
        const key = k.goal.join(',');
        if (planned?.goal !== key) {
          const task = makeDarkroomTask({ size, goal: k.goal, horizon: view.horizon });
          planned = { goal: key, agent: solve(task).agent(rng) };
        }
        const a = planned.agent.act(history, obs);
        if (typeof a !== 'number') throw new Error('ce-planning: the darkroom oracle is synchronous');
        return a;
      }
      return exploreAction(size, k, obs[0]!, obs[1]!);
    },
  };
}

export const cePlanningPolicy: PolicyFactory = {
  name: 'ce-planning',
  description: 'Estimates the hidden parameters from the support trajectories, then plays the optimal policy of the estimated task.',
  prepare({ view, support, rng }) {
    return view.env === 'darkroom' ? darkroomAgent(view, support, rng) : energyAgent(view, support, rng);
  },
};
