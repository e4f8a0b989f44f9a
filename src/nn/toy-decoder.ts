/**
 * A miniature of the lab's Llama (llama.ts) with a LoRA adapter on every projection, for the
 * engine's own tests, benches and the WebGPU parity page: the same LlamaModel that is
 * fine-tuned (there is one Llama implementation), drawn from a seed instead of loaded, its base
 * frozen and optionally NF4 as in QLoRA. Only the adapter trains, initialised as PEFT does (A
 * uniform ±1/√in, B = 0, so the adapted model starts equal to the base).
 */
import type { Backend, IndexBuf } from './backend.ts';
import type { LlamaConfig } from './llama-config.ts';
import { type LlamaModel, randomLlama } from './llama.ts';
import { adapterParams, initLora } from './lora.ts';
import type { Tape } from './tape.ts';
import type { Tensor } from './tensor.ts';

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
  /** Quantize the frozen projections to NF4 (QLoRA). */
  nf4?: boolean;
}

export interface ToyModel {
  config: ToyConfig;
  model: LlamaModel;
  /** The trainable tensors (every LoRA A and B). */
  adapters: Tensor[];
}

export function toyLlamaConfig(c: ToyConfig): LlamaConfig {
  return {
    vocabSize: c.vocab, hiddenSize: c.dim, intermediateSize: c.hidden, numLayers: c.layers, numHeads: c.heads, numKvHeads: c.kvHeads,
    headDim: c.dim / c.heads, ropeTheta: c.theta, rmsNormEps: c.eps, tieWordEmbeddings: false,
  };
}

export function initToyModel(be: Backend, c: ToyConfig, seed: number): ToyModel {
  const config = toyLlamaConfig(c);
  const model = randomLlama(be, config, seed, { nf4: c.nf4 === true });
  const adapter = initLora(be, config, { r: c.rank, alpha: c.alpha, dropout: c.dropout }, seed);
  model.setAdapter(adapter);
  return { config: c, model, adapters: adapterParams(adapter) };
}

/** Logits [batch·seq, vocab] for ids [batch·seq], adapter dropout on; `seed` varies the dropout masks per step. */
export function toyForward(tape: Tape, m: ToyModel, ids: IndexBuf, batch: number, seq: number, seed: number): Tensor {
  return m.model.forward(tape, ids, batch, seq, { seed, dropout: true });
}
