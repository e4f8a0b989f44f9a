/**
 * Checkpoints of an SFT run: the adapter's tensors (PEFT keys), their AdamW moments, the step,
 * the loss curves so far, and what the run was (settings and a fingerprint of its training rows)
 * in one safetensors file. Resuming reads them back into a fresh adapter and optimiser; the row
 * order and dropout masks are functions of (seed, epoch, step), so the resumed run continues
 * exactly as the uninterrupted one would (tested byte for byte). A checkpoint of other settings
 * or other data is refused by name.
 */
import type { Backend } from '../nn/backend.ts';
import { adapterEntries, type LoraAdapter } from '../nn/lora.ts';
import type { AdamW } from '../nn/optim.ts';
import { parseSafetensors, readTensor, writeSafetensors } from '../nn/safetensors.ts';
import type { SftRow } from './sft-data.ts';

export const SFT_CHECKPOINT_FORMAT = 'decision-lab-sft-checkpoint-1';

export class SftCheckpointError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SftCheckpointError';
  }
}

/** FNV-1a over every row's ids and mask: a checkpoint names the data it was trained on. */
export function rowsFingerprint(rows: readonly SftRow[]): string {
  let h = 0x811c9dc5;
  const mix = (x: number): void => {
    h ^= x & 0xffff;
    h = Math.imul(h, 0x01000193) >>> 0;
    h ^= x >>> 16;
    h = Math.imul(h, 0x01000193) >>> 0;
  };
  for (const r of rows) {
    mix(r.ids.length);
    for (const id of r.ids) mix(id);
    for (const m of r.mask) mix(m);
  }
  return `${rows.length}:${h.toString(16)}`;
}

export interface SftProgressState {
  step: number;
  tokens: number;
  elapsedS: number;
  losses: { step: number; loss: number }[];
  valLosses: { epoch: number; step: number; loss: number }[];
}

export async function writeSftCheckpoint(be: Backend, adapter: LoraAdapter, opt: AdamW, run: { settings: unknown; data: string }, st: SftProgressState): Promise<Uint8Array> {
  const tensors = new Map<string, { shape: readonly number[]; data: Float32Array }>();
  const { m, v } = opt.moments();
  const entries = adapterEntries(adapter);
  for (const [i, { key, tensor }] of entries.entries()) {
    tensors.set(key, { shape: tensor.shape, data: await be.read(tensor.buf) });
    tensors.set(`${key}.adam_m`, { shape: tensor.shape, data: await be.read(m[i]!) });
    tensors.set(`${key}.adam_v`, { shape: tensor.shape, data: await be.read(v[i]!) });
  }
  return writeSafetensors(tensors, {
    format: SFT_CHECKPOINT_FORMAT, settings: JSON.stringify(run.settings), data: run.data, step: String(st.step), optimizer_step: String(opt.step),
    tokens: String(st.tokens), elapsed_s: String(st.elapsedS), losses: JSON.stringify(st.losses), val_losses: JSON.stringify(st.valLosses),
  });
}

/** Restores a checkpoint into `adapter` and `opt` (made as for a fresh run); returns the progress to continue from. */
export function readSftCheckpoint(be: Backend, bytes: Uint8Array, adapter: LoraAdapter, opt: AdamW, run: { settings: unknown; data: string }): SftProgressState {
  const file = parseSafetensors(bytes);
  const meta = file.metadata ?? {};
  if (meta.format !== SFT_CHECKPOINT_FORMAT) throw new SftCheckpointError(`checkpoint: format is ${JSON.stringify(meta.format)}, expected ${SFT_CHECKPOINT_FORMAT}`);
  if (meta.settings !== JSON.stringify(run.settings)) throw new SftCheckpointError(`checkpoint: it belongs to a run with other training settings (stored ${meta.settings})`);
  if (meta.data !== run.data) throw new SftCheckpointError(`checkpoint: it was trained on other data (rows ${meta.data}, this run ${run.data})`);
  const { m, v } = opt.moments();
  for (const [i, { key, tensor }] of adapterEntries(adapter).entries()) {
    for (const [name, buf] of [[key, tensor.buf], [`${key}.adam_m`, m[i]!], [`${key}.adam_v`, v[i]!]] as const) {
      if (!file.tensors.has(name)) throw new SftCheckpointError(`checkpoint: tensor ${name} is missing`);
      const t = readTensor(file, name);
      if (t.data.length !== tensor.size) throw new SftCheckpointError(`checkpoint: tensor ${name} has ${t.data.length} values, expected ${tensor.size}`);
      be.write(buf, t.data);
    }
  }
  const num = (k: string): number => {
    const x = Number(meta[k]);
    if (meta[k] === undefined || !Number.isFinite(x) || x < 0) throw new SftCheckpointError(`checkpoint: metadata ${k} is missing or invalid`);
    return x;
  };
  opt.step = num('optimizer_step');
  const json = <T>(k: string): T => {
    try {
      return JSON.parse(meta[k] ?? 'null') as T;
    } catch {
      throw new SftCheckpointError(`checkpoint: metadata ${k} is not JSON`);
    }
  };
  return { step: num('step'), tokens: num('tokens'), elapsedS: num('elapsed_s'), losses: json('losses') ?? [], valLosses: json('val_losses') ?? [] };
}
