/** Public entry of the model loader (browser-safe; Node helpers are in ./node.ts). */
export { loadModel, asLanguageModel, defaultLimit, type LoadModelOptions, type LoadedModel } from './load.ts';
export { ModelLoadError, ERROR_TITLES, type LoadErrorKind } from './errors.ts';
export { estimateModel, parameterCount, formatBytes, formatCount, DEFAULT_LIMITS, DEFAULT_CONTEXT, contextLengthOf, declaredContextLength, type ModelEstimate } from './estimate.ts';
export { browserCache, type ModelCache, type CacheEntry } from './fetch.ts';
export { isHubId, hubUrl, urlReader, type FolderReader } from './sources.ts';
export { sourceLabel, type ModelSource, type LoadEvent, type FileProgress, type StageProgress, type ModelInfo } from './types.ts';
