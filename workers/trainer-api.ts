/** The contract between the Train tab and the trainer worker (comlink; plain data only). */
import type { TrainProgress } from '../src/training/sft.ts';
import type { ArtifactFolder } from './api.ts';

export interface TrainJobRequest {
  /** an experiment spec as the sweep form holds it: its training set (at `point`) is what trains. */
  spec: Record<string, unknown>;
  policy: 'sft' | 'dpt';
  /** the sweep point (0-based) whose training set is used. */
  point: number;
  /** an SFT checkpoint of this same job to continue from. */
  resume?: Uint8Array;
  /** the factor on the scheduled learning rate (changeable while it runs: `setLrScale`). */
  lrScale: number;
  /** an SFT checkpoint every this many steps (and at each epoch's end). */
  checkpointEvery: number;
  /** train on the CPU backend even where WebGPU is available. */
  cpu?: boolean;
}

export type TrainEvent =
  | { kind: 'progress'; progress: TrainProgress }
  /** which backend the job runs on, and why it changed (a lost WebGPU device). */
  | { kind: 'device'; device: string; note?: string };

export type TrainOutcome =
  | { status: 'done'; files: ArtifactFolder; steps: number; tokens: number; seconds: number; device: string }
  /** paused or cancelled between steps: the last checkpoint (SFT) is where it continues. */
  | { status: 'stopped'; step: number };

export interface TrainerApi {
  start(req: TrainJobRequest, onEvent: (e: TrainEvent) => void, onCheckpoint: (bytes: Uint8Array, step: number, steps: number) => Promise<void>): Promise<TrainOutcome>;
  /** Stops after the step in progress (the job's `start` then resolves with `stopped`). */
  stop(): Promise<void>;
  setLrScale(scale: number): Promise<void>;
  /**
   * Destroys the running job's WebGPU device, as a driver reset would (false when the job is not
   * on WebGPU): how the end-to-end test shows the CPU fallback. The app never calls it.
   */
  loseDevice(): Promise<boolean>;
}
