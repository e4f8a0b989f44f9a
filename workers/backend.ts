/** The backend a worker computes on: WebGPU when the browser has an adapter, else the CPU backend (always works). */
import type { Backend } from '../src/nn/backend.ts';
import { CpuBackend } from '../src/nn/cpu/index.ts';

let backend: Promise<Backend> | null = null;

export function preferredBackend(): Promise<Backend> {
  backend ??= (async () => {
    try {
      const { WebGpuBackend } = await import('../src/nn/webgpu/index.ts');
      const gpu = await WebGpuBackend.create();
      if (gpu) return gpu;
    } catch {
      // No usable WebGPU in this worker: the CPU backend always works.
    }
    return new CpuBackend();
  })();
  return backend;
}

/** After a lost device: the next job asks for WebGPU again (a new device) instead of reusing the dead one. */
export function forgetPreferredBackend(): void {
  backend = null;
}

/** A model name under the served models/ folder (default the shipped model), or a folder URL path as given. */
export function modelLocation(model: string): string {
  return model.includes('/') ? model : `${import.meta.env.BASE_URL}models/${model}/`;
}
