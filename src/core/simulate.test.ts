import { describe, expect, it } from 'vitest';
import { Rng } from './rng.ts';
import { makeEnergyTask } from './envs/energy.ts';
import { makeDarkroomTask, darkroomOracleReturn } from './envs/darkroom.ts';
import { replayAgent, simulateEpisode, simulateEpisodeSync } from './simulate.ts';
import { discountedReturn } from './metrics.ts';
import type { Agent, EnergyParams } from './types.ts';

const base: EnergyParams = { levels: 6, p: 0.6, cost: 0.1, horizon: 12, gamma: 1, init: 'uniform', q: 1, K: 1, alpha: 1, rho: 0.1, kappa: 50 };
const mdp = makeEnergyTask('energy-mdp', base);
const pomdp = makeEnergyTask('energy-pomdp', { ...base, q: 0.6 });

/** A random agent with its own stream; it draws several numbers per step to stress stream independence. */
function noisyAgent(seed: number, nActions: number): Agent {
  const rng = new Rng(seed, 'agent');
  return {
    act: () => {
      rng.next();
      rng.next();
      return rng.int(nActions);
    },
  };
}

describe('simulateEpisode: common random numbers', () => {
  it('two different policies on the same task and episode meet the same initial state and first observation', async () => {
    for (let e = 0; e < 20; e++) {
      const opts = { seed: 3, taskIndex: 1, episode: e };
      const a = await simulateEpisode(pomdp, noisyAgent(1, 3), opts);
      const b = await simulateEpisode(pomdp, replayAgent([2]), opts);
      expect(a.latent[0]).toBe(b.latent[0]);
      expect(a.steps[0]!.obs).toEqual(b.steps[0]!.obs);
    }
  });

  it('different episodes and tasks get different noise', async () => {
    const starts = new Set<number>();
    for (let e = 0; e < 30; e++) starts.add((await simulateEpisode(mdp, replayAgent([0]), { seed: 0, taskIndex: 0, episode: e })).latent[0]!);
    expect(starts.size).toBeGreaterThan(3);
  });

  it('an agent replaying the same actions sees identical trajectories, whatever randomness it consumes itself', async () => {
    const actions = [0, 2, 1, 2, 2, 0, 0, 2, 1, 2, 2, 2];
    const opts = { seed: 9, taskIndex: 4, episode: 2 };
    const plain = await simulateEpisode(pomdp, replayAgent(actions), opts);
    const rng = new Rng(123);
    const busy: Agent = {
      act: (history) => {
        for (let i = 0; i < 7; i++) rng.next();
        return actions[history.length]!;
      },
    };
    const again = await simulateEpisode(pomdp, busy, opts);
    expect(again).toEqual(plain);
  });

  it('policies that agree on a prefix see the same prefix, and the noise after a divergence does not shift', async () => {
    const opts = { seed: 5, taskIndex: 0, episode: 7 };
    const a = await simulateEpisode(pomdp, replayAgent([0, 0, 0, 2, 2, 2, 2, 2, 2, 2, 2, 2]), opts);
    const b = await simulateEpisode(pomdp, replayAgent([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]), opts);
    expect(b.steps.slice(0, 3)).toEqual(a.steps.slice(0, 3));
    expect(b.latent.slice(0, 4)).toEqual(a.latent.slice(0, 4));
  });

  it('the sync fast path gives the same episode as the async path', async () => {
    const opts = { seed: 2, taskIndex: 3, episode: 1 };
    expect(simulateEpisodeSync(pomdp, noisyAgent(4, 3), opts)).toEqual(await simulateEpisode(pomdp, noisyAgent(4, 3), opts));
    const asyncAgent: Agent = { act: async () => 2 };
    expect(() => simulateEpisodeSync(pomdp, asyncAgent, opts)).toThrow(/asynchronous/);
  });
});

describe('simulateEpisode: energy dynamics', () => {
  it('with p = 1 charge raises and work lowers the level; rewards and the discounted return follow the model', async () => {
    const task = makeEnergyTask('energy-mdp', { ...base, p: 1, init: 2, gamma: 0.9, horizon: 6 });
    const ep = await simulateEpisode(task, replayAgent([0, 1, 2, 2, 2, 2]), { seed: 0, taskIndex: 0, episode: 0 });
    expect(ep.latent).toEqual([2, 3, 4, 3, 2, 1]);
    expect(ep.steps.map((s) => s.obs[0])).toEqual([2, 3, 4, 3, 2, 1]);
    expect(ep.steps.map((s) => s.reward)).toEqual([-0.1, -0.1, 0.8, 0.6, 0.4, 0.2]);
    expect(ep.return).toBeCloseTo(discountedReturn([-0.1, -0.1, 0.8, 0.6, 0.4, 0.2], 0.9), 12);
  });

  it('with p = 0 nothing moves', async () => {
    const task = makeEnergyTask('energy-mdp', { ...base, p: 0, init: 3, horizon: 5 });
    const ep = await simulateEpisode(task, replayAgent([0, 2, 0, 2, 2]), { seed: 1, taskIndex: 0, episode: 0 });
    expect(ep.latent).toEqual([3, 3, 3, 3, 3]);
  });

  it('observations are correct with frequency q and transitions succeed with frequency p', async () => {
    const task = makeEnergyTask('energy-pomdp', { ...base, q: 0.7, p: 0.6, horizon: 20 });
    let correct = 0;
    let moves = 0;
    let trials = 0;
    let n = 0;
    for (let e = 0; e < 300; e++) {
      const ep = await simulateEpisode(task, replayAgent([0]), { seed: 11, taskIndex: 0, episode: e });
      ep.steps.forEach((s, t) => {
        n++;
        if (s.obs[0] === ep.latent[t]) correct++;
        if (t + 1 < ep.latent.length && ep.latent[t]! < base.levels - 1) {
          trials++;
          if (ep.latent[t + 1] === ep.latent[t]! + 1) moves++;
        }
      });
    }
    expect(correct / n).toBeGreaterThan(0.67);
    expect(correct / n).toBeLessThan(0.73);
    expect(moves / trials).toBeGreaterThan(0.56);
    expect(moves / trials).toBeLessThan(0.64);
  });

  it('the APOMDP model index selects the generating model and is recorded', async () => {
    const task = makeEnergyTask('energy-pomdp', base);
    const stuck = { transition: makeEnergyTask('energy-mdp', { ...base, p: 0 }).models[0]!.transition, emission: task.models[0]!.emission };
    task.models.push(stuck);
    const ep = await simulateEpisode(task, replayAgent([0]), { seed: 0, taskIndex: 0, episode: 0, model: 1 });
    expect(ep.model).toBe(1);
    expect(new Set(ep.latent).size).toBe(1);
    await expect(simulateEpisode(task, replayAgent([0]), { seed: 0, taskIndex: 0, episode: 0, model: 2 })).rejects.toThrow(/model 2/);
  });

  it('rejects actions outside the action set', async () => {
    await expect(simulateEpisode(mdp, replayAgent([3]), { seed: 0, taskIndex: 0, episode: 0 })).rejects.toThrow(/\[0, 2\]/);
    await expect(simulateEpisode(mdp, replayAgent([0.5]), { seed: 0, taskIndex: 0, episode: 0 })).rejects.toThrow(/action 0.5/);
  });
});

describe('simulateEpisode: darkroom', () => {
  it('starts at (0,0), observes [x, y], encodes latent y*size+x and rewards the post-move goal', async () => {
    const params = { size: 5, goal: [2, 1] as [number, number], horizon: 8 };
    const task = makeDarkroomTask(params);
    const ep = await simulateEpisode(task, replayAgent([0, 0, 2, 4, 4, 1, 4, 3]), { seed: 0, taskIndex: 0, episode: 0 });
    expect(ep.steps.map((s) => s.obs)).toEqual([[0, 0], [1, 0], [2, 0], [2, 1], [2, 1], [2, 1], [1, 1], [1, 1]]);
    expect(ep.latent).toEqual([0, 1, 2, 7, 7, 7, 6, 6]);
    expect(ep.steps.map((s) => s.reward)).toEqual([0, 0, 1, 1, 1, 0, 0, 0]);
    expect(ep.return).toBe(3);
  });

  it('the oracle route earns the oracle return and moves are clipped', async () => {
    const params = { size: 10, goal: [9, 9] as [number, number], horizon: 100 };
    const route = [...Array(9).fill(0), ...Array(9).fill(2), 4];
    const ep = await simulateEpisode(makeDarkroomTask(params), replayAgent(route), { seed: 0, taskIndex: 0, episode: 0 });
    expect(ep.return).toBe(darkroomOracleReturn(params));
    const clipped = await simulateEpisode(makeDarkroomTask(params), replayAgent([1, 3]), { seed: 0, taskIndex: 0, episode: 0 });
    expect(clipped.latent.every((s) => s === 0)).toBe(true);
  });
});
