/**
 * `pretrain --out DIR [options] [--resume]`: full-parameter pretraining of the lab's own small
 * Llama model on the generic corpus (DESIGN §5), deterministic (same options → byte-identical
 * model.safetensors, whatever --threads), with checkpoints for exact resume. Writes the model
 * folder: config.json, model.safetensors, tokenizer.json, tokenizer_config.json, pretrain.json.
 */
import { shown } from '../../src/core/spec/fields.ts';
import { appendFileSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, platform } from 'node:os';
import { join } from 'node:path';
import { parseLlamaConfig } from '../../src/nn/llama-config.ts';
import { CheckpointError, readCheckpoint } from '../../src/models/pretrain/checkpoint.ts';
import { formatMix, parseMix } from '../../src/models/pretrain/data.ts';
import type { DocKind } from '../../src/models/corpus/index.ts';
import { parallelRunner, sharedAlloc } from '../../src/models/pretrain/parallel-node.ts';
import { modelOver, paramLayout, initParams } from '../../src/models/pretrain/params.ts';
import { modelFolderFiles, pretrainLoop, type PretrainRecord } from '../../src/models/pretrain/run.ts';
import { CPU_KERNEL_SETS } from '../../src/nn/cpu/fast-exp.ts';
import { localRunner, newState, plainAlloc, type PretrainOptions, type PretrainState } from '../../src/models/pretrain/trainer.ts';
import { buildTokenizerConfig, buildTokenizerJson, labTokenizerFromJson } from '../../src/models/tokenizer/index.ts';
import { CliError, oneOf, positiveInt, printJson } from '../io.ts';

/** The recipe of the shipped model (docs/models.md, "Shipped model"): every default is that run's value. */
export const PRETRAIN_DEFAULTS = {
  layers: 2, hidden: 64, heads: 4, kvHeads: 4, intermediate: 256, ropeTheta: 1e6, steps: 5500, batch: 2, seq: 2048, warmSeq: 256, warmBatch: 8, warmSteps: 2600, lr: 3e-3,
  warmup: 100, minLrRatio: 0.5, weightDecay: 0, clip: 1, seed: 1, shards: 2, stepMarkers: 20, kernels: 'fast',
  mix: 'sentences=2,copy=4,kv=6,count=1,arith=1,decimals=1,lists=1,records=1,tags=1,repeat=12,echo=6,tokens=5,short-tokens=2,lookup=0,buried-tokens=3',
  /** the short-row phase's mix (used when neither --mix nor --warm-mix is given). */
  warmMix: 'sentences=2,copy=4,kv=6,count=1,arith=1,decimals=1,lists=1,records=1,tags=1,repeat=12,echo=6,tokens=0,short-tokens=6,lookup=0,buried-tokens=0',
} as const;

export type PretrainArgs = Partial<Record<
  'out' | 'layers' | 'hidden' | 'heads' | 'kv-heads' | 'intermediate' | 'steps' | 'batch' | 'seq' | 'lr' | 'warmup' | 'min-lr-ratio' | 'weight-decay' |
  'clip' | 'seed' | 'mix' | 'shards' | 'step-markers' | 'rope-theta' | 'warm-seq' | 'warm-batch' | 'warm-steps' | 'warm-mix' | 'kernels' | 'threads' | 'log-every' | 'eval-every' | 'eval-examples' | 'checkpoint-every' | 'stop-after',
  string
>> & { resume: boolean; json: boolean; untied: boolean };

function num(value: string | undefined, option: string, lo: number, hi: number, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < lo || n > hi) throw new CliError(`${option}: must be a number in [${lo}, ${hi}], got ${shown(value)}`);
  return n;
}

/** Options of the run (everything that determines the weights; --threads and logging do not). */
export function pretrainOptions(a: PretrainArgs): PretrainOptions {
  const d = PRETRAIN_DEFAULTS;
  const hidden = positiveInt(a.hidden, '--hidden', 8, 4096, d.hidden);
  const heads = positiveInt(a.heads, '--heads', 1, 64, d.heads);
  const kvHeads = positiveInt(a['kv-heads'], '--kv-heads', 1, 64, a.heads === undefined ? d.kvHeads : heads);
  if (hidden % heads !== 0) throw new CliError(`--heads: hidden ${hidden} is not a multiple of heads ${heads}`);
  if (heads % kvHeads !== 0) throw new CliError(`--kv-heads: heads ${heads} is not a multiple of kv-heads ${kvHeads}`);
  if ((hidden / heads) % 2 !== 0) throw new CliError(`--heads: head dimension ${hidden / heads} must be even (RoPE)`);
  const stepMarkers = positiveInt(a['step-markers'], '--step-markers', 0, 100, d.stepMarkers);
  const tokenizerVocab = Object.keys(buildTokenizerJson({ stepMarkers }).model.vocab).length;
  const model = parseLlamaConfig({
    model_type: 'llama', vocab_size: tokenizerVocab, hidden_size: hidden, intermediate_size: positiveInt(a.intermediate, '--intermediate', 8, 65536, d.intermediate),
    num_hidden_layers: positiveInt(a.layers, '--layers', 1, 64, d.layers), num_attention_heads: heads, num_key_value_heads: kvHeads,
    rope_theta: num(a['rope-theta'], '--rope-theta', 1, 1e9, d.ropeTheta), rms_norm_eps: 1e-5, tie_word_embeddings: !a.untied,
  });
  const steps = positiveInt(a.steps, '--steps', 1, 10_000_000, d.steps);
  const shards = positiveInt(a.shards, '--shards', 1, 64, d.shards);
  const batch = positiveInt(a.batch, '--batch', 1, 4096, d.batch);
  if (batch % shards !== 0) throw new CliError(`--batch: ${batch} is not a multiple of --shards ${shards}`);
  const mixOf = (value: string | undefined, option: string): Record<DocKind, number> => {
    try {
      return parseMix(value);
    } catch (e) {
      throw new CliError(`${option}: ${(e as Error).message}`);
    }
  };
  const mix = mixOf(a.mix ?? d.mix, '--mix');
  const warmMix = a['warm-mix'] !== undefined ? mixOf(a['warm-mix'], '--warm-mix') : a.mix === undefined ? mixOf(d.warmMix, '--warm-mix') : mix;
  const seq = positiveInt(a.seq, '--seq', 2, 8192, d.seq);
  const warmSteps = positiveInt(a['warm-steps'], '--warm-steps', 0, steps, Math.min(d.warmSteps, steps));
  const warmSeq = positiveInt(a['warm-seq'], '--warm-seq', 2, seq, warmSteps > 0 ? Math.min(d.warmSeq, seq) : seq);
  const warmBatch = positiveInt(a['warm-batch'], '--warm-batch', 1, 4096, warmSteps > 0 ? d.warmBatch : batch);
  if (warmBatch % shards !== 0) throw new CliError(`--warm-batch: ${warmBatch} is not a multiple of --shards ${shards}`);
  const kernels = oneOf(a.kernels, '--kernels', CPU_KERNEL_SETS, d.kernels);
  return {
    model, steps, batch, seq, warmSeq, warmBatch, warmSteps, lr: num(a.lr, '--lr', 0, 1, d.lr),
    warmup: positiveInt(a.warmup, '--warmup', 0, steps, Math.min(d.warmup, steps)), minLrRatio: num(a['min-lr-ratio'], '--min-lr-ratio', 0, 1, d.minLrRatio),
    weightDecay: num(a['weight-decay'], '--weight-decay', 0, 10, d.weightDecay), beta1: 0.9, beta2: 0.95, maxGradNorm: num(a.clip, '--clip', 1e-6, 1e9, d.clip),
    seed: positiveInt(a.seed, '--seed', 0, 2 ** 31, d.seed), mix, warmMix, shards, stepMarkers,
    // Absent for the reference kernels, so the options (and checkpoints) of earlier recipes keep their key.
    ...(kernels === 'fast' ? { kernels } : {}),
  };
}

/** The command that reproduces a run, every option explicit. */
export function reproduceCommand(o: PretrainOptions, out: string): string {
  const m = o.model;
  return [
    'npm run -s lab -- pretrain', `--out ${out}`, `--layers ${m.numLayers}`, `--hidden ${m.hiddenSize}`, `--heads ${m.numHeads}`, `--kv-heads ${m.numKvHeads}`,
    `--intermediate ${m.intermediateSize}`, ...(m.tieWordEmbeddings ? [] : ['--untied']), `--rope-theta ${m.ropeTheta}`, `--steps ${o.steps}`, `--batch ${o.batch}`, `--seq ${o.seq}`,
    `--warm-seq ${o.warmSeq}`, `--warm-batch ${o.warmBatch}`, `--warm-steps ${o.warmSteps}`,
    ...(formatMix(o.warmMix) === formatMix(o.mix) ? [] : [`--warm-mix ${formatMix(o.warmMix)}`]),
    `--lr ${o.lr}`, `--warmup ${o.warmup}`, `--min-lr-ratio ${o.minLrRatio}`, `--weight-decay ${o.weightDecay}`, `--clip ${o.maxGradNorm}`,
    `--seed ${o.seed}`, `--mix ${formatMix(o.mix)}`, `--shards ${o.shards}`, `--step-markers ${o.stepMarkers}`,
    // Always explicit: the default became 'fast' with lab-lm-160k-v2, so a command recorded
    // without it would otherwise no longer name the reference kernels its run used.
    `--kernels ${o.kernels ?? 'reference'}`,
  ].join(' ');
}

export function machineDescription(): string {
  return `${cpus()[0]?.model ?? 'unknown CPU'}, ${availableParallelism()} cores, ${platform()}, Node ${process.version}`;
}

export async function runPretrain(a: PretrainArgs): Promise<void> {
  if (a.out === undefined || a.out === '') throw new CliError('--out: a folder path is required');
  const out = a.out;
  const o = pretrainOptions(a);
  const threads = positiveInt(a.threads, '--threads', 1, 64, Math.min(2, availableParallelism()));
  const loop = {
    logEvery: positiveInt(a['log-every'], '--log-every', 1, 1e9, 10),
    evalEvery: positiveInt(a['eval-every'], '--eval-every', 0, 1e9, 0),
    evalExamples: positiveInt(a['eval-examples'], '--eval-examples', 1, 10000, 24),
    checkpointEvery: positiveInt(a['checkpoint-every'], '--checkpoint-every', 0, 1e9, 100),
    ...(a['stop-after'] === undefined ? {} : { stopAfter: positiveInt(a['stop-after'], '--stop-after', 1, o.steps, o.steps) }),
  };
  const ckptPath = join(out, 'checkpoint.safetensors');
  if (existsSync(ckptPath) && !a.resume) throw new CliError(`--out: ${ckptPath} exists; pass --resume to continue that run, or choose another --out`);
  mkdirSync(out, { recursive: true });
  const tokenizerJson = buildTokenizerJson({ stepMarkers: o.stepMarkers });
  const tokenizerConfig = buildTokenizerConfig();
  const codec = labTokenizerFromJson(tokenizerJson, tokenizerConfig);
  const layout = paramLayout(o.model);
  const alloc = threads > 1 ? sharedAlloc : plainAlloc;
  let state: PretrainState;
  if (a.resume && existsSync(ckptPath)) {
    try {
      state = readCheckpoint(readFileSync(ckptPath), o, alloc);
    } catch (e) {
      if (e instanceof CheckpointError) throw new CliError(`--resume: ${e.message}`);
      throw e;
    }
    process.stderr.write(`pretrain: resuming ${ckptPath} at step ${state.step}/${o.steps}\n`);
  } else {
    state = newState(layout, alloc);
    initParams(o.model, layout, o.seed, state.params);
  }
  const runner = threads > 1 ? await parallelRunner(o.model, state.params, o.shards, threads, o.kernels) : localRunner(o, state.params, (be, g) => modelOver(be, o.model, layout, state.params, g));
  let done: boolean;
  let lastLoss: number | null;
  try {
    ({ done, lastLoss } = await pretrainLoop(o, layout, codec, state, runner, loop, {
      log: (line) => process.stderr.write(`${line}\n`),
      saveCheckpoint: (bytes) => {
        writeFileSync(`${ckptPath}.tmp`, bytes);
        renameSync(`${ckptPath}.tmp`, ckptPath); // atomic: an interrupted write never leaves a broken checkpoint
      },
      onEval: (row) => appendFileSync(join(out, 'train-log.jsonl'), `${JSON.stringify(row)}\n`),
      now: () => performance.now(),
    }));
  } finally {
    await runner.close();
  }
  const summary = { out, step: state.step, steps: o.steps, tokens: state.tokens, wallSeconds: state.elapsedS, threads: runner.threads, done };
  if (done) {
    const record: PretrainRecord = {
      command: reproduceCommand(o, out), options: o, parameters: layout.total, tokens: state.tokens, steps: state.step,
      wallSeconds: Math.round(state.elapsedS), threads: runner.threads, machine: machineDescription(), finalLoss: lastLoss,
    };
    for (const [name, content] of modelFolderFiles(o, layout, state, { json: tokenizerJson, config: tokenizerConfig, codec }, record)) writeFileSync(join(out, name), content);
  }
  if (a.json) printJson(summary);
  else process.stderr.write(done ? `pretrain: wrote ${out} (${state.tokens} tokens, ${Math.round(state.elapsedS)} s)\n` : `pretrain: stopped at step ${state.step}; continue with the same command and --resume\n`);
}
