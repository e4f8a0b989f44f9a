/**
 * PEFT interop (DESIGN §5): LoRA adapters as `adapter_config.json` + `adapter_model.safetensors`
 * with keys base_model.model.model.layers.{i}.{self_attn|mlp}.{module}.lora_{A|B}.weight,
 * A [r, in], B [out, r]. Pure functions on parsed JSON and bytes, so the app and the CLI share
 * them (file access is the caller's).
 *
 * Only what this engine computes identically is accepted: plain LoRA on a subset of the seven
 * Llama projections, scaling alpha/r. rsLoRA, DoRA, biases, fan_in_fan_out, per-layer rank or
 * alpha patterns and layer subsets are refused naming the key, rather than run differently.
 */
import { shown } from '../core/spec/fields.ts';
import type { Backend } from '../nn/backend.ts';
import { type LlamaConfig, ModelFormatError, PROJECTIONS, type Projection } from '../nn/llama-config.ts';
import { adapterEntries, checkLoraSettings, type LoraAdapter, loraFromTensors, type LoraSettings } from '../nn/lora.ts';
import { readSafetensors, writeSafetensors } from '../nn/safetensors.ts';

export interface PeftConfig {
  settings: LoraSettings;
  targets: Projection[];
  baseModel: string | null;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function parsePeftConfig(raw: unknown, where = 'adapter_config.json'): PeftConfig {
  if (!isObject(raw)) throw new ModelFormatError(`${where}: must be a JSON object`);
  const fail = (key: string, msg: string): never => {
    throw new ModelFormatError(`${where}: ${key}: ${msg}`);
  };
  if (raw.peft_type !== 'LORA') fail('peft_type', `must be "LORA", got ${shown(raw.peft_type)}`);
  if (raw.task_type !== undefined && raw.task_type !== 'CAUSAL_LM') fail('task_type', `must be "CAUSAL_LM", got ${shown(raw.task_type)}`);
  const r = raw.r;
  if (typeof r !== 'number' || !Number.isSafeInteger(r) || r <= 0) fail('r', `must be a positive integer, got ${shown(r)}`);
  const alpha = raw.lora_alpha === undefined ? 8 : raw.lora_alpha;
  // 0 would make the adapter a no-op, a negative scale flips it, and a huge one overflows to NaN.
  if (typeof alpha !== 'number' || !Number.isFinite(alpha) || alpha <= 0 || alpha > 1e6) fail('lora_alpha', `must be a number in (0, 1000000], got ${shown(alpha)}`);
  const dropout = raw.lora_dropout ?? 0;
  if (typeof dropout !== 'number' || !(dropout >= 0 && dropout < 1)) fail('lora_dropout', `must be a number in [0, 1), got ${shown(dropout)}`);
  for (const key of ['use_rslora', 'use_dora', 'fan_in_fan_out']) {
    // Only a real boolean is read: "true", "yes" or 1 would otherwise pass as false.
    if (raw[key] !== undefined && raw[key] !== null && typeof raw[key] !== 'boolean') fail(key, `must be true or false, got ${shown(raw[key])}`);
    if (raw[key] === true) fail(key, 'is not supported (must be false)');
  }
  if (raw.bias !== undefined && raw.bias !== 'none') fail('bias', `only "none" is supported, got ${shown(raw.bias)}`);
  for (const key of ['rank_pattern', 'alpha_pattern']) {
    const v = raw[key];
    if (v !== undefined && v !== null && !(isObject(v) && Object.keys(v).length === 0)) fail(key, 'per-module ranks or alphas are not supported (must be empty)');
  }
  for (const key of ['layers_to_transform', 'modules_to_save']) if (raw[key] !== undefined && raw[key] !== null) fail(key, 'is not supported (must be null)');
  const tm = raw.target_modules;
  let targets: Projection[];
  if (tm === 'all-linear') {
    targets = [...PROJECTIONS];
  } else if (Array.isArray(tm) && tm.length > 0) {
    for (const m of tm as unknown[]) {
      if (typeof m !== 'string' || !(PROJECTIONS as readonly string[]).includes(m)) fail('target_modules', `unknown module ${JSON.stringify(m)} (supported: ${PROJECTIONS.join(', ')})`);
    }
    targets = PROJECTIONS.filter((p) => (tm as string[]).includes(p));
  } else {
    return fail('target_modules', `must be a non-empty list of module names or "all-linear", got ${shown(tm)}`);
  }
  const base = raw.base_model_name_or_path ?? null;
  if (base !== null && typeof base !== 'string') fail('base_model_name_or_path', `must be a string or null, got ${shown(base)}`);
  return { settings: { r: r as number, alpha: alpha as number, dropout: dropout as number }, targets, baseModel: base as string | null };
}

export interface PeftLoadOptions {
  /** Override the config's lora_dropout (the CLI's forward evaluates with dropout off). */
  dropout?: number;
}

/** An adapter for model config `c` from a parsed adapter_config.json and adapter_model.safetensors bytes. */
export function loadPeftAdapter(be: Backend, c: LlamaConfig, configJson: unknown, safetensors: Uint8Array | ArrayBuffer, o: PeftLoadOptions = {}): LoraAdapter {
  const pc = parsePeftConfig(configJson);
  const settings = { ...pc.settings, ...(o.dropout === undefined ? {} : { dropout: o.dropout }) };
  return loraFromTensors(be, c, settings, pc.targets, readSafetensors(safetensors).tensors);
}

/** adapter_config.json as PEFT writes it for a LoRA on a causal LM. */
export function peftConfigJson(adapter: LoraAdapter, baseModel: string | null = null): Record<string, unknown> {
  checkLoraSettings(adapter.settings);
  return {
    peft_type: 'LORA',
    task_type: 'CAUSAL_LM',
    base_model_name_or_path: baseModel,
    r: adapter.settings.r,
    lora_alpha: adapter.settings.alpha,
    lora_dropout: adapter.settings.dropout,
    target_modules: [...adapter.targets],
    bias: 'none',
    fan_in_fan_out: false,
    inference_mode: true,
    modules_to_save: null,
    use_rslora: false,
    use_dora: false,
    init_lora_weights: true,
  };
}

/** The two files of a PEFT adapter folder; reads the tensors back from the backend (async). */
export async function savePeftAdapter(be: Backend, adapter: LoraAdapter, baseModel: string | null = null): Promise<{ config: Record<string, unknown>; safetensors: Uint8Array }> {
  const tensors = new Map<string, { shape: readonly number[]; data: Float32Array }>();
  for (const { key, tensor } of adapterEntries(adapter)) tensors.set(key, { shape: tensor.shape, data: await be.read(tensor.buf) });
  return { config: peftConfigJson(adapter, baseModel), safetensors: writeSafetensors(tensors, { format: 'pt' }) };
}
