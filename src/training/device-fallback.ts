/**
 * Training that survives a lost GPU (DESIGN §9: "WebGPU with CPU fallback"): a job runs on its
 * backend; if that fails for any reason other than a cancel, and a fallback exists, the same job
 * runs again on the fallback from the last checkpoint it saved, and the caller is told why.
 */
import type { Backend } from '../nn/backend.ts';

export function isAbort(e: unknown): boolean {
  return e instanceof DOMException && e.name === 'AbortError';
}

export interface FallbackOptions<T> {
  primary: Backend;
  /** where to continue after a failure; null: no fallback (a CPU job's error is the job's). */
  fallback: () => Backend | null;
  /** one run of the job on `be`, from `resume` if given. */
  run: (be: Backend, resume: Uint8Array | undefined) => Promise<T>;
  /** the last checkpoint the job saved (read after the failure). */
  lastCheckpoint: () => Uint8Array | undefined;
  /** called once when the job moves, with a sentence for the person. */
  onSwitch: (be: Backend, note: string) => void;
}

export async function trainWithFallback<T>(o: FallbackOptions<T>): Promise<T> {
  try {
    return await o.run(o.primary, o.lastCheckpoint());
  } catch (e) {
    const next = isAbort(e) ? null : o.fallback();
    if (!next) throw e;
    const resume = o.lastCheckpoint();
    o.onSwitch(next, `${o.primary.name} failed (${e instanceof Error ? e.message : String(e)}); continuing on ${next.name} ${resume ? 'from the last checkpoint' : 'from the start'}`);
    return o.run(next, resume);
  }
}
