/**
 * What sweeps trained, in IndexedDB: SFT checkpoints, adapters (PEFT folders) and DPT models.
 * The list (`meta`) and the bytes (`files`) are two databases, so listing never reads megabytes;
 * the files are written first, so a listed artifact always has its files.
 */
import { createStore, del, get, set, values, type UseStore } from 'idb-keyval';
import type { TrainedArtifact } from '../../experiments/types.ts';

export interface ArtifactMeta {
  id: string;
  kind: TrainedArtifact['kind'];
  policy: TrainedArtifact['policy'];
  runId: string;
  runName: string;
  pointIndex: number;
  label: string;
  step: number;
  steps: number;
  createdAt: number;
  bytes: number;
  fileNames: string[];
}

let stores: { meta: UseStore; files: UseStore } | null = null;
function db(): { meta: UseStore; files: UseStore } {
  stores ??= { meta: createStore('decision-lab-artifacts', 'meta'), files: createStore('decision-lab-artifact-files', 'files') };
  return stores;
}

/** One record per run, point and kind: a newer checkpoint replaces the older one. */
export function artifactId(runId: string, a: Pick<TrainedArtifact, 'kind' | 'pointIndex'>): string {
  return `${runId}:${a.pointIndex}:${a.kind}`;
}

function sizeOf(files: Record<string, string | Uint8Array>): number {
  return Object.values(files).reduce((n, f) => n + (typeof f === 'string' ? new TextEncoder().encode(f).length : f.byteLength), 0);
}

export async function putArtifact(run: { id: string; name: string }, a: TrainedArtifact, now = Date.now()): Promise<ArtifactMeta> {
  const meta: ArtifactMeta = {
    id: artifactId(run.id, a), kind: a.kind, policy: a.policy, runId: run.id, runName: run.name, pointIndex: a.pointIndex, label: a.label,
    step: a.step, steps: a.steps, createdAt: now, bytes: sizeOf(a.files), fileNames: Object.keys(a.files).sort(),
  };
  await set(meta.id, a.files, db().files);
  await set(meta.id, meta, db().meta);
  return meta;
}

export async function listArtifacts(): Promise<ArtifactMeta[]> {
  const all = await values<ArtifactMeta>(db().meta);
  return all.filter((m) => typeof m?.id === 'string' && Array.isArray(m.fileNames)).sort((a, b) => b.createdAt - a.createdAt);
}

export async function artifactFiles(id: string): Promise<Record<string, string | Uint8Array> | null> {
  return (await get<Record<string, string | Uint8Array>>(id, db().files)) ?? null;
}

export async function removeArtifact(id: string): Promise<void> {
  await del(id, db().meta);
  await del(id, db().files);
}
