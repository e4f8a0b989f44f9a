/**
 * The SFT dataset of an experiment spec: the right tasks (training draws, never test tasks), the
 * right episodes per task, the inference layout, and pairs consistent with the text records.
 */
import { describe, expect, it } from 'vitest';
import { parsePrompt, parseTrajectory } from '../core/serialize.ts';
import { darkroomGoalSplit } from '../core/envs/darkroom.ts';
import { sampleTask } from './run.ts';
import { parseExperimentSpec } from './spec.ts';
import {
  DARKROOM_EPISODES, ENERGY_ORACLE_EPISODES, pairRecords, recordLines, textRecord, trainingExamples, trainingTask, validationTaskCount, type DatasetExample,
} from './dataset.ts';

async function collect(input: unknown, opts: Parameters<typeof trainingExamples>[1]): Promise<DatasetExample[]> {
  const out: DatasetExample[] = [];
  for await (const ex of trainingExamples(input, opts)) out.push(ex);
  return out;
}

const energySpec = { name: 'sft-mdp', env: 'energy-mdp', params: { horizon: 5 }, support: 2, seed: 4 };

describe('training examples', () => {
  it('energy: 15 oracle episodes per training task, each after k fresh support trajectories, reproducibly', async () => {
    const exs = await collect(energySpec, { tasks: 3 });
    expect(exs).toHaveLength(3 * ENERGY_ORACLE_EPISODES);
    expect(exs.map((e) => e.task)).toEqual([0, 1, 2].flatMap((i) => Array<number>(ENERGY_ORACLE_EPISODES).fill(i)));
    for (const ex of exs) {
      expect(ex.policy).toBe('oracle');
      expect(ex.steps).toHaveLength(5);
      expect(ex.support).toHaveLength(2);
      expect(ex.support.every((s) => s.length === 5)).toBe(true);
    }
    // support is drawn per example, not copied from one example to the next
    const supports = new Set(exs.map((e) => JSON.stringify(e.support)));
    expect(supports.size).toBeGreaterThan(30);
    expect(await collect(energySpec, { tasks: 3 })).toEqual(exs);
  });

  it('training tasks are other draws than the test tasks of the same spec', () => {
    const spec = parseExperimentSpec(energySpec);
    const pOf = (t: ReturnType<typeof trainingTask>) => (t.kind === 'energy' ? t.params.p : NaN);
    const train = Array.from({ length: 20 }, (_, i) => pOf(trainingTask(spec, spec.params, i)));
    const test = Array.from({ length: 20 }, (_, i) => pOf(sampleTask(spec, spec.params, i)));
    expect(train.filter((p) => test.includes(p))).toEqual([]);
    for (const p of train) expect(p >= 0.3 && p <= 0.9).toBe(true);
  });

  it('text records use the inference layout: support lines, then the episode', async () => {
    const [ex] = await collect(energySpec, { tasks: 1 });
    const { text } = textRecord(ex!);
    const lines = text.split('\n');
    expect(lines).toHaveLength(3);
    expect(lines.slice(0, 2).map(parseTrajectory)).toEqual(ex!.support.map((s) => s.map((st) => ({ ...st, reward: Number(st.reward.toFixed(2)) }))));
    expect(parseTrajectory(lines[2]!).map((s) => s.action)).toEqual(ex!.steps.map((s) => s.action));
    expect(JSON.parse(recordLines(ex!, 'text')[0]!)).toEqual({ text });
  });

  it('pairs: one per step, prompt ends at the open action slot, completion = the action; prompt + completion is a prefix of the text', async () => {
    const [ex] = await collect(energySpec, { tasks: 1 });
    const pairs = pairRecords(ex!);
    const { text } = textRecord(ex!);
    expect(pairs).toHaveLength(5);
    pairs.forEach((p, t) => {
      const parsed = parsePrompt(p.prompt);
      expect(parsed.support).toHaveLength(2);
      expect(parsed.query).toHaveLength(t);
      expect(p.prompt.endsWith(`<A_${t + 1}> `)).toBe(true);
      expect(p.completion).toBe(String(ex!.steps[t]!.action));
      expect(text.startsWith(p.prompt + p.completion)).toBe(true);
    });
    expect(recordLines(ex!, 'pairs').map((l) => JSON.parse(l) as unknown)).toEqual(pairs);
  });

  it('darkroom: 10 oracle + 100 random episodes per goal of the train split', async () => {
    const spec = { name: 'sft-dark', env: 'darkroom', params: { horizon: 12 }, support: 2, seed: 1 };
    const exs = await collect(spec, { tasks: 2 });
    const perTask = DARKROOM_EPISODES.oracle + DARKROOM_EPISODES.random;
    expect(exs).toHaveLength(2 * perTask);
    const split = darkroomGoalSplit(10, 0);
    for (const i of [0, 1]) {
      const task = trainingTask(parseExperimentSpec(spec), { horizon: 12 }, i);
      expect(task.kind === 'darkroom' && task.params.goal).toEqual(split.train[i]);
      const mine = exs.filter((e) => e.task === i);
      const oracle = mine.filter((e) => e.policy === 'oracle');
      expect(oracle).toHaveLength(10);
      expect(mine.filter((e) => e.policy === 'random')).toHaveLength(100);
      // the oracle is deterministic here, and beats the random rollouts on average
      expect(new Set(oracle.map((e) => e.return)).size).toBe(1);
      const randomMean = mine.filter((e) => e.policy === 'random').reduce((a, e) => a + e.return, 0) / 100;
      expect(oracle[0]!.return).toBeGreaterThanOrEqual(randomMean);
    }
    const goals = [0, 1].map((i) => JSON.stringify(split.train[i]));
    expect(split.test.map((g) => JSON.stringify(g)).filter((g) => goals.includes(g))).toEqual([]);
  });

  it('sweeps need a point; APOMDP specs export too', async () => {
    const swept = { ...energySpec, sweep: { param: 'horizon', values: [3, 4] } };
    await expect(collect(swept, { tasks: 1 })).rejects.toThrow(/sweeps horizon over 2 values/);
    const at4 = await collect(swept, { tasks: 1, point: 1 });
    expect(at4[0]!.steps).toHaveLength(4);
    const apomdp = await collect({ name: 'a', env: 'energy-apomdp', params: { horizon: 3, K: 2, q: 0.8 }, seed: 2 }, { tasks: 1 });
    expect(apomdp).toHaveLength(ENERGY_ORACLE_EPISODES);
    await expect(collect({ name: 'd', env: 'darkroom' }, { tasks: 81 })).rejects.toThrow(/tasks must be an integer in \[1, 80\]/);
  });

  it('holds out 10 % of the training tasks for validation', () => {
    expect([1, 2, 10, 15, 100, 3200].map(validationTaskCount)).toEqual([0, 1, 1, 2, 10, 320]);
  });
});
