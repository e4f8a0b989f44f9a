import { describe, expect, it } from 'vitest';
import { CpuBackend } from '../nn/cpu/index.ts';
import type { Backend } from '../nn/backend.ts';
import { trainWithFallback } from './device-fallback.ts';

/** A backend that stands for a GPU: only its name matters to the fallback. */
const gpu = Object.assign(Object.create(CpuBackend.prototype) as Backend, { name: 'webgpu' }) as Backend;

describe('trainWithFallback', () => {
  it('continues a failed job on the fallback from its last checkpoint, and says so', async () => {
    const calls: [string, string | undefined][] = [];
    let saved: Uint8Array | undefined;
    const notes: string[] = [];
    const out = await trainWithFallback({
      primary: gpu,
      fallback: () => new CpuBackend(),
      run: async (be, resume) => {
        calls.push([be.name, resume ? new TextDecoder().decode(resume) : undefined]);
        if (be === gpu) {
          saved = new TextEncoder().encode('step 5');
          throw new Error('Device lost');
        }
        return 'done';
      },
      lastCheckpoint: () => saved,
      onSwitch: (_be, note) => notes.push(note),
    });
    expect(out).toBe('done');
    expect(calls).toEqual([['webgpu', undefined], [new CpuBackend().name, 'step 5']]);
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatch(/webgpu failed \(Device lost\); continuing on .* from the last checkpoint/);
  });

  it('does not move a cancelled job, nor a job that has nowhere to go', async () => {
    const abort = () => Promise.reject(new DOMException('training cancelled', 'AbortError'));
    const base = { lastCheckpoint: () => undefined, onSwitch: () => { throw new Error('no switch expected'); } };
    await expect(trainWithFallback({ ...base, primary: gpu, fallback: () => new CpuBackend(), run: abort })).rejects.toThrow('training cancelled');
    await expect(trainWithFallback({ ...base, primary: new CpuBackend(), fallback: () => null, run: () => Promise.reject(new Error('bad spec')) })).rejects.toThrow('bad spec');
  });
});
