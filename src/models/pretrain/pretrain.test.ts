/**
 * Pretraining at toy scale: the schedule, the data position, checkpoints, and the determinism
 * contract — same options → byte-identical model.safetensors, whether the run is interrupted
 * and resumed, and whether one thread or two worker threads compute the shards.
 */
import { describe, expect, it } from 'vitest';
import { parseLlamaConfig } from '../../nn/llama-config.ts';
import { buildTokenizerConfig, buildTokenizerJson, labTokenizerFromJson, STEP_MARKER_MAX } from '../tokenizer/index.ts';
import { CheckpointError, readCheckpoint, writeCheckpoint } from './checkpoint.ts';
import { parseMix, TokenRows } from './data.ts';
import { parallelRunner, sharedAlloc } from './parallel-node.ts';
import { initParams, modelOver, modelSafetensors, paramLayout } from './params.ts';
import { pretrainLoop } from './run.ts';
import { type FloatAlloc, learningRate, localRunner, newState, plainAlloc, type PretrainOptions, type PretrainState, type ShardRunner } from './trainer.ts';

const codec = labTokenizerFromJson(buildTokenizerJson(), buildTokenizerConfig());

function options(over: Partial<PretrainOptions> = {}): PretrainOptions {
  const model = parseLlamaConfig({
    model_type: 'llama', vocab_size: codec.vocabSize, hidden_size: 16, intermediate_size: 32, num_hidden_layers: 2, num_attention_heads: 2,
    num_key_value_heads: 1, tie_word_embeddings: true,
  });
  return {
    // A warm phase of half-length rows for the first 3 steps, so the determinism and resume
    // checks below cross the change of row length.
    model, steps: 6, batch: 4, seq: 24, warmSeq: 12, warmBatch: 6, warmSteps: 3, lr: 3e-3, warmup: 2, minLrRatio: 0.1, weightDecay: 0.1, beta1: 0.9, beta2: 0.95, maxGradNorm: 1, seed: 3,
    mix: parseMix('copy=5'), warmMix: parseMix('copy=5,short-tokens=3'), shards: 2, stepMarkers: STEP_MARKER_MAX, ...over,
  };
}

interface Run {
  state: PretrainState;
  checkpoint: Uint8Array | null;
  losses: number[];
}

/** Trains from `from` (or from scratch) until stopAfter; threads 2 uses the worker pool. */
async function train(o: PretrainOptions, opts: { stopAfter?: number; from?: Uint8Array; threads?: number } = {}): Promise<Run> {
  const layout = paramLayout(o.model);
  const alloc: FloatAlloc = (opts.threads ?? 1) > 1 ? sharedAlloc : plainAlloc;
  let state: PretrainState;
  if (opts.from) {
    state = readCheckpoint(opts.from, o, alloc);
  } else {
    state = newState(layout, alloc);
    initParams(o.model, layout, o.seed, state.params);
  }
  const runner: ShardRunner =
    (opts.threads ?? 1) > 1 ? await parallelRunner(o.model, state.params, o.shards, opts.threads!, o.kernels) : localRunner(o, state.params, (be, g) => modelOver(be, o.model, layout, state.params, g));
  const run: Run = { state, checkpoint: null, losses: [] };
  try {
    await pretrainLoop(o, layout, codec, state, runner, { logEvery: 1, evalEvery: 0, evalExamples: 2, checkpointEvery: 0, ...(opts.stopAfter ? { stopAfter: opts.stopAfter } : {}) }, {
      log: (line) => {
        const m = / loss (\S+) /.exec(line);
        if (m) run.losses.push(Number(m[1]));
      },
      saveCheckpoint: (bytes) => void (run.checkpoint = bytes),
      now: () => 0,
    });
  } finally {
    await runner.close();
  }
  return run;
}

const weightsOf = (o: PretrainOptions, run: Run): Uint8Array => modelSafetensors(paramLayout(o.model), run.state.params);

describe('pretraining initialisation', () => {
  it('draws matrices at 1/√fan-in (o, down also 1/√(2L)) and gives every embedding row one shared half', () => {
    const c = parseLlamaConfig({
      model_type: 'llama', vocab_size: 384, hidden_size: 64, intermediate_size: 256, num_hidden_layers: 2, num_attention_heads: 4, tie_word_embeddings: true,
    });
    const layout = paramLayout(c);
    const params = new Float32Array(layout.total);
    initParams(c, layout, 11, params);
    for (const e of layout.entries) {
      const v = params.subarray(e.offset, e.offset + e.size);
      if (e.shape.length === 1) {
        expect([...v].every((x) => x === 1), e.key).toBe(true);
        continue;
      }
      const [rows, cols] = e.shape as [number, number];
      const ms = v.reduce((a, x) => a + x * x, 0) / v.length;
      const residual = /o_proj|down_proj/.test(e.key) ? 1 / (2 * c.numLayers) : 1;
      // The embedding's shared half is one draw of `cols` numbers, so its scale varies more.
      const tolerance = e.key === 'model.embed_tokens.weight' ? 0.15 : 0.05;
      expect(Math.abs((Math.sqrt(ms) * Math.sqrt(cols)) / Math.sqrt(residual) - 1), e.key).toBeLessThan(tolerance);
      if (e.key === 'model.embed_tokens.weight') {
        // The mean row estimates the shared vector: its squared norm ≈ 0.5 (half of each row's ≈ 1).
        const mean = Array.from({ length: cols }, (_, i) => {
          let s = 0;
          for (let r = 0; r < rows; r++) s += v[r * cols + i]!;
          return s / rows;
        });
        expect(mean.reduce((a, x) => a + x * x, 0)).toBeGreaterThan(0.3);
        expect(mean.reduce((a, x) => a + x * x, 0)).toBeLessThan(0.75);
      }
    }
  });
});

describe('pretraining schedule and data', () => {
  it('warms up linearly, peaks, and decays by half a cosine to lr · minLrRatio', () => {
    const o = { lr: 1e-3, warmup: 4, steps: 104, minLrRatio: 0.1 };
    expect(learningRate(o, 0)).toBeCloseTo(0.2e-3, 12);
    expect(learningRate(o, 3)).toBeCloseTo(0.8e-3, 12);
    expect(learningRate(o, 4)).toBeCloseTo(1e-3, 12);
    expect(learningRate(o, 54)).toBeCloseTo(0.55e-3, 12);
    expect(learningRate(o, 104)).toBeCloseTo(0.1e-3, 12);
  });

  it('parses a corpus mix and names a bad kind or weight', () => {
    expect(parseMix('copy=8,kv=0').copy).toBe(8);
    expect(parseMix(undefined).sentences).toBe(4);
    expect(() => parseMix('poems=2')).toThrow(/unknown document kind "poems"/);
    expect(() => parseMix('copy=-1')).toThrow(/weight of copy/);
  });

  it('continues the token stream exactly from a saved data position', () => {
    const mix = parseMix(undefined);
    const whole = new TokenRows(codec, 5, mix);
    const a = [whole.next(3, 40), whole.next(3, 40), whole.next(3, 40)];
    const first = new TokenRows(codec, 5, mix);
    first.next(3, 40);
    const resumed = new TokenRows(codec, 5, mix, JSON.parse(JSON.stringify(first.state)));
    expect([resumed.next(3, 40), resumed.next(3, 40)]).toEqual(a.slice(1));
    expect(a[0]![0]).toBe(codec.bos);
  });
});

describe('pretraining determinism (toy scale)', () => {
  it('two runs with the same options give byte-identical weights, and the loss falls', async () => {
    const o = options({ steps: 30, warmup: 3, lr: 1e-2 });
    const [a, b] = [await train(o), await train(o)];
    expect(Buffer.from(weightsOf(o, a)).equals(Buffer.from(weightsOf(o, b)))).toBe(true);
    expect(a.losses).toEqual(b.losses);
    const head = a.losses.slice(0, 3).reduce((x, y) => x + y) / 3;
    const tail = a.losses.slice(-3).reduce((x, y) => x + y) / 3;
    expect(tail).toBeLessThan(head - 0.5);
    expect(Buffer.from(weightsOf(o, await train({ ...o, seed: 4 }))).equals(Buffer.from(weightsOf(o, a)))).toBe(false);
  });

  it('a run interrupted at step 3 and resumed from its checkpoint ends with the same bytes as an uninterrupted one', async () => {
    const o = options();
    const whole = await train(o);
    const part = await train(o, { stopAfter: 3 });
    expect(part.state.step).toBe(3);
    const resumed = await train(o, { from: part.checkpoint! });
    expect(resumed.state.step).toBe(o.steps);
    expect(Buffer.from(weightsOf(o, resumed)).equals(Buffer.from(weightsOf(o, whole)))).toBe(true);
    expect(Buffer.from(writeCheckpoint(o, resumed.state)).equals(Buffer.from(writeCheckpoint(o, whole.state)))).toBe(true);
  });

  it('two worker threads give the same bytes as one thread (shards are summed in a fixed order)', async () => {
    const o = options();
    const one = await train(o);
    const two = await train(o, { threads: 2 });
    expect(Buffer.from(weightsOf(o, two)).equals(Buffer.from(weightsOf(o, one)))).toBe(true);
  });

  it('on the fast kernels too, two threads give the bytes of one; the weights differ from the reference kernels by f32 rounding only', async () => {
    const fast = options({ kernels: 'fast' });
    const one = await train(fast);
    const two = await train(fast, { threads: 2 });
    expect(Buffer.from(weightsOf(fast, two)).equals(Buffer.from(weightsOf(fast, one)))).toBe(true);
    const ref = await train(options());
    // f32 sums instead of f64 ones: not the same bytes (so the option reaches the shards), but the same run.
    let maxDiff = 0;
    for (let i = 0; i < one.state.params.length; i++) maxDiff = Math.max(maxDiff, Math.abs(one.state.params[i]! - ref.state.params[i]!));
    expect(maxDiff).toBeGreaterThan(0);
    expect(maxDiff).toBeLessThan(1e-3);
    one.losses.forEach((l, i) => expect(l).toBeCloseTo(ref.losses[i]!, 4));
  });

  it('refuses to resume a checkpoint with other options', async () => {
    const o = options();
    const part = await train(o, { stopAfter: 1 });
    expect(() => readCheckpoint(part.checkpoint!, { ...o, lr: 1e-3 }, plainAlloc)).toThrow(CheckpointError);
    expect(() => readCheckpoint(part.checkpoint!, { ...o, lr: 1e-3 }, plainAlloc)).toThrow(/other options/);
  });
});
