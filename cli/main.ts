/**
 * The Node CLI of DESIGN §7: `npm run -s lab -- <command> [options]`.
 * JSON on stdout with --json; errors on stderr naming the bad option or field, exit code 2.
 */
import { parseArgs } from 'node:util';
import { CliError } from './io.ts';
import { runSolve } from './commands/solve.ts';
import { runBench } from './commands/bench.ts';
import { runRollout } from './commands/rollout.ts';
import { runExperimentCommand } from './commands/experiment.ts';
import { runForwardCommand } from './commands/forward.ts';
import { runExportDataset } from './commands/export-dataset.ts';
import { runExportOnnx } from './commands/export-onnx.ts';
import { runPretrain, type PretrainArgs } from './commands/pretrain.ts';
import { runTrain } from './commands/train.ts';
import { runModelCard } from './commands/model-card.ts';
import { runPositionLoss } from './commands/position-loss.ts';
import { runReproduce } from './commands/reproduce.ts';

const USAGE = `Decision Lab CLI

usage: npm run -s lab -- <command> [options]

commands:
  solve      --spec FILE [--method auto|expectimax|point-based] [--json]
             the oracle of one task: expectedReturn, values (MDP), the fully specified task
  rollout    --spec FILE --policy random|oracle [--episodes N] [--json]
             serialized trajectories and returns
  experiment --spec FILE [--threads 1|2] [--json]
             a sweep: one JSON line per result row, then a summary; --threads 2 (the default on a
             machine with two cores) trains sft on two threads, with byte-identical adapters
  train      --spec FILE --policy sft|dpt --out DIR [--point I] [--resume] [--threads 1|2] [--json]
             trains on the spec's training set at sweep point I (1-based, default 1): sft writes a PEFT
             adapter folder for the spec's model (QLoRA on its NF4 base, settings from "training") with
             training.json (settings, loss and validation-loss curves, tokens/s, wall time); checkpoints
             in DIR every 50 steps, --resume continues an interrupted run exactly; --threads as for experiment
  forward    --model DIR [--adapter DIR] [--nf4] --tokens FILE [--grad] --out FILE [--json]
             logits [B, T, V] of a Llama model folder (config.json + model.safetensors), optionally
             with a PEFT LoRA adapter (dropout off) and an NF4-quantized base; with --grad also the
             masked next-token loss and every adapter tensor's gradient under its PEFT key
  export-onnx --model DIR [--adapter DIR] --out DIR [--json]
             the model (with a PEFT LoRA adapter merged in: W + (alpha/r)·B·A) as an ONNX folder
             that @huggingface/transformers loads: config.json, onnx/model.onnx (KV-cache I/O)
  export-dataset --spec FILE --out FILE [--format text|pairs] [--tasks N] [--point I] [--val-out FILE] [--json]
             the experiment's SFT training set as JSONL ({"text"} or {"prompt","completion"} lines):
             per training task 15 oracle episodes (darkroom: 10 oracle + 100 random per train goal),
             each after k support trajectories; --point picks a sweep point (1-based), --val-out
             puts the last 10% of tasks in a validation file
  pretrain   --out DIR [--resume] [--layers N --hidden N --heads N --kv-heads N --intermediate N --rope-theta X --untied]
             [--steps N --batch N --seq N --warm-seq N --warm-batch N --warm-steps N --warm-mix K=W,… --lr X --warmup N --min-lr-ratio X --weight-decay X --clip X]
             [--seed N --mix kind=w,... --step-markers N --shards N --kernels reference|fast --threads N --log-every N --eval-every N
             --eval-examples N --checkpoint-every N --stop-after N] [--json]
             full-parameter pretraining of a Llama model on the generic corpus, deterministic (same
             options -> byte-identical weights whatever --threads); checkpoints to DIR/checkpoint.safetensors,
             progress on stderr; writes the model folder (config, weights, tokenizer, pretrain.json)
  model-card --model DIR [--seed N] [--copy-examples N] [--kv-examples N] [--documents N] [--seq N]
             [--token-examples N] [--no-icl] [--no-write] [--json]
             measures a model folder on data generated now with fresh seeds: held-out corpus perplexity,
             second-occurrence copy accuracy (corpus format, and random token sequences of 10-650 tokens
             at the start and the end of the context), key-value recall, parameter count, and the icl
             policy's gap next to random and support-copy (docs/examples/icl-vs-random.json); writes DIR/README.md
  position-loss --model DIR [--seq N] [--rows N] [--seed N] [--json]
             next-token loss on held-out corpus text by position range (1-127, 128-255, 256-511, ...):
             how far into its context a model reads
  reproduce  [--scale smoke|quick|paper] [--only FIGURE,...] [--skip baselines|icl|sft|dpt,...] [--out DIR]
             [--replace] [--estimate] [--report] [--threads 1|2] [--json]
             the paper's figures through the experiment pipeline, resumable unit by unit: rows to
             DIR/results/<figure>.jsonl (+ CSV, SVG), then DIR/results.md regenerated (default DIR docs);
             figures: mdp-horizon, mdp-train-tasks, pomdp-q, apomdp-k-alpha, ood, support-quality,
             darkroom, theory, pretraining-contribution, fit; prints the estimated cost first;
             --estimate stops there, --report only regenerates CSV, SVG and results.md
  bench      [--only solvers|engine|icl|sft] [--quick] [--json]
             solver benchmarks (median times, values next to bounds) and the CPU tensor engine's
             (matmul GFLOP/s next to onnxruntime-web WASM, LoRA training tokens/s at ~1M and ~10M)

A task spec is {"env": "energy-mdp|energy-pomdp|energy-apomdp|darkroom", "params": {...}, "seed": n}.
A tokens file is {"input_ids": [[...], ...], "loss_mask": [[...], ...]} (equal-length rows; the mask
is optional, 1 where token t >= 1 counts as a target).
`;

type Handler = (values: Record<string, string | boolean | undefined>) => void | Promise<void>;

const COMMANDS: Record<string, { options: Record<string, { type: 'string' | 'boolean' }>; run: Handler }> = {
  solve: {
    options: { spec: { type: 'string' }, method: { type: 'string' }, json: { type: 'boolean' } },
    run: (v) => runSolve({ spec: v.spec as string | undefined, method: v.method as string | undefined, json: v.json === true }),
  },
  rollout: {
    options: { spec: { type: 'string' }, policy: { type: 'string' }, episodes: { type: 'string' }, json: { type: 'boolean' } },
    run: (v) =>
      runRollout({ spec: v.spec as string | undefined, policy: v.policy as string | undefined, episodes: v.episodes as string | undefined, json: v.json === true }),
  },
  experiment: {
    options: { spec: { type: 'string' }, threads: { type: 'string' }, json: { type: 'boolean' } },
    run: (v) => runExperimentCommand({ spec: v.spec as string | undefined, threads: v.threads as string | undefined, json: v.json === true }),
  },
  train: {
    options: {
      spec: { type: 'string' }, policy: { type: 'string' }, out: { type: 'string' }, point: { type: 'string' }, threads: { type: 'string' }, resume: { type: 'boolean' },
      json: { type: 'boolean' },
    },
    run: (v) =>
      runTrain({
        spec: v.spec as string | undefined, policy: v.policy as string | undefined, out: v.out as string | undefined, point: v.point as string | undefined,
        threads: v.threads as string | undefined, resume: v.resume === true, json: v.json === true,
      }),
  },
  forward: {
    options: {
      model: { type: 'string' }, adapter: { type: 'string' }, nf4: { type: 'boolean' }, tokens: { type: 'string' },
      grad: { type: 'boolean' }, out: { type: 'string' }, json: { type: 'boolean' },
    },
    run: (v) =>
      runForwardCommand({
        model: v.model as string | undefined, adapter: v.adapter as string | undefined, nf4: v.nf4 === true, tokens: v.tokens as string | undefined,
        grad: v.grad === true, out: v.out as string | undefined, json: v.json === true,
      }),
  },
  'export-onnx': {
    options: { model: { type: 'string' }, adapter: { type: 'string' }, out: { type: 'string' }, json: { type: 'boolean' } },
    run: (v) => runExportOnnx({ model: v.model as string | undefined, adapter: v.adapter as string | undefined, out: v.out as string | undefined, json: v.json === true }),
  },
  'export-dataset': {
    options: {
      spec: { type: 'string' }, out: { type: 'string' }, format: { type: 'string' }, tasks: { type: 'string' },
      point: { type: 'string' }, 'val-out': { type: 'string' }, json: { type: 'boolean' },
    },
    run: (v) =>
      runExportDataset({
        spec: v.spec as string | undefined, out: v.out as string | undefined, format: v.format as string | undefined,
        tasks: v.tasks as string | undefined, point: v.point as string | undefined, valOut: v['val-out'] as string | undefined, json: v.json === true,
      }),
  },
  pretrain: {
    options: {
      ...Object.fromEntries(
        ['out', 'layers', 'hidden', 'heads', 'kv-heads', 'intermediate', 'rope-theta', 'steps', 'batch', 'seq', 'warm-seq', 'warm-batch', 'warm-steps', 'warm-mix', 'lr', 'warmup', 'min-lr-ratio', 'weight-decay', 'clip', 'seed', 'mix',
          'step-markers', 'shards', 'kernels', 'threads', 'log-every', 'eval-every', 'eval-examples', 'checkpoint-every', 'stop-after'].map((k) => [k, { type: 'string' as const }]),
      ),
      resume: { type: 'boolean' }, untied: { type: 'boolean' }, json: { type: 'boolean' },
    },
    run: (v) => {
      const { resume, untied, json, ...rest } = v;
      return runPretrain({ ...(rest as Record<string, string | undefined>), resume: resume === true, untied: untied === true, json: json === true } as PretrainArgs);
    },
  },
  'model-card': {
    options: {
      model: { type: 'string' }, seed: { type: 'string' }, 'copy-examples': { type: 'string' }, 'kv-examples': { type: 'string' },
      documents: { type: 'string' }, seq: { type: 'string' }, 'token-examples': { type: 'string' }, 'no-icl': { type: 'boolean' },
      'no-write': { type: 'boolean' }, json: { type: 'boolean' },
    },
    run: (v) =>
      runModelCard({
        model: v.model as string | undefined, seed: v.seed as string | undefined, copyExamples: v['copy-examples'] as string | undefined,
        kvExamples: v['kv-examples'] as string | undefined, documents: v.documents as string | undefined, seq: v.seq as string | undefined,
        tokenExamples: v['token-examples'] as string | undefined, icl: v['no-icl'] !== true, write: v['no-write'] !== true, json: v.json === true,
      }),
  },
  'position-loss': {
    options: { model: { type: 'string' }, seq: { type: 'string' }, rows: { type: 'string' }, seed: { type: 'string' }, json: { type: 'boolean' } },
    run: (v) =>
      runPositionLoss({ model: v.model as string | undefined, seq: v.seq as string | undefined, rows: v.rows as string | undefined, seed: v.seed as string | undefined, json: v.json === true }),
  },
  reproduce: {
    options: {
      scale: { type: 'string' }, only: { type: 'string' }, skip: { type: 'string' }, out: { type: 'string' }, threads: { type: 'string' },
      replace: { type: 'boolean' }, estimate: { type: 'boolean' }, report: { type: 'boolean' }, json: { type: 'boolean' },
    },
    run: (v) =>
      runReproduce({
        scale: v.scale as string | undefined, only: v.only as string | undefined, skip: v.skip as string | undefined, out: v.out as string | undefined,
        threads: v.threads as string | undefined, replace: v.replace === true, estimate: v.estimate === true, report: v.report === true, json: v.json === true,
      }),
  },
  bench: {
    options: { quick: { type: 'boolean' }, json: { type: 'boolean' }, only: { type: 'string' } },
    run: (v) => runBench({ quick: v.quick === true, json: v.json === true, only: v.only as string | undefined }),
  },
};

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(USAGE);
    return command === undefined ? 2 : 0;
  }
  const entry = COMMANDS[command];
  try {
    if (!entry) throw new CliError(`unknown command ${JSON.stringify(command)}; commands: ${Object.keys(COMMANDS).join(', ')}`);
    let values;
    try {
      ({ values } = parseArgs({ args: rest, options: entry.options, strict: true, allowPositionals: false }));
    } catch (e) {
      throw new CliError(`${command}: ${(e as Error).message}`);
    }
    await entry.run(values);
    return 0;
  } catch (e) {
    if (e instanceof CliError) {
      process.stderr.write(`error: ${e.message}\n`);
      return 2;
    }
    process.stderr.write(`internal error: ${(e as Error).stack ?? String(e)}\n`);
    return 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
