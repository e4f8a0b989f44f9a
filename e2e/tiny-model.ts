/**
 * The tiny test model (tests/fixtures/test-model.ts) as the app's only shipped model, served
 * through route fulfilment as public/models/e2e-tiny/ would be, and what "Try the model" must
 * show for it, computed in Node from the same files the page loads.
 */
import type { BrowserContext } from '@playwright/test';
import type { TestModel } from '../tests/fixtures/test-model.ts';
import { generate, type GenerateResult } from '../src/models/generate.ts';
import { labTokenizerFromJson, type TokenizerConfigJson, type TokenizerJson } from '../src/models/tokenizer/index.ts';
import { CpuBackend } from '../src/nn/cpu/index.ts';
import { parseLlamaConfig } from '../src/nn/llama-config.ts';
import { loadLlama } from '../src/nn/llama.ts';

export const TRY_PROMPT = 'copy: Kim 358 x36 Paul k21 fovi 7\nagain: ';

export async function serveTinyModel(context: BrowserContext, tiny: TestModel): Promise<void> {
  await context.route('**/models/index.json', (route) =>
    route.fulfill({ json: { models: [{ name: 'e2e-tiny', description: 'A tiny random test model (not trained).' }] } }),
  );
  await context.route('**/models/e2e-tiny/*', (route) => {
    const file = new URL(route.request().url()).pathname.split('/').pop() ?? '';
    const body = tiny.files.get(file);
    if (!body) return route.fulfill({ status: 404, body: 'not found' });
    return route.fulfill({ status: 200, body: Buffer.from(body), headers: { 'content-type': 'application/octet-stream', 'content-length': String(body.byteLength) } });
  });
}

/** generate() on the CPU backend from the served files (their F16/BF16 rounding included). */
export async function expectedTry(tiny: TestModel, prompt: string, n: number): Promise<GenerateResult> {
  const json = (name: string): unknown => JSON.parse(new TextDecoder().decode(tiny.files.get(name)));
  const tok = labTokenizerFromJson(json('tokenizer.json') as TokenizerJson, json('tokenizer_config.json') as TokenizerConfigJson);
  const model = loadLlama(new CpuBackend(), parseLlamaConfig(tiny.config), tiny.files.get('model.safetensors')!);
  return generate(model, tok, prompt, { n, contextLength: Number(tiny.config.max_position_embeddings) });
}
