/**
 * The input fuzzer (issue "Reliability"): seeded mutations of valid inputs, fed to every parser
 * that reads what users and the network give us. A case is
 * - `ok`: the parser accepted it (and whatever numbers it produced are finite),
 * - `error`: it refused with one of the project's named errors (SpecError, ModelFormatError,
 *   ModelLoadError, SafetensorsError, TokenBatchError, JsonInputError, CostLimitError),
 * - `crash`: anything else was thrown (a TypeError, a RangeError, a stack trace for the user),
 * - `hang`: it took longer than HANG_MS,
 * - `nonFinite`: it accepted the input and produced NaN or ±Infinity.
 * Only ok and error are acceptable. Written by hand because the mutations must know our formats
 * (JSON values at every depth, safetensors' header and data), which no fuzzing library offers
 * for in-process TypeScript parsers without a native toolchain.
 */
import { Rng } from '../../src/core/rng.ts';
import { SpecError } from '../../src/core/spec/fields.ts';
import { JsonInputError, parseJsonStrict } from '../../src/core/spec/json.ts';
import { parseTaskSpec } from '../../src/core/spec/task-spec.ts';
import { createTask } from '../../src/core/tasks.ts';
import { CostLimitError } from '../../src/core/solve.ts';
import { parseExperimentSpec } from '../../src/experiments/spec.ts';
import { parseTokenBatch, TokenBatchError } from '../../src/models/forward.ts';
import { checkTokenizerJson } from '../../src/models/loader/tokenizer-check.ts';
import { ModelLoadError } from '../../src/models/loader/errors.ts';
import { parsePeftConfig } from '../../src/models/peft.ts';
import { ModelFormatError, parseLlamaConfig } from '../../src/nn/llama-config.ts';
import { parseSafetensors, readTensor, SafetensorsError, writeSafetensors } from '../../src/nn/safetensors.ts';
import { parseDptConfig } from '../../src/training/dpt-model.ts';

export const HANG_MS = 2000;

export type Outcome = 'ok' | 'error' | 'crash' | 'hang' | 'nonFinite';

const NAMED_ERRORS = [SpecError, ModelFormatError, ModelLoadError, SafetensorsError, TokenBatchError, JsonInputError, CostLimitError];

/** Every number in a value (deep), for the non-finite check. */
function numbers(v: unknown, out: number[] = [], depth = 0): number[] {
  if (depth > 20) return out;
  if (typeof v === 'number') out.push(v);
  else if (ArrayBuffer.isView(v) && !(v instanceof DataView)) for (const x of Array.from(v as unknown as ArrayLike<number>)) out.push(Number(x));
  else if (Array.isArray(v)) for (const x of v) numbers(x, out, depth + 1);
  else if (v instanceof Map) for (const x of v.values()) numbers(x, out, depth + 1);
  else if (typeof v === 'object' && v !== null) for (const x of Object.values(v)) numbers(x, out, depth + 1);
  return out;
}

// ---- JSON mutations ----

const WEIRD: unknown[] = [
  null, true, false, 0, -0, -1, 1, 0.5, 2 ** 31, 2 ** 53, -(2 ** 53), 1e308, -1e308, 5e-324, 1e-300, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, // what JSON.parse makes of 1e999 and -1e999
  '', '0', '1e3', 'NaN', 'x'.repeat(100_000),
  [], [1], {}, { a: 1 }, [[[[]]]], '\u0000', '😀', -7, 3.7, 100_000, 1e9,
];

function clone<T>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T;
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** All paths to values in a JSON value (so any depth can be mutated). */
function paths(v: Json, prefix: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  out.push(prefix);
  if (Array.isArray(v)) v.forEach((x, i) => paths(x, [...prefix, i], out));
  else if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) paths(x, [...prefix, k], out);
  return out;
}

function setAt(root: Json, path: (string | number)[], value: Json | undefined): Json {
  if (path.length === 0) return (value ?? null) as Json;
  let node = root as Record<string | number, Json>;
  for (const k of path.slice(0, -1)) node = node[k] as Record<string | number, Json>;
  const last = path[path.length - 1]!;
  if (value === undefined) {
    if (Array.isArray(node)) node.splice(Number(last), 1);
    else Reflect.deleteProperty(node, last);
  } else node[last] = value;
  return root;
}

function getAt(root: Json, path: (string | number)[]): Json {
  let node: Json = root;
  for (const k of path) node = (node as Record<string | number, Json>)[k]!;
  return node;
}

/** A fresh copy of a weird value (the shared ones must never be mutated by a later edit). */
function weird(rng: Rng): Json {
  const w = WEIRD[rng.int(WEIRD.length)];
  return (typeof w === 'object' && w !== null ? clone(w) : w) as Json;
}

/** One to three random edits of a JSON value: replace a value, delete it, add a key, scale a number. */
export function mutateJson(seed: Json, rng: Rng): Json {
  let v = clone(seed);
  const edits = 1 + rng.int(3);
  for (let e = 0; e < edits; e++) {
    const all = paths(v);
    const path = all[rng.int(all.length)]!;
    const kind = rng.int(5);
    const here = getAt(v, path);
    if (kind === 0) v = setAt(v, path, weird(rng));
    else if (kind === 1 && path.length > 0) v = setAt(v, path, undefined);
    else if (kind === 2 && here !== null && typeof here === 'object' && !Array.isArray(here)) (here as Record<string, Json>)[`k${rng.int(5)}`] = weird(rng);
    else if (kind === 3 && typeof here === 'number') v = setAt(v, path, here * [10, -1, 1e6, 0.001, 1e300][rng.int(5)]!);
    else if (kind === 4 && Array.isArray(here)) here.push(...here.slice(0, rng.int(4)));
    else v = setAt(v, path, weird(rng));
  }
  return v;
}

/** Text-level mutations of a JSON document: duplicate a key, cut it, or break a character. */
export function mutateJsonText(text: string, rng: Rng): string {
  const k = rng.int(4);
  if (k === 0) return text.slice(0, rng.int(text.length + 1));
  if (k === 1) {
    const m = /"([A-Za-z_]+)":\s*([^,{}[\]]+)/.exec(text.slice(rng.int(Math.max(1, text.length - 20))));
    return m ? text.replace(m[0], `${m[0]}, "${m[1]}": ${m[2]}`) : `${text} `;
  }
  if (k === 2) {
    const i = rng.int(text.length);
    return text.slice(0, i) + '{}[]",:0e-'[rng.int(11)] + text.slice(i + 1);
  }
  return text;
}

// ---- safetensors mutations ----

export function mutateBytes(bytes: Uint8Array, rng: Rng): Uint8Array {
  const out = new Uint8Array(bytes);
  const k = rng.int(5);
  if (k === 0) return out.slice(0, rng.int(out.length + 1));
  if (k === 1) {
    // the header length: small changes, huge values, zero
    const v = [0, 1, 7, out.length, 2 ** 32 - 1, 2 ** 31, 100_000_000][rng.int(7)]!;
    new DataView(out.buffer).setUint32(0, v >>> 0, true);
    return out;
  }
  if (k === 2) {
    for (let i = 0; i < 1 + rng.int(8); i++) out[rng.int(out.length)] = rng.int(256);
    return out;
  }
  if (k === 3) {
    // inside the header text: a digit, a quote or a bracket
    const headerLength = new DataView(out.buffer).getUint32(0, true);
    const i = 8 + rng.int(Math.max(1, Math.min(headerLength, out.length - 8)));
    out[i] = '0123456789"[]{},-.eE'.charCodeAt(rng.int(20));
    return out;
  }
  // the data region: NaN / Inf bit patterns
  const f = new Float32Array(out.buffer.slice(out.length - (out.length % 4) - 16, out.length - (out.length % 4)));
  f[rng.int(4)] = [Number.NaN, Number.POSITIVE_INFINITY, -3e38][rng.int(3)]!;
  out.set(new Uint8Array(f.buffer), out.length - (out.length % 4) - 16);
  return out;
}

// ---- targets ----

export interface Target {
  name: string;
  /** One case: mutate the seed input with `rng` and parse it (returning what the parser made). */
  run(rng: Rng): unknown;
}

const TASK_SPEC: Json = { env: 'energy-apomdp', params: { levels: 6, q: 0.8, K: 3, alpha: 0.5, rho: 0.1, kappa: 50, horizon: 4 }, seed: 3 };
const EXPERIMENT_SPEC: Json = {
  name: 'fuzz', env: 'energy-pomdp', params: { levels: 5, horizon: 4 }, distribution: { pMin: 0.3, pMax: 0.9 }, sweep: { param: 'q', values: [1, 0.9, 0.7] },
  policies: ['random', 'oracle', 'support-copy'], testTasks: 4, episodes: 3, support: 2, supportPolicy: 'oracle', seed: 1, training: { tasks: 10, epochs: 1, dpt: { layers: 1 } },
};
const LLAMA_CONFIG: Json = {
  model_type: 'llama', vocab_size: 32, hidden_size: 16, intermediate_size: 24, num_hidden_layers: 2, num_attention_heads: 4, num_key_value_heads: 2,
  rope_theta: 10000, rms_norm_eps: 1e-5, tie_word_embeddings: false, max_position_embeddings: 64, hidden_act: 'silu',
};
const PEFT_CONFIG: Json = { peft_type: 'LORA', task_type: 'CAUSAL_LM', r: 4, lora_alpha: 8, lora_dropout: 0.1, target_modules: ['q_proj', 'v_proj'], use_dora: false, use_rslora: false, fan_in_fan_out: false, bias: 'none' };
const DPT_CONFIG: Json = { model_type: 'dpt', env: 'energy-mdp', obs_sizes: [5], num_actions: 3, horizon: 4, context_transitions: 8, hidden_size: 8, num_hidden_layers: 1, num_attention_heads: 1, intermediate_size: 32, rope_theta: 10000, rms_norm_eps: 1e-5 };
const TOKENS: Json = { input_ids: [[1, 5, 9, 2], [1, 3, 3, 7]], loss_mask: [[0, 1, 1, 1], [0, 0, 1, 1]] };
const TOKENIZER: Json = {
  version: '1.0', added_tokens: [{ id: 0, content: '<pad>', special: true }], normalizer: null, pre_tokenizer: null, post_processor: null, decoder: null,
  model: { type: 'BPE', vocab: { '<pad>': 0, a: 1, b: 2, ab: 3 }, merges: ['a b'] },
};

function jsonTarget(name: string, seed: Json, parse: (v: unknown) => unknown): Target {
  return {
    name,
    run(rng) {
      // One case in four goes through the text (duplicate keys, cut documents), the rest through values.
      if (rng.int(4) === 0) return parse(parseJsonStrict(mutateJsonText(JSON.stringify(seed), rng), name));
      return parse(mutateJson(seed, rng));
    },
  };
}

function safetensorsSeed(): Uint8Array {
  return writeSafetensors(new Map([
    ['a', { shape: [2, 3], data: Float32Array.from([1, 2, 3, 4, 5, 6]) }],
    ['b', { shape: [4], data: Float32Array.from([0.5, -1, 2, 8]), dtype: 'F16' as const }],
    ['c', { shape: [3], data: Float32Array.from([1, 2, 3]), dtype: 'BF16' as const }],
  ]), { format: 'pt' });
}

export const TARGETS: Target[] = [
  jsonTarget('task spec', TASK_SPEC, (v) => createTask(parseTaskSpec(v))),
  jsonTarget('experiment spec', EXPERIMENT_SPEC, (v) => parseExperimentSpec(v)),
  jsonTarget('model config', LLAMA_CONFIG, (v) => parseLlamaConfig(v)),
  jsonTarget('PEFT config', PEFT_CONFIG, (v) => parsePeftConfig(v)),
  jsonTarget('DPT config', DPT_CONFIG, (v) => parseDptConfig(v)),
  jsonTarget('token file', TOKENS, (v) => parseTokenBatch(v, 32)),
  jsonTarget('tokenizer', TOKENIZER, (v) => {
    checkTokenizerJson(v);
    return null;
  }),
  {
    name: 'safetensors',
    run(rng) {
      const file = parseSafetensors(mutateBytes(safetensorsSeed(), rng));
      // Decoding is part of reading; NaN in the data is the file's content, not a parser fault.
      for (const k of file.tensors.keys()) readTensor(file, k);
      return null;
    },
  },
];

export interface Summary {
  target: string;
  cases: number;
  ok: number;
  error: number;
  crash: number;
  hang: number;
  nonFinite: number;
  /** the first few failures, to reproduce (seed, case index, message). */
  failures: { case: number; outcome: Outcome; message: string }[];
  slowestMs: number;
}

export function fuzzTarget(t: Target, o: { seed: number; cases: number }): Summary {
  const s: Summary = { target: t.name, cases: o.cases, ok: 0, error: 0, crash: 0, hang: 0, nonFinite: 0, failures: [], slowestMs: 0 };
  for (let i = 0; i < o.cases; i++) {
    const rng = new Rng(o.seed, 'fuzz', t.name, i);
    const t0 = performance.now();
    let outcome: Outcome;
    let message = '';
    try {
      const out = t.run(rng);
      outcome = numbers(out).every(Number.isFinite) ? 'ok' : 'nonFinite';
      if (outcome === 'nonFinite') message = 'accepted, with a non-finite number in the result';
    } catch (e) {
      outcome = NAMED_ERRORS.some((E) => e instanceof E) ? 'error' : 'crash';
      message = e instanceof Error ? `${e.name}: ${e.message}`.slice(0, 300) : String(e);
    }
    const ms = performance.now() - t0;
    s.slowestMs = Math.max(s.slowestMs, ms);
    if (ms > HANG_MS) {
      outcome = 'hang';
      message = `${ms.toFixed(0)} ms`;
    }
    s[outcome]++;
    if ((outcome === 'crash' || outcome === 'hang' || outcome === 'nonFinite') && s.failures.length < 5) s.failures.push({ case: i, outcome, message });
  }
  return s;
}
