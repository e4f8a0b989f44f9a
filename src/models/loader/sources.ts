/**
 * The two places a model comes from, behind one interface: a folder (the lab's served
 * `/models/<name>/` in the browser, a directory in Node) and the Hugging Face hub. The hub's
 * URLs are transformers.js' own (`env.remoteHost` + `env.remotePathTemplate`), and its tokenizer
 * is loaded by the library's AutoTokenizer, so caching and mirrors behave as the library does.
 */
import { JsonInputError, parseJsonStrict } from '../../core/spec/json.ts';
import { AutoTokenizer, ModelRegistry, PreTrainedTokenizer, env } from '@huggingface/transformers';
import { checkTokenizerJson } from './tokenizer-check.ts';
import { ModelLoadError, type LoadErrorKind } from './errors.ts';
import { cachedDownload, download, knownOffline, type ModelCache, offlineError, type ProgressSink } from './fetch.ts';
import type { ModelSource } from './types.ts';

/** Reads one file of a folder; null when the folder has no such file. */
export interface FolderReader {
  /** shown in messages. */
  where: string;
  read(file: string, onProgress?: ProgressSink): Promise<Uint8Array | null>;
}

/** A served folder (browser, or any fetch): 404 reads as a missing file. */
export function urlReader(base: string, signal?: AbortSignal): FolderReader {
  const root = base.endsWith('/') ? base : `${base}/`;
  return {
    where: root,
    async read(file, onProgress) {
      const url = new URL(file, new URL(root, globalThis.location?.href ?? 'http://localhost/')).href;
      try {
        return await download(url, file, onProgress ?? (() => {}), {
          ...(signal ? { signal } : {}),
          notFound: () => new ModelLoadError('not-found', `${file} is missing`),
        });
      } catch (e) {
        if (e instanceof ModelLoadError && e.kind === 'not-found') return null;
        throw e;
      }
    },
  };
}

/** The files a loader needs from any source. */
export interface ModelFiles {
  read(file: string, missing: LoadErrorKind, onProgress: ProgressSink): Promise<Uint8Array>;
  tokenizer(onProgress: ProgressSink): Promise<PreTrainedTokenizer>;
}

const decoder = new TextDecoder();
export const parseJsonFile = (bytes: Uint8Array, file: string): unknown => {
  try {
    return parseJsonStrict(decoder.decode(bytes), file);
  } catch (e) {
    if (e instanceof JsonInputError) throw new ModelLoadError('format', `${e.message}.`);
    throw e;
  }
};

function missingMessage(file: string, where: string): string {
  if (file === 'model.safetensors') return `${where} has no model.safetensors (the lab reads single-file safetensors weights; PyTorch .bin and sharded checkpoints are not supported).`;
  if (file === 'config.json') return `${where} has no config.json: it is not a model folder.`;
  return `${where} has no ${file}.`;
}

export function folderFiles(reader: FolderReader): ModelFiles {
  const read = async (file: string, missing: LoadErrorKind, onProgress: ProgressSink): Promise<Uint8Array> => {
    const bytes = await reader.read(file, onProgress);
    if (bytes === null) throw new ModelLoadError(missing, missingMessage(file, reader.where));
    return bytes;
  };
  return {
    read,
    async tokenizer(onProgress) {
      const json = parseJsonFile(await read('tokenizer.json', 'tokenizer', onProgress), 'tokenizer.json');
      checkTokenizerJson(json, `${reader.where.replace(/\/?$/, '/')}tokenizer.json`);
      const config = parseJsonFile(await read('tokenizer_config.json', 'tokenizer', onProgress), 'tokenizer_config.json');
      try {
        return new PreTrainedTokenizer(json as object, config as object);
      } catch (e) {
        throw new ModelLoadError('tokenizer', `The tokenizer in ${reader.where} could not be built: ${(e as Error).message}`);
      }
    },
  };
}

/** Hub ids as the hub (and transformers.js) accept them: `name` or `owner/name`. */
export function isHubId(id: string): boolean {
  return /^[\w.-]+(\/[\w.-]+)?$/.test(id) && !id.includes('..') && !id.includes('--') && !id.startsWith('.');
}

export function hubUrl(id: string, revision: string, file: string): string {
  const host = env.remoteHost.endsWith('/') ? env.remoteHost : `${env.remoteHost}/`;
  const path = env.remotePathTemplate.replaceAll('{model}', id).replaceAll('{revision}', encodeURIComponent(revision));
  return `${host}${path}${file}`;
}

/** Library errors from a tokenizer load, sorted into our kinds (fetch failures are TypeErrors). */
function tokenizerError(e: unknown, id: string): ModelLoadError {
  if (e instanceof ModelLoadError) return e;
  const msg = e instanceof Error ? e.message : String(e);
  if (e instanceof TypeError && /fetch|network/i.test(msg)) return offlineError(env.remoteHost);
  return new ModelLoadError('tokenizer', `The tokenizer of ${id} could not be loaded: ${msg}`);
}

export function hubFiles(source: Extract<ModelSource, { kind: 'hub' }>, cache: ModelCache | null, signal?: AbortSignal): ModelFiles {
  const { id } = source;
  const revision = source.revision ?? 'main';
  const host = env.remoteHost;
  return {
    async read(file, missing, onProgress) {
      const notFound = (status: number): ModelLoadError =>
        file === 'config.json'
          ? new ModelLoadError('not-found', `No model "${id}" on ${host} (HTTP ${status}). Check the spelling, e.g. HuggingFaceTB/SmolLM2-135M; gated or private models cannot be loaded.`)
          : new ModelLoadError(missing, missingMessage(file, id));
      return cachedDownload(cache, { id, revision, file, url: hubUrl(id, revision, file) }, onProgress, { ...(signal ? { signal } : {}), notFound });
    },
    async tokenizer(onProgress) {
      try {
        // The library's own existence check (memoized, so from_pretrained does not repeat it):
        // without it a model lacking tokenizer_config.json fails with an unrelated TypeError.
        if (knownOffline()) throw offlineError(host);
        const files = await ModelRegistry.get_tokenizer_files(id);
        if (files.length === 0) throw new ModelLoadError('tokenizer', `${id} has no tokenizer_config.json / tokenizer.json; the lab needs a Hugging Face fast tokenizer.`);
        const last = new Map<string, number>();
        return await AutoTokenizer.from_pretrained(id, {
          revision,
          progress_callback: (p) => {
            if (p.status === 'progress') {
              last.set(p.file, p.loaded);
              onProgress({ type: 'file', file: p.file, loaded: p.loaded, total: p.total || null, fromCache: false, done: false });
            } else if (p.status === 'done') {
              const n = last.get(p.file) ?? 0;
              onProgress({ type: 'file', file: p.file, loaded: n, total: n, fromCache: false, done: true });
            }
          },
        });
      } catch (e) {
        throw tokenizerError(e, id);
      }
    },
  };
}
