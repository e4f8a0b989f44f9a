/**
 * The Decision-Pretrained Transformer (DESIGN §9; Lee et al. 2023): a small causal transformer
 * trained from scratch. It is the lab's one Llama (nn/llama.ts) with two changes at the ends: a
 * learned linear projection of the token vectors of dpt-features.ts replaces the token
 * embedding, and the output head scores the task's actions instead of a vocabulary. The
 * reference used GPT-2 blocks (4 layers, width 32, one head); ours are Llama blocks of the same
 * size, so DPT and the language model share every kernel, the backward pass and the WebGPU path.
 *
 * In memory the head is the body's tied embedding table ([actions, hidden]; the DPT never
 * embeds tokens, so the table is only ever used as the head). On disk (a model folder:
 * config.json, model.safetensors) it is `action_head.weight`, beside `input_proj.weight` and
 * the Llama keys of the layers and the final norm.
 */
import { shown } from '../core/spec/fields.ts';
import { type LlamaConfig, ModelFormatError, PROJECTIONS, type Projection, projectionKey } from '../nn/llama-config.ts';
import { checkedTensors, LlamaModel, type LlamaLayer } from '../nn/llama.ts';
import { crossEntropy, linear, type BaseWeight } from '../nn/ops.ts';
import { writeSafetensors, type TensorToWrite } from '../nn/safetensors.ts';
import type { Backend, Buf, IndexBuf } from '../nn/backend.ts';
import type { Tape } from '../nn/tape.ts';
import { parameter, Tensor } from '../nn/tensor.ts';
import { initParams, paramLayout, type ParamLayout } from '../models/pretrain/params.ts';
import { Rng } from '../core/rng.ts';
import { featureWidth, type DptShape } from './dpt-features.ts';
import { ENV_NAMES } from '../core/types.ts';

export interface DptArchitecture {
  hiddenSize: number;
  numLayers: number;
  numHeads: number;
  intermediateSize: number;
}

export interface DptConfig extends DptArchitecture {
  shape: DptShape;
  /** Transitions in the context it was trained on (k support trajectories × horizon). */
  contextTransitions: number;
}

const ROPE_THETA = 10_000;
const RMS_EPS = 1e-5;
const HEAD_KEY = 'action_head.weight';
const INPUT_KEY = 'input_proj.weight';
const EMBED_KEY = 'model.embed_tokens.weight';

/** The body's Llama configuration: its "vocabulary" is the action set (the tied table is the head). */
export function dptBodyConfig(c: DptConfig): LlamaConfig {
  return {
    vocabSize: c.shape.nActions, hiddenSize: c.hiddenSize, intermediateSize: c.intermediateSize, numLayers: c.numLayers,
    numHeads: c.numHeads, numKvHeads: c.numHeads, headDim: c.hiddenSize / c.numHeads, ropeTheta: ROPE_THETA, rmsNormEps: RMS_EPS, tieWordEmbeddings: true,
  };
}

export class DptModel {
  constructor(
    readonly config: DptConfig,
    /** [hidden, featureWidth]: token vector → the residual stream. */
    readonly inputProj: Tensor,
    readonly body: LlamaModel,
  ) {}

  get backend(): Backend {
    return this.body.backend;
  }

  /** Every trainable tensor (the input projection, the layers, the final norm, the head). */
  params(): Tensor[] {
    const b = this.body;
    const layerTensors = b.layers.flatMap((l) => [l.attnNorm, l.mlpNorm, ...PROJECTIONS.map((p) => l.proj[p] as Tensor)]);
    return [this.inputProj, ...layerTensors, b.finalNorm, b.embed];
  }

  /** Action logits [B·T, actions] of token vectors x ([B·T · width], row-major). */
  logits(tape: Tape, x: Float32Array, batch: number, seq: number): Tensor {
    const width = featureWidth(this.config.shape);
    if (x.length !== batch * seq * width) throw new Error(`dpt: ${x.length} input values for ${batch}×${seq} tokens of width ${width}`);
    const input = new Tensor([batch * seq, width], tape.values(x), false, false);
    return this.body.head(tape, this.body.blocks(tape, linear(tape, input, this.inputProj), batch, seq, { dropout: false }));
  }

  /** Mean cross-entropy of the masked targets (denominator: the step's whole count, optim.trainStep). */
  loss(tape: Tape, x: Float32Array, batch: number, seq: number, targets: IndexBuf, mask: Buf, denominator?: number): Tensor {
    return crossEntropy(tape, this.logits(tape, x, batch, seq), targets, mask, denominator === undefined ? {} : { denominator });
  }
}

/** The DPT's parameters in one layout: the body's (Llama keys) and the input projection. */
function layoutOf(c: DptConfig): { body: ParamLayout; inputShape: [number, number] } {
  return { body: paramLayout(dptBodyConfig(c)), inputShape: [c.hiddenSize, featureWidth(c.shape)] };
}

function assemble(be: Backend, c: DptConfig, get: (key: string, shape: readonly number[]) => ArrayLike<number>): DptModel {
  const bodyConfig = dptBodyConfig(c);
  const { body, inputShape } = layoutOf(c);
  const tensors = new Map<string, Tensor>();
  for (const e of body.entries) tensors.set(e.key, parameter(be, e.shape, get(e.key === EMBED_KEY ? HEAD_KEY : e.key, e.shape), true));
  const t = (key: string): Tensor => tensors.get(key)!;
  const layers = Array.from({ length: c.numLayers }, (_, l): LlamaLayer => {
    const proj = {} as Record<Projection, BaseWeight>;
    for (const p of PROJECTIONS) proj[p] = t(projectionKey(l, p));
    return { attnNorm: t(`model.layers.${l}.input_layernorm.weight`), mlpNorm: t(`model.layers.${l}.post_attention_layernorm.weight`), proj };
  });
  const embed = t(EMBED_KEY);
  const llama = new LlamaModel(be, bodyConfig, embed, layers, t('model.norm.weight'), embed);
  return new DptModel(c, parameter(be, inputShape, get(INPUT_KEY, inputShape), true), llama);
}

/**
 * A fresh DPT from a seed: the body as the pretraining initialisation (fan-in normal, residual
 * outputs scaled by 1/√(2L), norms 1), the input projection N(0, 1/width).
 */
export function initDpt(be: Backend, c: DptConfig, seed: number): DptModel {
  const { body, inputShape } = layoutOf(c);
  const flat = new Float32Array(body.total);
  initParams(dptBodyConfig(c), body, seed, flat);
  const rng = new Rng(seed, 'dpt-input-proj');
  const input = Float32Array.from({ length: inputShape[0] * inputShape[1] }, () => rng.normal() / Math.sqrt(inputShape[1]));
  const byKey = new Map(body.entries.map((e) => [e.key === EMBED_KEY ? HEAD_KEY : e.key, flat.subarray(e.offset, e.offset + e.size)]));
  byKey.set(INPUT_KEY, input);
  return assemble(be, c, (key) => byKey.get(key)!);
}

/** config.json of a DPT folder. */
export function dptConfigJson(c: DptConfig): Record<string, unknown> {
  return {
    model_type: 'dpt',
    env: c.shape.env, obs_sizes: c.shape.obsSizes, num_actions: c.shape.nActions, horizon: c.shape.horizon, context_transitions: c.contextTransitions,
    hidden_size: c.hiddenSize, num_hidden_layers: c.numLayers, num_attention_heads: c.numHeads, intermediate_size: c.intermediateSize,
    rope_theta: ROPE_THETA, rms_norm_eps: RMS_EPS,
  };
}

/** Reads a DPT folder's config.json, naming the key at fault. */
export function parseDptConfig(raw: unknown, where = 'config.json'): DptConfig {
  const fail = (key: string, msg: string): never => {
    throw new ModelFormatError(`${where}: ${key}: ${msg}`);
  };
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new ModelFormatError(`${where}: must be a JSON object`);
  const r = raw as Record<string, unknown>;
  if (r.model_type !== 'dpt') fail('model_type', `must be "dpt", got ${shown(r.model_type)}`);
  const int = (key: string, lo: number, hi: number): number => {
    const v = r[key];
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < lo || v > hi) return fail(key, `must be an integer in [${lo}, ${hi}], got ${shown(v)}`);
    return v;
  };
  if (!(ENV_NAMES as readonly unknown[]).includes(r.env)) fail('env', `must be one of ${ENV_NAMES.join(', ')}, got ${shown(r.env)}`);
  const sizes = r.obs_sizes;
  if (!Array.isArray(sizes) || sizes.length < 1 || sizes.length > 4 || !sizes.every((n) => Number.isSafeInteger(n) && n >= 1 && n <= 10_000)) {
    fail('obs_sizes', `must be 1 to 4 integers in [1, 10000], got ${shown(sizes)}`);
  }
  const hiddenSize = int('hidden_size', 2, 4096);
  const numHeads = int('num_attention_heads', 1, 64);
  if (hiddenSize % numHeads !== 0 || (hiddenSize / numHeads) % 2 !== 0) fail('num_attention_heads', `hidden_size ${hiddenSize} must split into ${numHeads} heads of an even size`);
  if (r.rope_theta !== undefined && r.rope_theta !== ROPE_THETA) fail('rope_theta', `must be ${ROPE_THETA}, got ${shown(r.rope_theta)}`);
  if (r.rms_norm_eps !== undefined && r.rms_norm_eps !== RMS_EPS) fail('rms_norm_eps', `must be ${RMS_EPS}, got ${shown(r.rms_norm_eps)}`);
  return {
    shape: { env: r.env as DptShape['env'], obsSizes: sizes as number[], nActions: int('num_actions', 1, 1024), horizon: int('horizon', 1, 10_000) },
    contextTransitions: int('context_transitions', 0, 1_000_000),
    hiddenSize, numLayers: int('num_hidden_layers', 1, 64), numHeads, intermediateSize: int('intermediate_size', 1, 65_536),
  };
}

/** model.safetensors of a DPT (F32; the head under action_head.weight). */
export async function dptSafetensors(m: DptModel, metadata: Record<string, string> = { format: 'pt' }): Promise<Uint8Array> {
  const { body } = layoutOf(m.config);
  const b = m.body;
  const byKey = new Map<string, Tensor>([[EMBED_KEY, b.embed], ['model.norm.weight', b.finalNorm]]);
  b.layers.forEach((l, i) => {
    byKey.set(`model.layers.${i}.input_layernorm.weight`, l.attnNorm);
    byKey.set(`model.layers.${i}.post_attention_layernorm.weight`, l.mlpNorm);
    for (const p of PROJECTIONS) byKey.set(projectionKey(i, p), l.proj[p] as Tensor);
  });
  const tensors = new Map<string, TensorToWrite>();
  tensors.set(INPUT_KEY, { shape: m.inputProj.shape, data: await m.backend.read(m.inputProj.buf) });
  for (const e of body.entries) tensors.set(e.key === EMBED_KEY ? HEAD_KEY : e.key, { shape: e.shape, data: await m.backend.read(byKey.get(e.key)!.buf) });
  return writeSafetensors(tensors, metadata);
}

/** A DPT from its folder's config.json (parsed) and model.safetensors; every tensor must be there, with its shape, and nothing else. */
export function loadDpt(be: Backend, c: DptConfig, bytes: Uint8Array | ArrayBuffer, where = 'model.safetensors'): DptModel {
  const tensors = checkedTensors(bytes, where);
  const model = assemble(be, c, tensors.get);
  tensors.refuseUnused('check num_hidden_layers');
  return model;
}
