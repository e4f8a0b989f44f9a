/**
 * SFT at toy scale on the CPU backend (tests/fixtures/test-model.ts: llama-tiny's shape with the
 * lab tokenizer, random weights, NF4 base): the loss falls and the validation loss is reported
 * every epoch; the same seed gives the same adapter bytes; the dataset's loss mask covers
 * exactly the query line; and the adapted model, as the `sft` policy, beats the random policy
 * on held-out test tasks.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { buildTestModel } from '../../tests/fixtures/test-model.ts';
import { serializeTrajectory } from '../core/serialize.ts';
import { collectExperiment } from '../experiments/run.ts';
import { parseExperimentSpec } from '../experiments/spec.ts';
import { asLanguageModel, loadModel } from '../models/loader/load.ts';
import { loadPeftAdapter, savePeftAdapter } from '../models/peft.ts';
import type { TrainedArtifact } from '../experiments/types.ts';
import type { FolderReader } from '../models/loader/sources.ts';
import { CpuBackend } from '../nn/cpu/index.ts';
import type { LanguageModel } from '../policies/types.ts';
import { labTokenizerFromJson, type TokenizerConfigJson, type TokenizerJson } from '../models/tokenizer/index.ts';
import { buildSftDataset, sftRow } from './sft-data.ts';
import { trainSftAtPoint } from './at-point.ts';
import { nodeSftShards } from './sft-shards-node.ts';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

let files: Map<string, Uint8Array>;

/** A fresh NF4 instance of the tiny model (the runner's adapter base). */
async function tinyLm(nf4 = true): Promise<LanguageModel> {
  const reader: FolderReader = { where: 'tiny', read: (f) => Promise.resolve(files.get(f) ?? null) };
  return asLanguageModel(await loadModel({ kind: 'local', location: 'tiny' }, { backend: new CpuBackend(), folder: () => reader, nf4 }));
}

const SPEC = {
  name: 'sft-toy', env: 'energy-mdp', params: { horizon: 3, levels: 4 }, policies: ['random', 'sft'], testTasks: 12, episodes: 6, seed: 5,
  training: { tasks: 8, epochs: 3, lr: 1e-2, batch: 8, seed: 3 },
};

beforeAll(async () => {
  ({ files } = await buildTestModel({ config: { max_position_embeddings: 512, hidden_size: 32, intermediate_size: 48, head_dim: 8 } }));
});

describe('SFT dataset', () => {
  it('counts the tokens of the query line only (loss "query"), after BOS and the support lines', async () => {
    const lm = await tinyLm(false);
    const read = <T>(name: string): T => JSON.parse(new TextDecoder().decode(files.get(name))) as T;
    const tok = labTokenizerFromJson(read<TokenizerJson>('tokenizer.json'), read<TokenizerConfigJson>('tokenizer_config.json'));
    const spec = parseExperimentSpec(SPEC);
    const data = await buildSftDataset(spec, lm.tokenizer, { tasks: 4, point: 0 });
    expect(data.val.length).toBe(15); // 1 of 4 tasks held out, 15 oracle episodes each
    expect(data.train.length).toBe(45);
    const row = data.train[0]!;
    const from = row.mask.indexOf(1);
    // Everything before `from` is BOS + the two support lines with their line breaks.
    expect(row.mask.slice(from).every((m) => m === 1)).toBe(true);
    const text = tok.decode(row.ids.slice(1, from));
    expect(text.split('\n')).toHaveLength(3);
    expect(text.endsWith('\n')).toBe(true);
    expect(tok.decode(row.ids.slice(from)).startsWith('<O_1> ')).toBe(true);
    const all = sftRow(lm.tokenizer, { task: 0, episode: 0, policy: 'oracle', support: [], steps: [{ obs: [1], action: 2, reward: 0.33 }], oracleActions: [2], return: 0.33 }, 'text');
    expect(all.mask).toEqual([0, ...all.ids.slice(1).map(() => 1)]);
    expect(tok.decode(all.ids.slice(1))).toBe(serializeTrajectory([{ obs: [1], action: 2, reward: 0.33 }]));
  });

  it('a random episode counts its action tokens only where the oracle would have taken the same action', async () => {
    const lm = await tinyLm(false);
    const read = <T>(name: string): T => JSON.parse(new TextDecoder().decode(files.get(name))) as T;
    const tok = labTokenizerFromJson(read<TokenizerJson>('tokenizer.json'), read<TokenizerConfigJson>('tokenizer_config.json'));
    const support = [[{ obs: [0, 0], action: 0, reward: 0 }, { obs: [1, 0], action: 2, reward: 1 }]];
    const steps = [{ obs: [0, 0], action: 3, reward: 0 }, { obs: [0, 0], action: 0, reward: 0 }, { obs: [1, 0], action: 4, reward: 0 }];
    const ex = { task: 0, episode: 0, support, steps, oracleActions: [0, 0, 2], return: 0 };
    const asOracle = sftRow(lm.tokenizer, { ...ex, policy: 'oracle' }, 'query');
    const asRandom = sftRow(lm.tokenizer, { ...ex, policy: 'random' }, 'query');
    expect(asRandom.ids).toEqual(asOracle.ids);
    const dropped = asOracle.mask.flatMap((m, t) => (m !== asRandom.mask[t] ? [t] : []));
    // Steps 1 and 3 (random 3 and 4 where the oracle takes 0 and 2) lose their action token; step 2 (0 = 0) keeps it.
    expect(dropped.map((t) => tok.decode([asRandom.ids[t]!]).trim())).toEqual(['3', '4']);
    expect(dropped.map((t) => tok.decode(asRandom.ids.slice(0, t)).endsWith('> '))).toEqual([true, true]);
  });
});

describe('SFT training', () => {
  it('lowers the loss, reports a validation loss every epoch, and an interrupted run resumed from its checkpoint gives the same adapter bytes', async () => {
    const spec = parseExperimentSpec(SPEC);
    const a = await trainSftAtPoint(spec, 0, await tinyLm());
    const { losses, valLosses } = a.result;
    expect(valLosses.map((v) => v.epoch)).toEqual([1, 2, 3]);
    const first = losses.slice(0, 3).reduce((s, l) => s + l.loss, 0) / 3;
    const last = losses.slice(-3).reduce((s, l) => s + l.loss, 0) / 3;
    expect(last).toBeLessThan(0.7 * first);
    expect(valLosses[2]!.loss).toBeLessThan(valLosses[0]!.loss);
    // The same run, cancelled after step 5 (checkpoints every 5 steps), then resumed on a fresh model.
    let saved: Uint8Array | null = null;
    const controller = new AbortController();
    await expect(
      trainSftAtPoint(spec, 0, await tinyLm(), {
        signal: controller.signal, checkpointEvery: 5, saveCheckpoint: (bytes) => void (saved = bytes), onProgress: (p) => p.step === 5 && controller.abort(),
      }),
    ).rejects.toThrow('training cancelled');
    expect(saved).not.toBeNull();
    const b = await trainSftAtPoint(spec, 0, await tinyLm(), { resume: saved! });
    expect(b.result.losses).toEqual(losses);
    const bytes = async (t: typeof a) => (await savePeftAdapter(t.lm.model.backend, t.result.adapter)).safetensors;
    expect(Buffer.from(await bytes(a)).equals(Buffer.from(await bytes(b)))).toBe(true);
    // A checkpoint is refused for a run with other settings.
    const other = parseExperimentSpec({ ...SPEC, training: { ...SPEC.training, lr: 5e-3 } });
    await expect(trainSftAtPoint(other, 0, await tinyLm(), { resume: saved! })).rejects.toThrow(/other training settings/);
  });

  it('takes a learning-rate factor read before every step: changed mid-run it scales the next steps, and 0 freezes the adapter', async () => {
    const spec = parseExperimentSpec({ ...SPEC, training: { ...SPEC.training, epochs: 1 } });
    let scale = 1;
    const lrs: number[] = [];
    const run = await trainSftAtPoint(spec, 0, await tinyLm(), { lrScale: () => scale, onProgress: (p) => (lrs.push(p.lr), p.step === 2 && (scale = 0.5)) });
    const plain: number[] = [];
    await trainSftAtPoint(spec, 0, await tinyLm(), { onProgress: (p) => plain.push(p.lr) });
    expect(lrs.slice(0, 2)).toEqual(plain.slice(0, 2));
    lrs.slice(2).forEach((lr, i) => expect(lr).toBeCloseTo(0.5 * plain[i + 2]!, 12));
    expect(run.result.losses.length).toBe(plain.length);
    const frozen = await trainSftAtPoint(spec, 0, await tinyLm(), { lrScale: () => 0 });
    const b = await frozen.lm.model.backend.read(frozen.result.adapter.layers[0]!.q_proj!.b.buf);
    expect(Array.from(b).every((v) => v === 0)).toBe(true);
  });

  it('on two threads (half of each step in a worker thread) gives the same adapter bytes and losses as on one', async () => {
    const spec = parseExperimentSpec({ ...SPEC, training: { ...SPEC.training, epochs: 1, batch: 8, microRows: 2 } });
    const dir = mkdtempSync(join(tmpdir(), 'sft-shards-'));
    for (const [name, bytes] of files) writeFileSync(join(dir, name), bytes);
    const shards = await nodeSftShards({ location: dir, nf4: true, lora: { r: spec.training.rank, alpha: spec.training.alpha, dropout: spec.training.dropout } });
    try {
      const one = await trainSftAtPoint(spec, 0, await tinyLm());
      const two = await trainSftAtPoint(spec, 0, await tinyLm(), { shards });
      expect(two.result.losses).toEqual(one.result.losses);
      const bytes = async (t: typeof one) => Buffer.from((await savePeftAdapter(t.lm.model.backend, t.result.adapter)).safetensors);
      expect((await bytes(two)).equals(await bytes(one))).toBe(true);
    } finally {
      await shards.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('as the sft policy, beats the random policy on held-out test tasks', async () => {
    const { rows } = await collectExperiment(SPEC, { loadLanguageModel: (_m, o) => tinyLm(o?.nf4 === true) });
    const gap = (p: string) => rows.find((r) => r.policy === p)!;
    expect(gap('sft').gap, `sft ${gap('sft').gap} vs random ${gap('random').gap}`).toBeLessThan(gap('random').gap);
    expect(gap('sft').ciHigh).toBeLessThan(gap('random').ciLow);
  }, 60_000);

  it('hands out its checkpoints and the finished adapter when asked, and the kept adapter re-evaluates to the same rows', async () => {
    const spec = { ...SPEC, policies: ['sft'], testTasks: 3, episodes: 2 };
    const kept: TrainedArtifact[] = [];
    const first = await collectExperiment(spec, {
      loadLanguageModel: (_m, o) => tinyLm(o?.nf4 === true),
      artifacts: { checkpointEvery: 1, save: (a) => Promise.resolve(void kept.push(a)) },
    });
    const checkpoints = kept.filter((a) => a.kind === 'sft-checkpoint');
    const steps = checkpoints[0]!.steps;
    // one step per epoch here (8 rows, batch 8): a checkpoint at every step, then the adapter.
    expect(checkpoints.map((c) => c.step)).toEqual(Array.from({ length: steps }, (_, i) => i + 1));
    expect(kept.at(-1)!).toMatchObject({ kind: 'sft-adapter', policy: 'sft', pointIndex: 0, label: 'base', step: steps, steps });
    const adapter = kept.at(-1)!.files;
    expect(Object.keys(adapter).sort()).toEqual(['adapter_config.json', 'adapter_model.safetensors']);

    const again = await collectExperiment({ ...spec, trained: { sft: 'kept' } }, {
      loadLanguageModel: (_m, o) => tinyLm(o?.nf4 === true),
      loadTrained: {
        adapter: (_dir, base) => {
          const config = JSON.parse(adapter['adapter_config.json'] as string) as unknown;
          base.model.setAdapter(loadPeftAdapter(base.model.backend, base.model.config, config, adapter['adapter_model.safetensors'] as Uint8Array, { dropout: 0 }));
          return Promise.resolve(base);
        },
      },
    });
    expect(again.rows.map((r) => r.taskGaps)).toEqual(first.rows.map((r) => r.taskGaps));
  }, 60_000);
});
