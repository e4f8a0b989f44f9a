/**
 * Starts and cancels sweeps. Lives outside React so a run survives re-renders and tab switches;
 * rows go straight into the store as they arrive.
 */
import type { ExperimentProgress, ResultRow } from '../../experiments/types.ts';
import { useLab } from '../store.ts';

import type { TrainedArtifact } from '../../experiments/types.ts';
import { Comlink, errorMessage, evaluatorApi, terminateEvaluator } from '../worker-client.ts';

/** Progress events arrive once per task; more than a few redraws a second only costs the page its responsiveness. */
const PROGRESS_INTERVAL_MS = 250;
/** An SFT checkpoint every this many optimiser steps (and at each epoch's end): what a reload loses at most. */
export const CHECKPOINT_EVERY = 20;

let current: string | null = null;

function newId(): string {
  return `${Date.now().toString(36)}-${Math.floor(Math.random() * 1e6).toString(36)}`;
}

export function isRunning(): boolean {
  return current !== null;
}

export async function startSweep(spec: Record<string, unknown>): Promise<void> {
  if (current) return;
  const id = newId();
  current = id;
  const lab = useLab.getState();
  const startedAt = Date.now();
  lab.startRun({ id, name: String(spec.name ?? 'sweep'), spec, rows: [], status: 'running', startedAt });
  // Late messages from a cancelled run must not touch the store.
  const live = () => current === id;
  // Returned to the worker, which waits for it: the next row comes once this one is stored.
  const onRow = (row: ResultRow): Promise<void> | undefined => (live() ? useLab.getState().addRow(id, row) : undefined);
  let lastProgress = 0;
  // A sweep with dpt alternates phases (training a model for a point, evaluating the tasks): each
  // phase's bar and ETA count from the phase's own start.
  let phase = '';
  let phaseStart = startedAt;
  const onProgress = (p: ExperimentProgress) => {
    const now = Date.now();
    const kind = p.label.startsWith('training') ? p.label.split(' · ')[0]! : 'evaluating';
    if (kind !== phase) {
      phase = kind;
      phaseStart = now;
      lastProgress = 0;
    }
    if (!live() || (now - lastProgress < PROGRESS_INTERVAL_MS && p.done < p.total)) return;
    lastProgress = now;
    useLab.setState({ progress: { ...p, startedAt: phaseStart, updatedAt: now } });
  };
  try {
    // Kept even after a cancel: a checkpoint that arrives is work the person may want back.
    const onArtifact = (a: TrainedArtifact) => useLab.getState().keepArtifact(id, a);
    const summary = await evaluatorApi().run(spec, Comlink.proxy(onRow), Comlink.proxy(onProgress), Comlink.proxy(onArtifact), CHECKPOINT_EVERY);
    if (live()) useLab.getState().finishRun(id, 'done', { summary });
  } catch (e) {
    if (live()) useLab.getState().finishRun(id, 'failed', { error: errorMessage(e) });
  } finally {
    if (live()) current = null;
  }
}

/**
 * Cancels at once: the worker may be deep inside a solve that never yields, so it is terminated
 * (a fresh one starts with the next run). Rows already received stay in the store.
 */
export function cancelSweep(): void {
  const id = current;
  if (!id) return;
  current = null;
  terminateEvaluator();
  useLab.getState().finishRun(id, 'cancelled');
}
