/**
 * The sweep runner: experiment spec → a stream of result rows (DESIGN §1 metric, §6 data flow).
 *
 * Per sweep point and test task i: the task is drawn from `new Rng(seed, 'task', i)` (so task i is
 * the same for every policy and every sweep point), then task-context.ts solves it, draws its
 * support trajectories and plays every policy on the same CRN episodes (APOMDP: the same
 * `episodes` for each model). R* is the oracle's simulated return on those episodes with the
 * oracle policy's own stream, so the oracle's gap is exactly 0. Rows of a point are yielded as
 * soon as the point is done.
 */
import { Rng } from '../core/rng.ts';
import type { SolveOptions } from '../core/solve.ts';
import { createTask } from '../core/tasks.ts';
import { parseTaskSpec, resolveDarkroomParams } from '../core/spec/task-spec.ts';
import { darkroomGoalSplit } from '../core/envs/darkroom.ts';
import { ameuReturn, gapDetail, mean, tInterval95 } from '../core/metrics.ts';
import type { Task } from '../core/types.ts';
import { getPolicy } from '../policies/registry.ts';
import { releaseScorer } from '../policies/icl.ts';
import { oraclePolicy } from '../policies/oracle.ts';
import type { LanguageModel, PolicyFactory } from '../policies/types.ts';
import type { TrainProgress } from '../training/sft.ts';
import type { SftShardRunner } from '../training/sft-step.ts';
import { trainDptAtPoint, trainSftAtPoint } from '../training/at-point.ts';
import type { DptModel } from '../training/dpt-model.ts';
import type { Backend } from '../nn/backend.ts';
import { CpuBackend } from '../nn/cpu/index.ts';
import { DARKROOM_SPLIT_SEED, parseExperimentSpec, sweepPoints, type DarkroomDistribution, type EnergyDistribution, type ExperimentSpec } from './spec.ts';
import { modelCount, playEpisode, prepareAgent, type TaskContext, taskContext } from './task-context.ts';
import type { ExperimentProgress, ExperimentSummary, ResultRow, TrainedArtifact } from './types.ts';
import { adapterFolderFiles, dptFolderFiles } from '../training/artifact-files.ts';

/**
 * How the runner asks for a model: `nf4` quantizes the frozen base; `adapter` asks for an
 * instance of its own that adapters are attached to, never the one `icl` runs on (loaders
 * cache per (folder, nf4, adapter), so the two never share weights objects).
 */
export interface LanguageModelLoad {
  nf4?: boolean;
  adapter?: boolean;
}

export interface RunOptions {
  /**
   * Loads the spec's `"model"` (undefined: the shipped model) for the language-model policies;
   * the CLI reads folders from disk, the app's worker fetches served ones.
   */
  loadLanguageModel?: (model: string | undefined, o?: LanguageModelLoad) => Promise<LanguageModel>;
  /** Loads artifacts the spec names under `"trained"` instead of training them (the CLI reads folders). */
  loadTrained?: {
    /** the PEFT folder `dir`, attached to `base` (an `adapter: true` instance). */
    adapter?: (dir: string, base: LanguageModel) => Promise<LanguageModel>;
    dpt?: (dir: string) => Promise<DptModel>;
  };
  /** Progress of the training runs of `sft` and `dpt` (one each per sweep point), with the point's label and which policy trains. */
  onTrain?: (p: TrainProgress & { label: string; policy: 'sft' | 'dpt' }) => void;
  /**
   * Keeps what the sweep trains: sft checkpoints every `checkpointEvery` steps and at each
   * epoch's end, then each point's adapter or DPT. Without it nothing is written anywhere.
   */
  artifacts?: { checkpointEvery: number; save: (a: TrainedArtifact) => Promise<void> };
  /** Computes half of every SFT step elsewhere (the CLI's second thread); adapters are byte-identical either way. */
  sftShards?: SftShardRunner;
  /** The backend the DPT trains and runs on (default: the CPU). */
  dptBackend?: () => Backend | Promise<Backend>;
  signal?: AbortSignal;
  onProgress?: (p: ExperimentProgress) => void;
  solveOptions?: SolveOptions;
}

function abortError(): DOMException {
  return new DOMException('experiment aborted', 'AbortError');
}

function checkAbort(signal?: AbortSignal): void {
  if (signal?.aborted) throw abortError();
}

/** Lets timers and abort events run between tasks (pure-core agents never yield on their own). */
function breathe(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/** Test task i at a sweep point: identical across policies and sweep points (apart from the swept param). */
export function sampleTask(spec: ExperimentSpec, params: Record<string, unknown>, i: number): Task {
  const rng = new Rng(spec.seed, 'task', i);
  if (spec.env === 'darkroom') {
    const { size } = resolveDarkroomParams(params);
    const goals = darkroomGoalSplit(size, DARKROOM_SPLIT_SEED)[(spec.distribution as DarkroomDistribution).goals];
    const goal = goals[i % goals.length]!;
    return createTask(parseTaskSpec({ env: 'darkroom', params: { ...params, goal }, seed: 0 }));
  }
  const { pMin, pMax } = spec.distribution as EnergyDistribution;
  const p = rng.uniform(pMin, pMax);
  const taskSeed = rng.nextUint32(); // seeds the APOMDP ambiguity set
  return createTask(parseTaskSpec({ env: spec.env, params: { ...params, p }, seed: taskSeed }));
}

/** R^π of one policy on a task: mean return over the CRN episodes (APOMDP: α-MEU over per-model means). */
async function evaluate(spec: ExperimentSpec, ctx: TaskContext, factory: PolicyFactory, trained: { lm?: LanguageModel; dpt?: DptModel }, signal?: AbortSignal): Promise<number> {
  const agent = await prepareAgent(ctx, factory, trained);
  const { task } = ctx;
  const perModel: number[] = [];
  for (let m = 0; m < modelCount(task); m++) {
    let total = 0;
    for (let e = 0; e < spec.episodes; e++) {
      checkAbort(signal);
      total += (await playEpisode(ctx, agent, e, m)).return;
    }
    perModel.push(total / spec.episodes);
  }
  return task.kind === 'energy' && task.env === 'energy-apomdp' ? ameuReturn(perModel, task.params.alpha) : perModel[0]!;
}

interface Accumulator {
  gaps: number[];
  returns: number[];
  oracleReturns: number[];
  flagged: number;
}

export function pointLabel(point: Record<string, number>): string {
  const parts = Object.entries(point).map(([k, v]) => `${k}=${v}`);
  return parts.length > 0 ? parts.join(', ') : 'base';
}

export async function* runExperiment(input: unknown, opts: RunOptions = {}): AsyncGenerator<ResultRow, ExperimentSummary> {
  const spec = parseExperimentSpec(input);
  const { signal, onProgress, solveOptions } = opts;
  const factories = spec.policies.map(getPolicy);
  const lmPolicies = factories.filter((f) => f.languageModel).map((f) => f.name);
  const load = opts.loadLanguageModel;
  if (lmPolicies.length > 0 && !load) throw new Error(`policies ${lmPolicies.join(', ')} need a language model, and this runner was given no way to load one`);
  const needs = (kind: PolicyFactory['languageModel']): boolean => factories.some((f) => f.languageModel === kind);
  const baseLm = load && needs('base') ? await load(spec.model) : undefined;
  // QLoRA: the adapter trains on (and sft runs on) its own base, quantized when the spec says so.
  const adapterBase = load && needs('adapter') ? await load(spec.model, { nf4: spec.training.nf4, adapter: true }) : undefined;
  const dptBackend = factories.some((f) => f.decisionTransformer) ? await (opts.dptBackend?.() ?? new CpuBackend()) : undefined;
  const loaderOf = <K extends 'adapter' | 'dpt'>(kind: K): NonNullable<NonNullable<RunOptions['loadTrained']>[K]> => {
    const f = opts.loadTrained?.[kind];
    if (!f) throw new Error(`trained.${kind === 'adapter' ? 'sft' : 'dpt'}: this runner cannot load trained folders`);
    return f;
  };
  const points = sweepPoints(spec);
  const total = points.length * spec.testTasks;
  const started = performance.now();
  let done = 0;
  let rows = 0;
  for (const [pointIndex, { point, params }] of points.entries()) {
    const acc: Accumulator[] = factories.map(() => ({ gaps: [], returns: [], oracleReturns: [], flagged: 0 }));
    // sft: one adapter per sweep point, trained on that point's training set before its test tasks.
    // (or the adapter the spec names under "trained", loaded instead).
    const label = pointLabel(point);
    const keep = opts.artifacts;
    let lastStep = { step: 0, steps: 0 };
    const hooks = (policy: 'sft' | 'dpt') => ({
      ...(signal ? { signal } : {}),
      onProgress: (p: TrainProgress) => {
        lastStep = { step: p.step, steps: p.steps };
        opts.onTrain?.({ ...p, label, policy });
      },
      ...(opts.sftShards && policy === 'sft' ? { shards: opts.sftShards } : {}),
      ...(keep && policy === 'sft'
        ? {
            checkpointEvery: keep.checkpointEvery,
            saveCheckpoint: (bytes: Uint8Array, step: number) =>
              keep.save({ kind: 'sft-checkpoint', policy, pointIndex, label, step, steps: lastStep.steps, files: { 'checkpoint.safetensors': bytes } }),
          }
        : {}),
    });
    const kept = async (kind: TrainedArtifact['kind'], policy: 'sft' | 'dpt', files: Map<string, string | Uint8Array>): Promise<void> => {
      await keep?.save({ kind, policy, pointIndex, label, ...lastStep, files: Object.fromEntries(files) });
    };
    const namedAdapter = spec.trained?.sft?.[pointIndex];
    let adapted: LanguageModel | undefined;
    if (adapterBase && namedAdapter !== undefined) adapted = await loaderOf('adapter')(namedAdapter, adapterBase);
    else if (adapterBase) {
      const trained = await trainSftAtPoint(spec, pointIndex, adapterBase, hooks('sft'));
      if (keep) await kept('sft-adapter', 'sft', await adapterFolderFiles(adapterBase.model.backend, trained.result.adapter, spec.model ?? adapterBase.label));
      adapted = trained.lm;
    }
    // dpt: one transformer per sweep point, trained from scratch on the same training tasks (or the one the spec names).
    const namedDpt = spec.trained?.dpt?.[pointIndex];
    let dpt: DptModel | undefined;
    if (dptBackend && namedDpt !== undefined) dpt = await loaderOf('dpt')(namedDpt);
    else if (dptBackend) {
      dpt = (await trainDptAtPoint(spec, pointIndex, dptBackend, hooks('dpt'))).result.model;
      if (keep) await kept('dpt-model', 'dpt', await dptFolderFiles(dpt));
    }
    const trainedFor = (f: PolicyFactory): { lm?: LanguageModel; dpt?: DptModel } => {
      const lm = f.languageModel === 'adapter' ? adapted : f.languageModel === 'base' ? baseLm : undefined;
      return { ...(lm ? { lm } : {}), ...(f.decisionTransformer && dpt ? { dpt } : {}) };
    };
    for (let i = 0; i < spec.testTasks; i++) {
      checkAbort(signal);
      await breathe();
      checkAbort(signal);
      const ctx = await taskContext(sampleTask(spec, params, i), { seed: spec.seed, index: i, k: spec.support, policy: spec.supportPolicy, ...(solveOptions ? { solveOptions } : {}) });
      const rStar = await evaluate(spec, ctx, oraclePolicy, {}, signal);
      for (let j = 0; j < factories.length; j++) {
        const rPi = await evaluate(spec, ctx, factories[j]!, trainedFor(factories[j]!), signal);
        const g = gapDetail(rStar, rPi);
        acc[j]!.gaps.push(g.gap);
        acc[j]!.returns.push(rPi);
        acc[j]!.oracleReturns.push(rStar);
        if (g.flagged) acc[j]!.flagged++;
      }
      done++;
      onProgress?.({ done, total, label: `${label} · task ${i + 1}/${spec.testTasks}` });
    }
    // This point's adapted model is done: free its KV cache now (GPU buffers on WebGPU).
    if (adapted) releaseScorer(adapted);
    for (let j = 0; j < factories.length; j++) {
      const a = acc[j]!;
      const ci = tInterval95(a.gaps);
      rows++;
      yield {
        experiment: spec.name,
        env: spec.env,
        point: { ...point },
        policy: factories[j]!.name,
        tasks: spec.testTasks,
        gap: ci.mean,
        ciLow: ci.low,
        ciHigh: ci.high,
        meanReturn: mean(a.returns),
        meanOracleReturn: mean(a.oracleReturns),
        taskGaps: a.gaps,
        flaggedTasks: a.flagged,
      };
    }
  }
  return { experiment: spec.name, rows, seconds: (performance.now() - started) / 1000 };
}

/** Runs an experiment to the end and collects its rows (CLI, tests). */
export async function collectExperiment(input: unknown, opts: RunOptions = {}): Promise<{ rows: ResultRow[]; summary: ExperimentSummary }> {
  const rows: ResultRow[] = [];
  const gen = runExperiment(input, opts);
  for (;;) {
    const r = await gen.next();
    if (r.done) return { rows, summary: r.value };
    rows.push(r.value);
  }
}
