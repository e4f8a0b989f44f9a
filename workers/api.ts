/**
 * The contract between the UI and its workers (comlink). Only plain, structured-cloneable data
 * crosses it: tasks are rebuilt from their spec inside the worker, never shipped as objects with
 * methods, and beliefs come back as number arrays so the store can persist them as JSON.
 */
import type { EnvName, Step, TaskSpec } from '../src/core/types.ts';
import type { ExperimentProgress, ExperimentSummary, ResultRow, TrainedArtifact } from '../src/experiments/types.ts';
import type { ComparedEpisode } from '../src/experiments/compare.ts';
import type { LoadErrorKind } from '../src/models/loader/errors.ts';
import type { LoadEvent, ModelInfo, ModelSource } from '../src/models/loader/types.ts';
import type { IclDevice, OnnxModelInfo } from '../src/models/icl/load.ts';
import type { GenerateErrorKind, GenerateProgress, GenerateResult } from '../src/models/generate.ts';

export interface OracleInfo {
  method: string;
  /** expected return from the initial distribution (α-MEU value for the APOMDP). */
  expectedReturn: number;
  /** the fully observable MDP value, an upper bound for POMDP/APOMDP values. */
  upperBound?: number;
  /** wall-clock seconds the solver took (shown so a slow solve is not mistaken for a hang). */
  seconds: number;
}

export interface TaskInfo {
  /** the spec as sent, so the UI can tell whether the form still matches the sampled task. */
  spec: TaskSpec;
  env: EnvName;
  /** every parameter with its default filled in. */
  params: Record<string, unknown>;
  nStates: number;
  nModels: number;
  oracle: OracleInfo;
}

export interface EpisodeRequest {
  spec: TaskSpec;
  policy: string;
  /** episode index: different indices give different (seeded) noise. */
  episode: number;
  /** the APOMDP model that generates the episode; undefined = drawn from the set. */
  model?: number;
}

export interface EpisodeView {
  spec: TaskSpec;
  env: EnvName;
  policy: string;
  episode: number;
  steps: Step[];
  latent: number[];
  /** model that generated the episode (0-based). */
  model: number;
  return: number;
  /** cumulative discounted return after each step. */
  cumulative: number[];
  /** beliefs[t][m][s]: the belief over s_t after o_t under model m (null: history impossible under m). Energy POMDP/APOMDP only. */
  beliefs: (number[] | null)[][] | null;
  oracle: OracleInfo;
  /** darkroom only: grid size and the goal (revealed to the viewer, hidden from the agent). */
  grid?: { size: number; goal: [number, number] };
}

export interface PolicyInfo {
  name: string;
  /** true when the policy sees the task's hidden parameters (the oracle). */
  privileged: boolean;
}

export interface SolverApi {
  policies(): Promise<PolicyInfo[]>;
  sampleTask(spec: TaskSpec): Promise<TaskInfo>;
  runEpisode(req: EpisodeRequest): Promise<EpisodeView>;
}

export interface EvaluatorApi {
  /**
   * Runs a sweep, streaming rows and progress through the (comlink-proxied) callbacks.
   * Rejects with the SpecError message for a bad spec. There is no soft cancel: the UI
   * terminates this worker, which also stops a solve that never yields. What the sweep trains
   * (SFT checkpoints every `checkpointEvery` steps, each point's adapter or DPT) goes to
   * `onArtifact`, awaited, so a checkpoint is stored before training goes on.
   */
  run(
    spec: unknown,
    onRow: (row: ResultRow) => void | Promise<void>,
    onProgress: (p: ExperimentProgress) => void,
    onArtifact?: (a: TrainedArtifact) => Promise<void>,
    checkpointEvery?: number,
  ): Promise<ExperimentSummary>;
  /** Policies side by side on the stepper's task: one episode each, same noise (src/experiments/compare.ts). */
  compare(req: CompareRequest): Promise<CompareResult>;
}

/** A trained folder as the app keeps it: file name → contents. */
export type ArtifactFolder = Record<string, string | Uint8Array>;

export interface CompareRequest {
  spec: TaskSpec;
  episode: number;
  /** APOMDP: the model that generates the episode; undefined = drawn as the stepper draws it. */
  model?: number;
  policies: string[];
  /** the language model of icl and sft (a served folder or a name under models/); default the shipped model. */
  lm?: string;
  /** sft's adapter (a PEFT folder) and dpt's model (a DPT folder), from what the person trained. */
  adapter?: ArtifactFolder;
  dpt?: ArtifactFolder;
}

export interface CompareResult {
  episodes: ComparedEpisode[];
  /** per policy, beliefs[t][m][s] as in EpisodeView (energy POMDP/APOMDP; null otherwise). */
  beliefs: ((number[] | null)[][] | null)[];
  /** the model that generated the episodes. */
  model: number;
  nActions: number;
  oracle: OracleInfo;
  grid?: { size: number; goal: [number, number] };
  /** what each language-model policy ran on, for the caption (e.g. "lab-lm-156k + adapter horizon=5 · webgpu"). */
  devices: Record<string, string>;
  seconds: number;
}

/** A model load request; the worker keeps the last model that loaded until another one does. */
export interface ModelLoadRequest {
  source: ModelSource;
  /** transformers.js' env.remoteHost (a mirror, or a test's bogus host); default the hub. */
  remoteHost?: string;
  maxEngineBytes?: number;
}

export type ModelLoadResult = { ok: true; info: ModelInfo } | { ok: false; kind: LoadErrorKind; message: string };

export interface ModelBackendInfo {
  backend: string;
  /** the default size limit on this backend, in engine bytes. */
  limit: number;
}

export interface ModelApi {
  backend(): Promise<ModelBackendInfo>;
  /** Never rejects for a model problem: refusals come back as `{ ok: false }` with a kind. */
  load(req: ModelLoadRequest, onEvent: (e: LoadEvent) => void): Promise<ModelLoadResult>;
  /** Stops a download in progress (the load then resolves as cancelled). */
  cancel(): Promise<void>;
  current(): Promise<ModelInfo | null>;
  /**
   * "Try the model": the top-k next tokens and the greedy continuation of the loaded model, a
   * progress event per token. Never rejects for a request problem: refusals (no model, n out of
   * range, prompt too long or not encodable) come back as `{ ok: false }` with a kind.
   */
  generate(req: GenerateRequest, onProgress: (p: GenerateProgress) => void): Promise<GenerateReply>;
  /** Stops a generation after the token in progress (it then resolves with the tokens so far). */
  cancelGenerate(): Promise<void>;
}

export interface GenerateRequest {
  prompt: string;
  /** tokens to generate, 1 … MAX_NEW_TOKENS (src/models/generate.ts). */
  n: number;
  topK?: number;
}

export type GenerateReply =
  | { ok: true; result: GenerateResult; /** the model that ran it (a later load may replace it). */ model: string }
  | { ok: false; kind: GenerateErrorKind | 'no-model' | 'runtime'; message: string };

// ---------------------------------------------------------------- ICL with an ONNX causal LM

/** Load an ONNX causal LM from the hub layout (id on `remoteHost`) into the ICL worker. */
export interface IclLoadRequest {
  id: string;
  revision?: string;
  remoteHost?: string;
  /** a transformers.js dtype the repo offers, or 'auto'. */
  dtype: string;
  device: IclDevice | 'auto';
}

export type IclLoadResult = { ok: true; info: OnnxModelInfo } | { ok: false; kind: LoadErrorKind; message: string };

/** `episodes` ICL episodes on a task, from episode index `first`. */
export interface IclRunRequest {
  spec: TaskSpec;
  episodes: number;
  first?: number;
  /** APOMDP: the model that generates every episode; undefined = drawn per episode. */
  model?: number;
}

/** One decision as shown: every action's log-probability and the choice. */
export interface IclStep {
  t: number;
  logProbs: number[];
  action: number;
  /** the prompt the model read (kept for the last episode only, to bound the message size). */
  prompt?: string;
}

export interface IclEpisode {
  episode: EpisodeView;
  decisions: IclStep[];
}

export interface IclProgress {
  /** decisions made so far, of `total` (episodes × horizon). */
  done: number;
  total: number;
  label: string;
  /** the decision just made (none while the task is being solved). */
  last?: IclStep & { episode: number };
}

export type IclRunResult =
  | { ok: true; episodes: IclEpisode[]; oracle: OracleInfo; seconds: number; cancelled: boolean }
  | { ok: false; message: string };

export interface IclApi {
  /** the device 'auto' resolves to in this browser. */
  device(): Promise<IclDevice>;
  /** Never rejects for a model problem: refusals come back as `{ ok: false }` with a kind. */
  load(req: IclLoadRequest, onEvent: (e: LoadEvent) => void): Promise<IclLoadResult>;
  /** Runs episodes with the loaded model as the `icl-onnx` policy; progress after every decision. */
  run(req: IclRunRequest, onProgress: (p: IclProgress) => void): Promise<IclRunResult>;
  /** Stops a run after the decision in progress (the episodes finished so far are kept). */
  cancel(): Promise<void>;
  current(): Promise<OnnxModelInfo | null>;
}
