/**
 * Downloads with byte progress, and the cache that keeps them. The cache is the one
 * transformers.js uses for the tokenizer files, so a model's files live side by side: in the
 * browser Cache Storage `env.cacheKey` keyed by the remote URL, in Node `env.cacheDir/<id>/<file>`
 * (its FileCache layout). Either library-managed store is kept by the browser or the user; we
 * only add the files transformers.js does not load itself (config.json, model.safetensors).
 */
import { env } from '@huggingface/transformers';
import { ModelLoadError } from './errors.ts';
import type { FileProgress } from './types.ts';

export interface CacheEntry {
  /** hub id, revision and file name: the Node cache's path. */
  id: string;
  revision: string;
  file: string;
  /** the remote URL: the browser cache's key. */
  url: string;
}

export interface ModelCache {
  get(e: CacheEntry): Promise<Uint8Array | undefined>;
  put(e: CacheEntry, bytes: Uint8Array): Promise<void>;
}

/** Browser Cache Storage, shared with transformers.js. Failures (quota, private mode) only cost a re-download. */
export function browserCache(): ModelCache | null {
  if (typeof caches === 'undefined') return null;
  const open = () => caches.open(env.cacheKey);
  return {
    async get(e) {
      try {
        const hit = await (await open()).match(e.url);
        return hit ? new Uint8Array(await hit.arrayBuffer()) : undefined;
      } catch {
        return undefined;
      }
    },
    async put(e, bytes) {
      try {
        const body = new Blob([bytes as Uint8Array<ArrayBuffer>]);
        await (await open()).put(e.url, new Response(body, { headers: { 'content-length': String(bytes.byteLength) } }));
      } catch {
        // Storage full or refused: the model still loads, it is only not kept.
      }
    },
  };
}

export type ProgressSink = (p: FileProgress) => void;

/** True only where the platform says so (browsers); then nothing may touch the network. */
export function knownOffline(): boolean {
  return typeof navigator !== 'undefined' && 'onLine' in navigator && navigator.onLine === false;
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

export function offlineError(url: string): ModelLoadError {
  return new ModelLoadError(
    'offline',
    `Cannot reach ${hostOf(url)}: this device is offline or the host does not answer. Hub models need a network connection the first time (later loads come from the cache); the shipped model works offline.`,
  );
}

/** GET `url` into memory, reporting progress at most ~200 times per file. Throws ModelLoadError. */
export async function download(url: string, file: string, onProgress: ProgressSink, o: { signal?: AbortSignal; notFound: (status: number) => ModelLoadError }): Promise<Uint8Array> {
  if (knownOffline()) throw offlineError(url);
  let res: Response;
  try {
    res = await fetch(url, o.signal ? { signal: o.signal } : {});
  } catch {
    if (o.signal?.aborted) throw new ModelLoadError('cancelled', 'Loading was cancelled.');
    throw offlineError(url);
  }
  if (res.status === 404 || res.status === 401) {
    await res.body?.cancel();
    throw o.notFound(res.status);
  }
  if (!res.ok) {
    await res.body?.cancel();
    const why = res.status === 403 ? ' (a gated or private model: the lab cannot send a login)' : res.status === 429 ? ' (rate limited: try again later)' : '';
    throw new ModelLoadError('http', `${hostOf(url)} answered HTTP ${res.status} for ${file}${why}.`);
  }
  const header = Number(res.headers.get('content-length'));
  const total = Number.isSafeInteger(header) && header > 0 ? header : null;
  let buf = new Uint8Array(total ?? 1 << 20);
  let loaded = 0;
  let reported = 0;
  const step = Math.max(1, Math.floor((total ?? 0) / 200));
  onProgress({ type: 'file', file, loaded: 0, total, fromCache: false, done: false });
  if (!res.body) throw new ModelLoadError('format', `${file}: the response has no body.`);
  const reader = res.body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (loaded + value.byteLength > buf.byteLength) {
        // No or wrong content-length: grow geometrically.
        const bigger = new Uint8Array(Math.max(buf.byteLength * 2, loaded + value.byteLength));
        bigger.set(buf.subarray(0, loaded));
        buf = bigger;
      }
      buf.set(value, loaded);
      loaded += value.byteLength;
      if (loaded - reported >= step) {
        reported = loaded;
        onProgress({ type: 'file', file, loaded, total, fromCache: false, done: false });
      }
    }
  } catch (e) {
    if (o.signal?.aborted) throw new ModelLoadError('cancelled', 'Loading was cancelled.');
    throw new ModelLoadError('offline', `The download of ${file} from ${hostOf(url)} broke off after ${loaded} bytes (${e instanceof Error ? e.message : String(e)}).`);
  }
  if (total !== null && loaded !== total) throw new ModelLoadError('format', `${file}: received ${loaded} of ${total} bytes.`);
  onProgress({ type: 'file', file, loaded, total: loaded, fromCache: false, done: true });
  return loaded === buf.byteLength ? buf : buf.slice(0, loaded);
}

/** The cached copy, or a download that is then cached. */
export async function cachedDownload(cache: ModelCache | null, entry: CacheEntry, onProgress: ProgressSink, o: Parameters<typeof download>[3]): Promise<Uint8Array> {
  const hit = await cache?.get(entry);
  if (hit) {
    onProgress({ type: 'file', file: entry.file, loaded: hit.byteLength, total: hit.byteLength, fromCache: true, done: true });
    return hit;
  }
  const bytes = await download(entry.url, entry.file, onProgress, o);
  await cache?.put(entry, bytes);
  return bytes;
}
