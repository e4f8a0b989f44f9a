/**
 * compareEpisodes: the policies meet the same noise, each decision carries the policy's stated
 * distribution (a language model's softmax over the action tokens, whose argmax is the action
 * taken), and the oracle's choice is recorded at every step of every policy's history.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { buildTestModel } from '../../tests/fixtures/test-model.ts';
import { taskFromSpec } from '../core/tasks.ts';
import { asLanguageModel, loadModel } from '../models/loader/load.ts';
import type { FolderReader } from '../models/loader/sources.ts';
import { CpuBackend } from '../nn/cpu/index.ts';
import { getPolicy } from '../policies/registry.ts';
import type { LanguageModel } from '../policies/types.ts';
import { actionClasses, compareEpisodes } from './compare.ts';
import { playEpisode, prepareAgent, taskContext, type TaskContext } from './task-context.ts';

let lm: LanguageModel;
let ctx: TaskContext;

beforeAll(async () => {
  const { files } = await buildTestModel({ config: { max_position_embeddings: 512, hidden_size: 32, intermediate_size: 48, head_dim: 8 } });
  const reader: FolderReader = { where: 'tiny', read: (f) => Promise.resolve(files.get(f) ?? null) };
  lm = asLanguageModel(await loadModel({ kind: 'local', location: 'tiny' }, { backend: new CpuBackend(), folder: () => reader }));
  const task = taskFromSpec({ env: 'energy-pomdp', params: { horizon: 4, levels: 4 }, seed: 11 });
  ctx = await taskContext(task, { seed: 11, index: 0, k: 2, policy: 'oracle' });
});

describe('actionClasses', () => {
  it('puts energy\'s duplicate charge actions in one class and keeps work apart', () => {
    expect(actionClasses(ctx.task)).toEqual([0, 0, 2]);
    expect(actionClasses(taskFromSpec({ env: 'darkroom', params: {}, seed: 1 }))).toEqual([0, 1, 2, 3, 4]);
  });
});

describe('compareEpisodes', () => {
  it('plays every policy on the same noise and records what each thought and what the oracle would do', async () => {
    const names = ['oracle', 'random', 'support-copy', 'icl'];
    const eps = await compareEpisodes(ctx, names.map((n) => ({ factory: getPolicy(n), trained: n === 'icl' ? { lm } : {} })), 3);
    expect(eps.map((e) => e.policy)).toEqual(names);
    // common random numbers: the first observation and hidden state are the same for all
    for (const e of eps) {
      expect(e.steps).toHaveLength(4);
      expect(e.steps[0]!.obs).toEqual(eps[0]!.steps[0]!.obs);
      expect(e.latent[0]).toBe(eps[0]!.latent[0]);
      expect(e.steps.at(-1)!.cumulative).toBeCloseTo(e.return, 12);
    }
    const byName = Object.fromEntries(eps.map((e) => [e.policy, e]));
    for (const s of byName.random!.steps) expect(s.probabilities).toEqual(Array.from({ length: ctx.task.nActions }, () => 1 / ctx.task.nActions));
    for (const s of byName['support-copy']!.steps) expect(s.probabilities).toBeNull();
    for (const s of byName.icl!.steps) {
      const p = s.probabilities!;
      expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 10);
      expect(p.indexOf(Math.max(...p))).toBe(s.action);
    }
    // the episode is the one a sweep plays for this policy and episode index
    const alone = await playEpisode(ctx, await prepareAgent(ctx, getPolicy('support-copy'), {}, ['policy', 'support-copy', 3]), 3);
    expect(byName['support-copy']!.steps.map((s) => s.action)).toEqual(alone.steps.map((s) => s.action));
    expect(byName['support-copy']!.return).toBe(alone.return);
    // the oracle agrees with itself (its two tie-breaking streams may pick either charge action)
    for (const s of byName.oracle!.steps) {
      expect(s.agrees).toBe(true);
      expect(s.oracleEquivalents).toContain(s.action);
    }
    expect(eps.flatMap((e) => e.steps).every((s) => s.agrees === s.oracleEquivalents.includes(s.action))).toBe(true);
  });
});
