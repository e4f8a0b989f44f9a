/**
 * The DPT at toy scale on the CPU backend: its token vectors carry exactly what the layout says;
 * training lowers the loss and reports a validation loss every epoch; the same seed gives the
 * same model bytes, which load back to the same predictions; the saved folder refuses what does
 * not fit; and the trained model, as the `dpt` policy, beats the random policy on held-out test
 * tasks of the experiment.
 */
import { describe, expect, it } from 'vitest';
import { collectExperiment } from '../experiments/run.ts';
import { parseExperimentSpec } from '../experiments/spec.ts';
import { CpuBackend } from '../nn/cpu/index.ts';
import { ModelFormatError } from '../nn/llama-config.ts';
import { writeSafetensors, parseSafetensors, readTensor } from '../nn/safetensors.ts';
import { dptPolicy, dptProbabilities } from '../policies/dpt.ts';
import { Rng } from '../core/rng.ts';
import { trainDptAtPoint } from './at-point.ts';
import { contextVectors, featureWidth, queryVector, TOGO_CAP, transitionVector, type DptShape } from './dpt-features.ts';
import { buildDptDataset, dptBatch } from './dpt-data.ts';
import { dptConfigJson, dptSafetensors, loadDpt, parseDptConfig } from './dpt-model.ts';

const SPEC = {
  name: 'dpt-toy', env: 'energy-mdp', params: { horizon: 3, levels: 4 }, policies: ['random', 'dpt'], testTasks: 12, episodes: 6, seed: 5,
  training: { tasks: 10, seed: 3, dpt: { layers: 2, hidden: 16, epochs: 6, batch: 16, lr: 3e-3 } },
};

describe('DPT token vectors', () => {
  const shape: DptShape = { env: 'energy-mdp', obsSizes: [4], nActions: 3, horizon: 3 };
  const width = featureWidth(shape);

  it('lay out the query and the transitions as documented', () => {
    // bias, flag, query obs 4, query time 9, obs 4, action 3, reward 1, next 4, last 1, time 9.
    expect(width).toBe(2 + 4 + (TOGO_CAP + 1) + 4 + 3 + 1 + 4 + 1 + (TOGO_CAP + 1));
    const q = queryVector(shape, [2], 1);
    expect([...q.slice(0, 6)]).toEqual([1, 1, 0, 0, 1, 0]);
    expect(q[6 + 1]).toBe(1); // two steps to go
    expect(q[6 + TOGO_CAP]).toBeCloseTo(1 / 3, 6);
    expect(q.reduce((a, b) => a + b, 0)).toBeCloseTo(4 + 1 / 3, 6); // bias, flag, one obs, one steps-to-go, t/H
    const traj = [{ obs: [1], action: 2, reward: -0.25 }, { obs: [3], action: 0, reward: 0.5 }];
    const first = transitionVector(shape, traj, 0);
    const at = 2 + 4 + TOGO_CAP + 1;
    expect([...first.slice(at, at + 4)]).toEqual([0, 1, 0, 0]);
    expect([...first.slice(at + 4, at + 7)]).toEqual([0, 0, 1]);
    expect(first[at + 7]).toBe(-0.25);
    expect([...first.slice(at + 8, at + 12)]).toEqual([0, 0, 0, 1]); // o′ = the next step's observation
    expect(first[at + 12]).toBe(0);
    expect(first[1]).toBe(0); // not a query
    const last = transitionVector(shape, traj, 1);
    expect([...last.slice(at + 8, at + 12)]).toEqual([0, 0, 0, 0]);
    expect(last[at + 12]).toBe(1);
    expect(contextVectors(shape, [traj, traj])).toHaveLength(4 * width);
  });

  it('refuses an observation or an action outside the task family', () => {
    expect(() => queryVector(shape, [4], 0)).toThrow(/observation component 0 must be an integer in \[0, 3\], got 4/);
    expect(() => transitionVector(shape, [{ obs: [0], action: 3, reward: 0 }], 0)).toThrow(/action must be an integer in \[0, 2\], got 3/);
  });

  it('make batches whose every real position predicts the query label, padding masked', async () => {
    const data = await buildDptDataset(parseExperimentSpec(SPEC), { tasks: 4, point: 0 });
    expect(data.contextTransitions).toBe(6); // k = 2 support trajectories × H = 3
    expect(data.val).toHaveLength(15 * 3); // 1 task of 4 held out: 15 episodes × 3 steps
    const b = dptBatch(data.shape, data.train.slice(0, 5));
    expect(b.seq).toBe(7);
    expect(b.count).toBe(35);
    expect(b.targets.slice(0, 7).every((t) => t === data.train[0]!.episode.queries[0]!.label)).toBe(true);
  });
});

describe('DPT training', () => {
  it('lowers the loss, reports validation every epoch, and the same seed gives the same model bytes, which load back to the same predictions', async () => {
    const spec = parseExperimentSpec(SPEC);
    const a = await trainDptAtPoint(spec, 0, new CpuBackend());
    const { losses, valLosses } = a.result;
    expect(valLosses.map((v) => v.epoch)).toEqual([1, 2, 3, 4, 5, 6]);
    const mean = (xs: { loss: number }[]) => xs.reduce((s, l) => s + l.loss, 0) / xs.length;
    expect(mean(losses.slice(-5))).toBeLessThan(0.6 * mean(losses.slice(0, 5)));
    expect(valLosses[5]!.loss).toBeLessThan(valLosses[0]!.loss);
    const b = await trainDptAtPoint(spec, 0, new CpuBackend());
    const bytes = await dptSafetensors(a.result.model);
    expect(Buffer.from(bytes).equals(Buffer.from(await dptSafetensors(b.result.model)))).toBe(true);

    const config = parseDptConfig(JSON.parse(JSON.stringify(dptConfigJson(a.result.model.config))));
    expect(config).toEqual(a.result.model.config);
    const loaded = loadDpt(new CpuBackend(), config, bytes);
    const support = [[{ obs: [1], action: 2, reward: 1 / 3 }, { obs: [0], action: 0, reward: -0.1 }, { obs: [1], action: 2, reward: 1 / 3 }]];
    const ctx = contextVectors(config.shape, support);
    const p = await dptProbabilities(a.result.model, ctx, [2], 1);
    expect(await dptProbabilities(loaded, ctx, [2], 1)).toEqual(p);
    expect(p.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 5);
    // A context longer than the trained one is refused by name (k = 3 trajectories of 3 steps > 6).
    const view = { env: 'energy-mdp' as const, nActions: 3, horizon: 3, gamma: 1, known: { levels: 4, cost: 0.1, init: 'uniform', K: 1, alpha: 0 } };
    const tooLong = [support[0]!, support[0]!, support[0]!];
    expect(() => dptPolicy.prepare({ view, support: tooLong, rng: new Rng(1), dpt: loaded })).toThrow(/9 transitions, over the 6 the model was trained on \(context_transitions\)/);
    expect(() => dptPolicy.prepare({ view, support, rng: new Rng(1), dpt: loaded })).not.toThrow();

    // A folder that does not fit is refused by name.
    const file = parseSafetensors(bytes);
    const tensors = new Map([...file.tensors.keys()].map((k) => [k, { shape: file.tensors.get(k)!.shape, data: readTensor(file, k).data }]));
    tensors.delete('input_proj.weight');
    expect(() => loadDpt(new CpuBackend(), config, writeSafetensors(tensors))).toThrow(/missing tensor input_proj\.weight/);
    expect(() => parseDptConfig({ ...dptConfigJson(config), num_attention_heads: 3 })).toThrow(ModelFormatError);
    expect(() => parseDptConfig({ ...dptConfigJson(config), env: 'chess' })).toThrow(/env: must be one of/);
  }, 60_000);

  it('as the dpt policy, beats the random policy on held-out test tasks', async () => {
    const { rows } = await collectExperiment(SPEC);
    const gap = (p: string) => rows.find((r) => r.policy === p)!;
    expect(gap('dpt').gap, `dpt ${gap('dpt').gap} vs random ${gap('random').gap}`).toBeLessThan(gap('random').gap);
    expect(gap('dpt').ciHigh).toBeLessThan(gap('random').ciLow);
  }, 60_000);
});
