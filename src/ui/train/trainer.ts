/**
 * Starts, pauses, resumes and cancels the Train tab's job. Lives outside React so a job survives
 * tab switches; its state goes into the store (saved, so a reload finds it: a job that was
 * running is then "interrupted" and continues from its last SFT checkpoint in IndexedDB).
 */
import * as Comlink from 'comlink';
import { parseExperimentSpec, sweepPoints } from '../../experiments/spec.ts';
import { pointLabel } from '../../experiments/run.ts';
import type { TrainerApi, TrainEvent } from '../../../workers/trainer-api.ts';
import { artifactFiles, artifactId } from '../persist/artifacts-db.ts';
import { useLab } from '../store.ts';
import { errorMessage } from '../worker-client.ts';
import { EXAMPLES } from '../sweep/examples.ts';
import { thinCurve, TRAIN_CHECKPOINT_EVERY, type TrainJob } from './train-settings.ts';

let worker: { w: Worker; api: Comlink.Remote<TrainerApi> } | null = null;
function trainer(): Comlink.Remote<TrainerApi> {
  if (!worker) {
    const w = new Worker(new URL('../../../workers/trainer.worker.ts', import.meta.url), { type: 'module', name: 'trainer' });
    worker = { w, api: Comlink.wrap<TrainerApi>(w) };
  }
  return worker.api;
}

// A debugging aid, from the browser console or a test: `await labDebug.loseTrainerDevice()`
// destroys the running job's WebGPU device, as a driver reset would, to watch the job continue
// on the CPU (docs/training.md). The app itself never calls it.
(globalThis as { labDebug?: Record<string, unknown> }).labDebug = {
  ...(globalThis as { labDebug?: Record<string, unknown> }).labDebug,
  loseTrainerDevice: () => trainer().loseDevice(),
};

/** Progress arrives every step; the page redraws at most this often. */
const REDRAW_MS = 200;

function patchJob(patch: Partial<TrainJob> | ((j: TrainJob) => Partial<TrainJob>)): void {
  const job = useLab.getState().trainJob;
  if (!job) return;
  useLab.setState({ trainJob: { ...job, ...(typeof patch === 'function' ? patch(job) : patch) } });
}

/** The job the Train tab's settings describe, on the sweep form's spec (tab 2). */
export function newJob(): TrainJob {
  const s = useLab.getState();
  const spec = (s.sweepSpec ?? structuredClone(EXAMPLES[0]!.spec)) as Record<string, unknown>;
  const parsed = parseExperimentSpec(spec);
  const points = sweepPoints(parsed);
  const point = Math.min(s.train.point, points.length - 1);
  return {
    id: `train-${Date.now().toString(36)}`,
    name: `${s.train.policy} on ${String(spec.name ?? parsed.env)}`,
    policy: s.train.policy, spec, point, label: pointLabel(points[point]!.point),
    status: 'running', step: 0, steps: 0, losses: [], valLosses: [], tokensPerSecond: 0, etaSeconds: NaN, device: '…', deviceNote: null, error: null, startedAt: Date.now(),
  };
}

async function run(job: TrainJob, resume?: Uint8Array): Promise<void> {
  const s = useLab.getState();
  useLab.setState({ trainJob: { ...job, status: 'running', error: null } });
  const live = () => useLab.getState().trainJob?.id === job.id;
  let pending: TrainEvent[] = [];
  let timer: ReturnType<typeof setTimeout> | null = null;
  const flush = () => {
    timer = null;
    if (!live()) return;
    const events = pending;
    pending = [];
    patchJob((j) => {
      let next = { ...j };
      for (const e of events) {
        if (e.kind === 'device') next = { ...next, device: e.device, deviceNote: e.note ?? next.deviceNote };
        else {
          const p = e.progress;
          next = {
            ...next, step: p.step, steps: p.steps, tokensPerSecond: p.tokensPerSecond, etaSeconds: p.etaSeconds, lr: p.lr,
            losses: thinCurve([...next.losses.filter((l) => l.step < p.step), { step: p.step, loss: p.loss }]),
            valLosses: p.valLoss === undefined ? next.valLosses : [...next.valLosses.filter((v) => v.epoch !== p.epoch), { epoch: p.epoch, step: p.step, loss: p.valLoss }],
          };
        }
      }
      return next;
    });
  };
  const onEvent = (e: TrainEvent) => {
    pending.push(e);
    timer ??= setTimeout(flush, REDRAW_MS);
  };
  const onCheckpoint = async (bytes: Uint8Array, step: number) => {
    await useLab.getState().keepArtifact(job.id, { kind: 'sft-checkpoint', policy: 'sft', pointIndex: job.point, label: job.label, step, steps: useLab.getState().trainJob?.steps ?? 0, files: { 'checkpoint.safetensors': bytes } }, job.name);
  };
  try {
    const out = await trainer().start(
      { spec: job.spec, policy: job.policy, point: job.point, lrScale: s.train.lrScale, checkpointEvery: TRAIN_CHECKPOINT_EVERY, cpu: s.train.cpu, ...(resume ? { resume } : {}) },
      Comlink.proxy(onEvent),
      Comlink.proxy(onCheckpoint),
    );
    if (timer) clearTimeout(timer);
    flush();
    if (!live()) return;
    if (out.status === 'stopped') return; // pause or cancel set the status already
    await useLab.getState().keepArtifact(job.id, { kind: job.policy === 'sft' ? 'sft-adapter' : 'dpt-model', policy: job.policy, pointIndex: job.point, label: job.label, step: out.steps, steps: out.steps, files: out.files }, job.name);
    patchJob({ status: 'done', step: out.steps, steps: out.steps, tokensPerSecond: out.tokens / Math.max(out.seconds, 1e-9), etaSeconds: 0 });
  } catch (e) {
    if (live()) patchJob({ status: 'failed', error: errorMessage(e) });
  }
}

export function startTraining(): void {
  const current = useLab.getState().trainJob;
  if (current?.status === 'running') return;
  try {
    void run(newJob());
  } catch (e) {
    useLab.setState({ trainError: errorMessage(e) });
  }
}

/** Stops after the step in progress; an SFT job keeps its last checkpoint to resume from. */
export function pauseTraining(): void {
  patchJob({ status: 'paused' });
  void trainer().stop();
}

export function cancelTraining(): void {
  patchJob({ status: 'cancelled' });
  void trainer().stop();
}

/** Continues a paused or interrupted job: SFT from its last checkpoint, a DPT (seconds to train) from the start. */
export async function resumeTraining(): Promise<void> {
  const job = useLab.getState().trainJob;
  if (!job || job.status === 'running') return;
  const files = job.policy === 'sft' ? await artifactFiles(artifactId(job.id, { kind: 'sft-checkpoint', pointIndex: job.point })) : null;
  const bytes = files?.['checkpoint.safetensors'];
  if (bytes instanceof Uint8Array) {
    await run(job, bytes);
  } else {
    await run({ ...job, step: 0, losses: [], valLosses: [] });
  }
}

export function setLrScale(scale: number): void {
  useLab.getState().set({ train: { ...useLab.getState().train, lrScale: scale } });
  if (useLab.getState().trainJob?.status === 'running') void trainer().setLrScale(scale);
}

// A page that has just loaded runs no trainer: a job saved as running was cut off by a reload.
{
  const j = useLab.getState().trainJob;
  if (j?.status === 'running') useLab.setState({ trainJob: { ...j, status: 'interrupted' } });
}
