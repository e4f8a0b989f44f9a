import { describe, expect, it } from 'vitest';
import { Rng } from '../core/rng.ts';
import { makeEnergyTask } from '../core/envs/energy.ts';
import { makeDarkroomTask, darkroomOracleReturn } from '../core/envs/darkroom.ts';
import { simulateEpisode } from '../core/simulate.ts';
import { solve } from '../core/solve.ts';
import { publicView } from '../core/view.ts';
import { backwardInduction } from '../core/solvers/mdp.ts';
import { bestClasses } from '../core/solvers/tie-break.ts';
import type { Agent, EnergyParams, Task, Trajectory } from '../core/types.ts';
import { randomPolicy } from './random.ts';
import { oraclePolicy } from './oracle.ts';
import { supportActions, supportCopyPolicy } from './support-copy.ts';
import { cePlanningPolicy } from './ce-planning.ts';
import { estimateEnergy, P_PRIOR } from './ce-estimate.ts';
import { getPolicy, policyNames, registerPolicy } from './registry.ts';

const base: EnergyParams = { levels: 10, p: 0.6, cost: 0.1, horizon: 10, gamma: 1, init: 'uniform', q: 1, K: 1, alpha: 1, rho: 0.1, kappa: 50 };

async function rollouts(task: Task, agent: Agent, n: number, stream: string, seed = 0): Promise<Trajectory[]> {
  const out: Trajectory[] = [];
  for (let e = 0; e < n; e++) out.push((await simulateEpisode(task, agent, { seed, taskIndex: 0, episode: e, stream })).steps);
  return out;
}

async function meanReturn(task: Task, agent: Agent, n: number): Promise<number> {
  let total = 0;
  for (let e = 0; e < n; e++) total += (await simulateEpisode(task, agent, { seed: 1, taskIndex: 0, episode: e })).return;
  return total / n;
}

describe('publicView', () => {
  it('shows the family, never p, q, the goal or the models', () => {
    const v = publicView(makeEnergyTask('energy-pomdp', { ...base, q: 0.7 }));
    expect(v).toEqual({ env: 'energy-pomdp', nActions: 3, horizon: 10, gamma: 1, known: { levels: 10, cost: 0.1, init: 'uniform', K: 1, alpha: 1 } });
    const d = publicView(makeDarkroomTask({ size: 7, goal: [3, 4], horizon: 30 }));
    expect(d).toEqual({ env: 'darkroom', nActions: 5, horizon: 30, gamma: 1, known: { size: 7 } });
    expect(JSON.stringify(d)).not.toContain('goal');
  });
});

describe('random and oracle', () => {
  it('random is uniform over all actions, duplicates included', async () => {
    const agent = await randomPolicy.prepare({ view: publicView(makeEnergyTask('energy-mdp', base)), support: [], rng: new Rng(1) });
    const counts = [0, 0, 0];
    for (let i = 0; i < 3000; i++) counts[agent.act([], [0]) as number]!++;
    for (const c of counts) expect(Math.abs(c - 1000)).toBeLessThan(120);
  });

  it('oracle is privileged and plays the solution agent', async () => {
    const task = makeEnergyTask('energy-mdp', base);
    const view = publicView(task);
    expect(oraclePolicy.privileged).toBe(true);
    expect(() => oraclePolicy.prepare({ view, support: [], rng: new Rng(0) })).toThrow(/solution/);
    const solution = solve(task);
    const agent = await oraclePolicy.prepare({ view, support: [], rng: new Rng(0), solution });
    expect(await meanReturn(task, agent, 50)).toBe(await meanReturn(task, solution.agent(new Rng(0)), 50));
  });
});

describe('support-copy', () => {
  it('lists the actions supports took at the same step and observation', () => {
    const support = [
      [{ obs: [2], action: 0, reward: -0.1 }, { obs: [3], action: 2, reward: 0.3 }],
      [{ obs: [3], action: 2, reward: 0.3 }, { obs: [3], action: 1, reward: -0.1 }],
    ];
    expect(supportActions(support, 1, [3])).toEqual([2, 1]);
    expect(supportActions(support, 0, [3])).toEqual([2]);
    expect(supportActions(support, 2, [3])).toEqual([]);
  });

  it('reproduces an optimal (oracle) action wherever an oracle support visited the same (step, obs)', async () => {
    const task = makeEnergyTask('energy-mdp', { ...base, p: 0.95 });
    const solution = solve(task);
    const support = await rollouts(task, solution.agent(new Rng(5)), 4, 'support-env');
    const agent = await supportCopyPolicy.prepare({ view: publicView(task), support, rng: new Rng(6) });
    const { Q } = backwardInduction(task);
    const C = task.actionClasses.length;
    let copied = 0;
    for (let e = 0; e < 40; e++) {
      const ep = await simulateEpisode(task, agent, { seed: 2, taskIndex: 0, episode: e });
      ep.steps.forEach((step, t) => {
        const matches = supportActions(support, t, step.obs);
        if (matches.length === 0) return;
        copied++;
        expect(matches).toContain(step.action);
        const cls = task.actionClasses.findIndex((c) => c.includes(step.action));
        expect(bestClasses(Q[t]!.subarray(step.obs[0]! * C, (step.obs[0]! + 1) * C))).toContain(cls);
      });
    }
    expect(copied).toBeGreaterThan(20);
  });

  it('is deterministic for a seed', async () => {
    const task = makeEnergyTask('energy-mdp', base);
    const support = await rollouts(task, solve(task).agent(new Rng(1)), 3, 'support-env');
    const run = async () => meanReturn(task, await supportCopyPolicy.prepare({ view: publicView(task), support, rng: new Rng(9) }), 20);
    expect(await run()).toBe(await run());
  });
});

describe('ce-planning', () => {
  it('estimates p from many MDP transitions within tolerance, and falls back to the prior without data', async () => {
    for (const p of [0.35, 0.6, 0.85]) {
      const task = makeEnergyTask('energy-mdp', { ...base, p, horizon: 20 });
      const view = publicView(task);
      const support = await rollouts(task, await randomPolicy.prepare({ view, support: [], rng: new Rng(3) }), 40, 'support-env');
      const est = estimateEnergy(view, support);
      expect(Math.abs(est.p - p)).toBeLessThan(0.05);
      expect(est.q).toBe(1);
      expect(est.pEvidence).toBeGreaterThan(500);
    }
    expect(estimateEnergy(publicView(makeEnergyTask('energy-mdp', base)), []).p).toBe(P_PRIOR);
  });

  it('estimates q from work-revealed levels and p by likelihood on the POMDP', async () => {
    const task = makeEnergyTask('energy-pomdp', { ...base, p: 0.8, q: 0.7, horizon: 20 });
    const view = publicView(task);
    const support = await rollouts(task, await randomPolicy.prepare({ view, support: [], rng: new Rng(4) }), 40, 'support-env');
    const est = estimateEnergy(view, support);
    expect(Math.abs(est.q - 0.7)).toBeLessThan(0.08);
    expect(est.q).toBeLessThan(1);
    expect(Math.abs(est.p - 0.8)).toBeLessThan(0.1);
  });

  it('matches the oracle closely on energy-mdp with oracle supports', async () => {
    for (const p of [0.4, 0.8]) {
      const task = makeEnergyTask('energy-mdp', { ...base, p });
      const solution = solve(task);
      const view = publicView(task);
      const support = await rollouts(task, solution.agent(new Rng(7)), 10, 'support-env');
      const ce = await cePlanningPolicy.prepare({ view, support, rng: new Rng(8) });
      const rStar = await meanReturn(task, solution.agent(new Rng(8)), 200);
      const rCe = await meanReturn(task, ce, 200);
      expect((rStar - rCe) / rStar).toBeLessThan(0.03);
      const random = await meanReturn(task, await randomPolicy.prepare({ view, support, rng: new Rng(8) }), 200);
      expect(rCe).toBeGreaterThan(random);
    }
  });

  it('darkroom: plays the oracle once supports revealed the goal, and explores to find it otherwise', async () => {
    const params = { size: 5, goal: [3, 2] as [number, number], horizon: 40 };
    const task = makeDarkroomTask(params);
    const view = publicView(task);
    const support = await rollouts(task, solve(task).agent(new Rng(0)), 1, 'support-env');
    const informed = await cePlanningPolicy.prepare({ view, support, rng: new Rng(1) });
    expect(await meanReturn(task, informed, 3)).toBe(darkroomOracleReturn(params));
    const blind = await cePlanningPolicy.prepare({ view, support: [], rng: new Rng(1) });
    const ep = await simulateEpisode(task, blind, { seed: 0, taskIndex: 0, episode: 0 });
    expect(ep.return).toBeGreaterThan(0);
    const firstHit = ep.steps.findIndex((s) => s.reward > 0);
    // once found, it stays on the goal for the rest of the episode
    expect(ep.steps.slice(firstHit).every((s) => s.reward === 1)).toBe(true);
    // reused for a second episode, it starts again from the support's knowledge, with the same result
    expect((await simulateEpisode(task, blind, { seed: 0, taskIndex: 0, episode: 1 })).return).toBe(ep.return);
  });
});

describe('registry', () => {
  it('knows the baselines and refuses unknown names with the list of known ones', () => {
    expect(policyNames()).toEqual(expect.arrayContaining(['random', 'oracle', 'support-copy', 'ce-planning', 'icl', 'sft']));
    expect(() => getPolicy('ppo')).toThrow(/unknown policy "ppo"; known: random, oracle/);
  });

  it('registers a policy and removes it again', () => {
    const remove = registerPolicy({ name: 'always-work', prepare: () => ({ act: () => 2 }) });
    expect(getPolicy('always-work').name).toBe('always-work');
    remove();
    expect(policyNames()).not.toContain('always-work');
  });
});
