/**
 * Node side of the loader (tests, CLI): a model folder on disk, and a cache directory shared
 * with transformers.js. Kept out of the browser bundle: only Node callers import this file.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { env } from '@huggingface/transformers';
import type { CacheEntry, ModelCache } from './fetch.ts';
import type { FolderReader } from './sources.ts';

function cachePath(dir: string, e: CacheEntry): string {
  // transformers.js' FileCache layout: <id>/<file> for main, <id>/<revision>/<file> otherwise.
  return e.revision === 'main' ? join(dir, e.id, e.file) : join(dir, e.id, e.revision, e.file);
}

/**
 * A cache in `dir`, which also becomes transformers.js' `env.cacheDir`, so the tokenizer files it
 * downloads land beside ours and one directory holds the whole model.
 */
export function nodeCache(dir: string): ModelCache {
  env.cacheDir = dir;
  return {
    async get(e) {
      try {
        return new Uint8Array(await readFile(cachePath(dir, e)));
      } catch {
        return undefined;
      }
    },
    async put(e, bytes) {
      const path = cachePath(dir, e);
      await mkdir(dirname(path), { recursive: true });
      // Write then rename, so a crash never leaves a truncated file that later reads as cached.
      const tmp = `${path}.tmp.${process.pid}`;
      await writeFile(tmp, bytes);
      await rename(tmp, path);
    },
  };
}

/** A model folder on disk; a missing file reads as null. */
export function directoryReader(dir: string): FolderReader {
  return {
    where: dir,
    async read(file, onProgress) {
      try {
        const bytes = new Uint8Array(await readFile(join(dir, file)));
        onProgress?.({ type: 'file', file, loaded: bytes.byteLength, total: bytes.byteLength, fromCache: false, done: true });
        return bytes;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw e;
      }
    },
  };
}
