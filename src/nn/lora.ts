/**
 * LoRA adapters of a Llama model: per layer, an (A [r, in], B [out, r]) pair on some of the seven
 * projections, in the PEFT layout so adapter files load without transposes (DESIGN §5). The
 * update is (alpha / r)·B·A (PEFT's `scaling`; rsLoRA and DoRA are not supported).
 */
import { Rng } from '../core/rng.ts';
import type { Backend } from './backend.ts';
import { finiteTensor, type LlamaConfig, ModelFormatError, PROJECTIONS, type Projection, projectionKey, projectionShape } from './llama-config.ts';
import { parameter, type Tensor } from './tensor.ts';

export interface LoraSettings {
  /** Rank. */
  r: number;
  alpha: number;
  /** Dropout on each adapter's input while training (0 = none). */
  dropout: number;
}

export interface LoraPair {
  a: Tensor;
  b: Tensor;
}

export interface LoraAdapter {
  readonly settings: LoraSettings;
  /** The adapted projections (PEFT's target_modules), in PROJECTIONS order. */
  readonly targets: readonly Projection[];
  readonly layers: readonly Partial<Record<Projection, LoraPair>>[];
}

/** PEFT's key of a LoRA tensor, e.g. base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight. */
export function peftKey(layer: number, p: Projection, which: 'A' | 'B'): string {
  return `base_model.model.${projectionKey(layer, p).slice(0, -'.weight'.length)}.lora_${which}.weight`;
}

export function checkLoraSettings(s: LoraSettings): void {
  if (!Number.isSafeInteger(s.r) || s.r <= 0) throw new ModelFormatError(`lora r: must be a positive integer, got ${s.r}`);
  if (!Number.isFinite(s.alpha)) throw new ModelFormatError(`lora_alpha: must be a finite number, got ${s.alpha}`);
  if (!(s.dropout >= 0 && s.dropout < 1)) throw new ModelFormatError(`lora_dropout: must be in [0, 1), got ${s.dropout}`);
}

function orderedTargets(targets: readonly Projection[]): Projection[] {
  return PROJECTIONS.filter((p) => targets.includes(p));
}

/**
 * A fresh adapter initialised as PEFT does: A kaiming-uniform (a = √5, i.e. uniform ±1/√in),
 * B = 0, so the adapted model starts exactly equal to the base.
 */
export function initLora(be: Backend, c: LlamaConfig, settings: LoraSettings, seed: number, targets: readonly Projection[] = PROJECTIONS): LoraAdapter {
  checkLoraSettings(settings);
  const rng = new Rng(seed, 'lora-init');
  const order = orderedTargets(targets);
  const layers = Array.from({ length: c.numLayers }, () => {
    const layer: Partial<Record<Projection, LoraPair>> = {};
    for (const p of order) {
      const [out, inF] = projectionShape(c, p);
      const bound = 1 / Math.sqrt(inF);
      const a = parameter(be, [settings.r, inF], Float64Array.from({ length: settings.r * inF }, () => rng.uniform(-bound, bound)));
      layer[p] = { a, b: parameter(be, [out, settings.r]) };
    }
    return layer;
  });
  return { settings, targets: order, layers };
}

/** A tensor as read from a file: shape and values. */
export interface RawTensor {
  readonly shape: readonly number[];
  readonly data: ArrayLike<number>;
}

/**
 * An adapter from PEFT-keyed tensors. Every target's A and B must be present with the right
 * shape (the error names the key and the expected shape); keys that belong to no target are
 * refused too, since ignoring them would silently drop part of the adapter.
 */
export function loraFromTensors(
  be: Backend,
  c: LlamaConfig,
  settings: LoraSettings,
  targets: readonly Projection[],
  tensors: ReadonlyMap<string, RawTensor>,
  where = 'adapter_model.safetensors',
): LoraAdapter {
  checkLoraSettings(settings);
  const order = orderedTargets(targets);
  const used = new Set<string>();
  const take = (key: string, shape: readonly number[]): Tensor => {
    const t = tensors.get(key);
    if (!t) throw new ModelFormatError(`${where}: missing tensor ${key} (expected shape [${shape.join(', ')}])`);
    if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
      throw new ModelFormatError(`${where}: tensor ${key} has shape [${t.shape.join(', ')}], expected [${shape.join(', ')}]`);
    }
    used.add(key);
    return parameter(be, shape, finiteTensor(t.data, key, where));
  };
  const layers = Array.from({ length: c.numLayers }, (_, l) => {
    const layer: Partial<Record<Projection, LoraPair>> = {};
    for (const p of order) {
      const [out, inF] = projectionShape(c, p);
      layer[p] = { a: take(peftKey(l, p, 'A'), [settings.r, inF]), b: take(peftKey(l, p, 'B'), [out, settings.r]) };
    }
    return layer;
  });
  const extra = [...tensors.keys()].filter((k) => !used.has(k));
  if (extra.length > 0) throw new ModelFormatError(`${where}: unexpected tensor ${extra[0]} (not a lora_A/lora_B of a target module of this model)`);
  return { settings, targets: order, layers };
}

/** Every adapter tensor with its PEFT key: per layer, per target, A then B. */
export function adapterEntries(adapter: LoraAdapter): { key: string; tensor: Tensor }[] {
  const out: { key: string; tensor: Tensor }[] = [];
  adapter.layers.forEach((layer, l) => {
    for (const p of adapter.targets) {
      const pair = layer[p]!;
      out.push({ key: peftKey(l, p, 'A'), tensor: pair.a }, { key: peftKey(l, p, 'B'), tensor: pair.b });
    }
  });
  return out;
}

/** The trainable tensors (for the optimiser). */
export function adapterParams(adapter: LoraAdapter): Tensor[] {
  return adapterEntries(adapter).map((e) => e.tensor);
}
