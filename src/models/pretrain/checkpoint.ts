/**
 * Checkpoints of a pretraining run: weights, AdamW moments, step, data position, elapsed time,
 * and the options they belong to, in one safetensors file (flat F32 arrays + JSON metadata).
 *
 * Exact resume needs every bit of state that the next step reads: the f32 arrays are stored as
 * f32 (lossless), the data position as the next document index plus the unused tokens. A
 * checkpoint refuses to resume a run with different options (the cosine schedule, the batch
 * and the corpus would silently diverge otherwise).
 */
import { parseSafetensors, readTensor, writeSafetensors } from '../../nn/safetensors.ts';
import type { DataState } from './data.ts';
import type { FloatAlloc, PretrainOptions, PretrainState } from './trainer.ts';

export const CHECKPOINT_FORMAT = 'decision-lab-pretrain-checkpoint-1';

export class CheckpointError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CheckpointError';
  }
}

/** Options as canonical JSON (key order fixed by the object literal in the CLI), for comparison. */
export function optionsKey(o: PretrainOptions): string {
  return JSON.stringify(o);
}

export function writeCheckpoint(o: PretrainOptions, s: PretrainState): Uint8Array {
  const n = s.params.length;
  return writeSafetensors(
    new Map([
      ['params', { shape: [n], data: s.params }],
      ['adam_m', { shape: [n], data: s.m }],
      ['adam_v', { shape: [n], data: s.v }],
    ]),
    {
      format: CHECKPOINT_FORMAT,
      options: optionsKey(o),
      step: String(s.step),
      tokens: String(s.tokens),
      elapsed_s: String(s.elapsedS),
      data: JSON.stringify(s.data),
    },
  );
}

function dataState(raw: unknown): DataState {
  const d = raw as Partial<DataState> | null;
  if (!d || !Number.isSafeInteger(d.nextDoc) || !Array.isArray(d.carry) || !d.carry.every((t) => Number.isInteger(t) && t >= 0)) {
    throw new CheckpointError('checkpoint: metadata "data" is not a data position');
  }
  return { nextDoc: d.nextDoc!, carry: d.carry };
}

/** The state stored in `bytes`; refuses a checkpoint of a run with other options. */
export function readCheckpoint(bytes: Uint8Array, o: PretrainOptions, alloc: FloatAlloc): PretrainState {
  const file = parseSafetensors(bytes);
  const meta = file.metadata ?? {};
  if (meta.format !== CHECKPOINT_FORMAT) throw new CheckpointError(`checkpoint: format is ${JSON.stringify(meta.format)}, expected ${CHECKPOINT_FORMAT}`);
  if (meta.options !== optionsKey(o)) {
    throw new CheckpointError(`checkpoint: it belongs to a run with other options (stored ${meta.options}); resume with exactly the same options`);
  }
  const array = (name: string): Float32Array => {
    if (!file.tensors.has(name)) throw new CheckpointError(`checkpoint: tensor ${name} is missing`);
    const t = readTensor(file, name);
    const out = alloc(t.data.length);
    out.set(t.data);
    return out;
  };
  const num = (key: string): number => {
    const v = Number(meta[key]);
    if (meta[key] === undefined || !Number.isFinite(v) || v < 0) throw new CheckpointError(`checkpoint: metadata ${key} is missing or invalid`);
    return v;
  };
  let data: unknown;
  try {
    data = JSON.parse(meta.data ?? 'null');
  } catch {
    throw new CheckpointError('checkpoint: metadata "data" is not JSON');
  }
  return { step: num('step'), tokens: num('tokens'), elapsedS: num('elapsed_s'), params: array('params'), m: array('adam_m'), v: array('adam_v'), data: dataState(data) };
}
