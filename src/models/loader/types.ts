/** Plain-data types shared by the loader, its worker and the UI (all structured-cloneable). */

/** Where a model comes from: a hub id, or a folder (a URL path in the browser, a directory in Node). */
export type ModelSource = { kind: 'hub'; id: string; revision?: string } | { kind: 'local'; location: string; name?: string };

/** Progress of one file: bytes so far and the total when the server said it. */
export interface FileProgress {
  type: 'file';
  file: string;
  loaded: number;
  total: number | null;
  fromCache: boolean;
  done: boolean;
}

export type LoadStage = 'config' | 'tokenizer' | 'weights' | 'building' | 'ready';

/** A step of loading; `fraction` only for building the model (tensors placed / all). */
export interface StageProgress {
  type: 'stage';
  stage: LoadStage;
  fraction?: number;
}

export type LoadEvent = FileProgress | StageProgress;

/** What the UI shows about a loaded model. */
export interface ModelInfo {
  source: ModelSource;
  label: string;
  parameters: number;
  engineBytes: number;
  /** bytes of model.safetensors as stored (the download). */
  fileBytes: number;
  dtype: string;
  backend: string;
  layers: number;
  hidden: number;
  vocabSize: number;
  tokenizerSize: number;
  seconds: number;
}

export function sourceLabel(s: ModelSource): string {
  return s.kind === 'hub' ? `${s.id}${s.revision && s.revision !== 'main' ? `@${s.revision}` : ''}` : (s.name ?? s.location);
}
