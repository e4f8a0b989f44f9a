/**
 * The pretraining loop: steps, progress lines, periodic evaluation and checkpoints, and the
 * files of the finished model folder (DESIGN §5). File-system access stays with the caller
 * (cli/commands/pretrain.ts) through hooks, so the loop itself runs anywhere.
 */
import { CpuBackend } from '../../nn/cpu/index.ts';
import { llamaConfigJson } from '../../nn/llama-config.ts';
import { tokenCopyEvalRows, type TokenCodec } from '../corpus/index.ts';
import { MODEL_MAX_LENGTH, type TokenizerConfigJson, type TokenizerJson } from '../tokenizer/index.ts';
import { writeCheckpoint } from './checkpoint.ts';
import { formatMix, TokenRows } from './data.ts';
import { measureAbilities, TOKEN_COPY_PROBES, tokenCopyAccuracy } from './evaluate.ts';
import { modelOver, modelSafetensors, type ParamLayout } from './params.ts';
import { EVAL_BACKEND, type PretrainOptions, type PretrainState, pretrainStep, type ShardRunner, stepShape } from './trainer.ts';

/** Seeds of the sets evaluated DURING training (the model card draws fresh ones). */
/** Rows of the in-training evaluation: eval examples (up to ~150 tokens) stay whole even when training rows are shorter. */
const EVAL_SEQ = 256;

export const TRAINING_EVAL_SEEDS = { copy: 9101, kv: 9102, tokens: 9103 } as const;

export interface LoopOptions {
  logEvery: number;
  /** 0 = never. */
  evalEvery: number;
  evalExamples: number;
  /** 0 = only at the end. */
  checkpointEvery: number;
  /** Stop (with a checkpoint) once this step is reached, as if interrupted; default: run to the end. */
  stopAfter?: number;
}

export interface EvalRow {
  step: number;
  tokens: number;
  loss: number;
  copyAccuracy: number;
  kvAccuracy: number;
  /** random-token second-occurrence accuracy at TOKEN_COPY_PROBES (length, offset). */
  tokenCopy: { length: number; offset: number; accuracy: number }[];
}

export interface LoopHooks {
  log(line: string): void;
  saveCheckpoint(bytes: Uint8Array, state: PretrainState): void | Promise<void>;
  onEval?(row: EvalRow): void;
  /** Milliseconds (a clock; only used for tokens/s, ETA and the recorded wall time). */
  now(): number;
}

/** A duration for progress lines: `4m07s`, `1h02m` (`?` when unknown). */
export function formatDuration(s: number): string {
  if (!Number.isFinite(s) || s < 0) return '?';
  const m = Math.floor(s / 60);
  return m >= 60 ? `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m` : `${m}m${String(Math.round(s % 60)).padStart(2, '0')}s`;
}

/** Runs from state.step to o.steps (or loop.stopAfter); whether the run is complete, and the last logged mean loss. */
export async function pretrainLoop(
  o: PretrainOptions, layout: ParamLayout, codec: TokenCodec, state: PretrainState, runner: ShardRunner, loop: LoopOptions, hooks: LoopHooks,
): Promise<{ done: boolean; lastLoss: number | null }> {
  const rows = new TokenRows(codec, o.seed, o.mix, state.data, o.model.vocabSize);
  const evalModel = modelOver(new CpuBackend(EVAL_BACKEND), o.model, layout, state.params, null);
  const end = Math.min(o.steps, loop.stopAfter ?? o.steps);
  let segmentStart = hooks.now();
  let windowStart = segmentStart;
  let windowTokens = 0;
  let lossWindow = 0;
  let lossCount = 0;
  const elapsedBefore = state.elapsedS;
  const checkpoint = async (): Promise<void> => {
    state.data = rows.state;
    state.elapsedS = elapsedBefore + (hooks.now() - segmentStart) / 1000;
    await hooks.saveCheckpoint(writeCheckpoint(o, state), state);
  };
  const evaluate = async (lastLoss: number): Promise<void> => {
    const t0 = hooks.now();
    const a = await measureAbilities(evalModel, codec, {
      copySeed: TRAINING_EVAL_SEEDS.copy, kvSeed: TRAINING_EVAL_SEEDS.kv, copyExamples: loop.evalExamples, kvExamples: loop.evalExamples,
      seqLen: Math.max(o.seq, EVAL_SEQ),
    });
    const tokenCopy = [];
    for (const p of TOKEN_COPY_PROBES) {
      const rowsOf = tokenCopyEvalRows({ seed: TRAINING_EVAL_SEEDS.tokens, examples: Math.max(2, Math.round(loop.evalExamples / 4)), ...p, bos: codec.bos });
      tokenCopy.push({ ...p, accuracy: (await tokenCopyAccuracy(evalModel, rowsOf)).accuracy });
    }
    const row = { step: state.step, tokens: state.tokens, loss: lastLoss, copyAccuracy: a.copy.accuracy, kvAccuracy: a.kv.accuracy, tokenCopy };
    const probes = tokenCopy.map((t) => `${t.length}@${t.offset} ${(100 * t.accuracy).toFixed(1)}%`).join(', ');
    hooks.log(`eval step ${row.step}: copy ${(100 * row.copyAccuracy).toFixed(1)}% (${a.copy.total} tokens), kv ${(100 * row.kvAccuracy).toFixed(1)}% (${a.kv.total}), random tokens ${probes}`);
    hooks.onEval?.(row);
    // Evaluation time is not training time: keep it out of tokens/s and the recorded wall time.
    const spent = hooks.now() - t0;
    segmentStart += spent;
    windowStart += spent;
  };
  if (state.step === 0) {
    const warmMix = formatMix(o.warmMix) === formatMix(o.mix) ? '' : `, mix ${formatMix(o.warmMix)}`;
    const warm = o.warmSteps > 0 ? ` (the first ${o.warmSteps} as ${stepShape(o, 0).rows}×${o.warmSeq}${warmMix})` : '';
    hooks.log(`pretrain: ${layout.total} parameters, ${o.steps} steps × ${o.batch}×${o.seq} tokens${warm}, ${runner.threads} thread(s), mix ${formatMix(o.mix)}`);
  }
  let lastLoss: number | null = null;
  while (state.step < end) {
    const shape = stepShape(o, state.step);
    const ids = rows.next(shape.rows, shape.seq, shape.mix);
    const r = await pretrainStep(o, layout, state, ids, runner);
    const loss = r.loss;
    if (!Number.isFinite(loss)) throw new Error(`pretrain: loss is ${loss} at step ${state.step}; lower --lr`);
    windowTokens += shape.rows * shape.seq;
    lossWindow += loss;
    lossCount++;
    if (state.step % loop.logEvery === 0 || state.step === end) {
      const now = hooks.now();
      const tps = windowTokens / ((now - windowStart) / 1000);
      // Tokens left in each phase at this window's speed (the long phase is slower per token, so this is a lower bound there).
      const warmLeft = Math.max(0, o.warmSteps - state.step);
      const eta = (warmLeft * o.warmBatch * o.warmSeq + (o.steps - state.step - warmLeft) * o.batch * o.seq) / tps;
      lastLoss = lossWindow / lossCount;
      hooks.log(
        `step ${state.step}/${o.steps} loss ${(lossWindow / lossCount).toFixed(4)} lr ${r.lr.toExponential(2)} gnorm ${r.gradNorm.toFixed(3)} ` +
          `tok/s ${tps.toFixed(0)} eta ${formatDuration(eta)}`,
      );
      windowStart = now;
      windowTokens = 0;
      lossWindow = 0;
      lossCount = 0;
    }
    if (loop.evalEvery > 0 && (state.step % loop.evalEvery === 0 || state.step === o.steps)) await evaluate(loss);
    if ((loop.checkpointEvery > 0 && state.step % loop.checkpointEvery === 0) || state.step === end) await checkpoint();
  }
  return { done: state.step >= o.steps, lastLoss };
}

/** What the model folder records about how it was made (pretrain.json; the model card reads it). */
export interface PretrainRecord {
  command: string;
  options: PretrainOptions;
  parameters: number;
  tokens: number;
  steps: number;
  wallSeconds: number;
  threads: number;
  machine: string;
  finalLoss: number | null;
}

/** The files of the finished model folder: config, weights, tokenizer, training record. */
export function modelFolderFiles(
  o: PretrainOptions, layout: ParamLayout, state: PretrainState, tokenizer: { json: TokenizerJson; config: TokenizerConfigJson; codec: TokenCodec & { eos: number } },
  record: PretrainRecord,
): Map<string, string | Uint8Array> {
  const config = {
    ...llamaConfigJson(o.model),
    bos_token_id: tokenizer.codec.bos,
    eos_token_id: tokenizer.codec.eos,
    pad_token_id: tokenizer.codec.pad,
    // RoPE has no hard limit; the model was trained on rows of o.seq tokens (see pretrain.json).
    max_position_embeddings: MODEL_MAX_LENGTH,
  };
  return new Map<string, string | Uint8Array>([
    ['config.json', `${JSON.stringify(config, null, 2)}\n`],
    ['model.safetensors', modelSafetensors(layout, state.params)],
    ['tokenizer.json', `${JSON.stringify(tokenizer.json)}\n`],
    ['tokenizer_config.json', `${JSON.stringify(tokenizer.config, null, 2)}\n`],
    ['pretrain.json', `${JSON.stringify(record, null, 2)}\n`],
  ]);
}
