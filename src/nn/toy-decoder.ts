/**
 * A miniature Llama decoder with LoRA on every attention and MLP projection, built only from
 * ops.ts. It exists to exercise the engine end to end in tests (training, pooling, gradient
 * accumulation); the real model (config.json + safetensors, DESIGN §5) will be assembled the
 * same way with weights loaded instead of drawn. Base weights are frozen; only the adapters
 * train, initialised as PEFT does (A uniform ±1/sqrt(in) (kaiming-uniform with a = √5), B = 0,
 * so the adapted model starts equal to the base).
 */
import { Rng } from '../core/rng.ts';
import type { Backend, IndexBuf } from './backend.ts';
import { add, causalAttention, embedding, linear, loraLinear, rmsnorm, rope, swiglu } from './ops.ts';
import type { Tape } from './tape.ts';
import { parameter, type Tensor } from './tensor.ts';

export interface ToyConfig {
  vocab: number;
  dim: number;
  layers: number;
  heads: number;
  kvHeads: number;
  hidden: number;
  rank: number;
  alpha: number;
  dropout: number;
  theta: number;
  eps: number;
}

export const PROJECTIONS = ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'] as const;
export type Projection = (typeof PROJECTIONS)[number];

interface Adapted {
  w: Tensor;
  a: Tensor;
  b: Tensor;
}

export interface ToyLayer {
  attnNorm: Tensor;
  mlpNorm: Tensor;
  proj: Record<Projection, Adapted>;
}

export interface ToyModel {
  config: ToyConfig;
  embed: Tensor;
  layers: ToyLayer[];
  finalNorm: Tensor;
  lmHead: Tensor;
  /** The trainable tensors (every LoRA A and B). */
  adapters: Tensor[];
}

export function initToyModel(be: Backend, c: ToyConfig, seed: number): ToyModel {
  const rng = new Rng(seed, 'toy-decoder');
  const normal = (n: number, std: number): Float64Array => Float64Array.from({ length: n }, () => rng.normal() * std);
  const frozen = (shape: number[], std: number): Tensor => parameter(be, shape, normal(shape[0]! * shape[1]!, std), false);
  const ones = (n: number): Tensor => parameter(be, [n], new Float64Array(n).fill(1), false);
  const headDim = c.dim / c.heads;
  const shapes: Record<Projection, [number, number]> = {
    q_proj: [c.dim, c.dim],
    k_proj: [c.kvHeads * headDim, c.dim],
    v_proj: [c.kvHeads * headDim, c.dim],
    o_proj: [c.dim, c.dim],
    gate_proj: [c.hidden, c.dim],
    up_proj: [c.hidden, c.dim],
    down_proj: [c.dim, c.hidden],
  };
  const adapters: Tensor[] = [];
  const layers: ToyLayer[] = [];
  for (let l = 0; l < c.layers; l++) {
    const proj = {} as Record<Projection, Adapted>;
    for (const name of PROJECTIONS) {
      const [out, inF] = shapes[name];
      const bound = 1 / Math.sqrt(inF);
      const a = parameter(be, [c.rank, inF], Float64Array.from({ length: c.rank * inF }, () => rng.uniform(-bound, bound)));
      const b = parameter(be, [out, c.rank]);
      adapters.push(a, b);
      proj[name] = { w: frozen([out, inF], 1 / Math.sqrt(inF)), a, b };
    }
    layers.push({ attnNorm: ones(c.dim), mlpNorm: ones(c.dim), proj });
  }
  return { config: c, embed: frozen([c.vocab, c.dim], 1), layers, finalNorm: ones(c.dim), lmHead: frozen([c.vocab, c.dim], 1 / Math.sqrt(c.dim)), adapters };
}

/** Logits [batch·seq, vocab] for ids [batch·seq]; `seed` varies the dropout masks per step. */
export function toyForward(tape: Tape, m: ToyModel, ids: IndexBuf, batch: number, seq: number, seed: number): Tensor {
  const c = m.config;
  const headDim = c.dim / c.heads;
  let x = embedding(tape, ids, m.embed);
  m.layers.forEach((layer, l) => {
    const lin = (input: Tensor, name: Projection): Tensor => {
      const p = layer.proj[name];
      return loraLinear(tape, input, p.w, p.a, p.b, { alpha: c.alpha, dropout: c.dropout, seed: (seed * 131 + l * 7 + PROJECTIONS.indexOf(name)) >>> 0 });
    };
    const h = rmsnorm(tape, x, layer.attnNorm, c.eps);
    const ro = { batch, seq, headDim, theta: c.theta };
    const q = rope(tape, lin(h, 'q_proj'), { ...ro, heads: c.heads });
    const k = rope(tape, lin(h, 'k_proj'), { ...ro, heads: c.kvHeads });
    const att = causalAttention(tape, q, k, lin(h, 'v_proj'), { batch, seq, numHeads: c.heads, numKvHeads: c.kvHeads, headDim });
    x = add(tape, x, lin(att, 'o_proj'));
    const g = rmsnorm(tape, x, layer.mlpNorm, c.eps);
    x = add(tape, x, lin(swiglu(tape, lin(g, 'gate_proj'), lin(g, 'up_proj')), 'down_proj'));
  });
  return linear(tape, rmsnorm(tape, x, m.finalNorm, c.eps), m.lmHead);
}
