/**
 * `forward --model DIR [--adapter DIR] [--nf4] --tokens FILE [--grad] --out FILE` (DESIGN §7):
 * logits of a token batch on the CPU backend, and with --grad the masked next-token loss and its
 * gradient for every adapter tensor, written as safetensors under the adapter's PEFT keys.
 */
import { join } from 'node:path';
import { parseTokenBatch, runForward, TokenBatchError } from '../../src/models/forward.ts';
import { contextLengthOf } from '../../src/models/loader/estimate.ts';
import { CpuBackend } from '../../src/nn/cpu/index.ts';
import { type LlamaConfig, parseLlamaConfig } from '../../src/nn/llama-config.ts';
import { loadLlama } from '../../src/nn/llama.ts';
import { writeSafetensors } from '../../src/nn/safetensors.ts';
import { CliError, printJson, readJsonFile } from '../io.ts';
import { asCliError, assertNotAnInput, attachAdapter, folder, readBytes, writeFileAtomic } from '../model-io.ts';

export interface ForwardArgs {
  model?: string;
  adapter?: string;
  nf4: boolean;
  tokens?: string;
  grad: boolean;
  out?: string;
  json: boolean;
}

export async function runForwardCommand(args: ForwardArgs): Promise<void> {
  const modelDir = folder(args.model, '--model');
  if (args.out === undefined || args.out === '') throw new CliError('--out: a file path is required');
  assertNotAnInput('--out', args.out, [{ option: '--model', path: modelDir }, { option: '--adapter', path: args.adapter }, { option: '--tokens', path: args.tokens }]);
  const rawConfig = readJsonFile(join(modelDir, 'config.json'), '--model');
  const config: LlamaConfig = asCliError('--model', 'config.json', () => parseLlamaConfig(rawConfig));
  const rawTokens = readJsonFile(args.tokens, '--tokens');
  let batch;
  try {
    batch = parseTokenBatch(rawTokens, config.vocabSize);
  } catch (e) {
    if (e instanceof TokenBatchError) throw new CliError(`--tokens: ${e.message}`);
    throw e;
  }
  // Positions past the model's context were never trained (and a long row costs minutes): refuse them.
  const context = contextLengthOf(rawConfig as Record<string, unknown>);
  const T = batch.ids[0]!.length;
  if (T > context) throw new CliError(`--tokens: input_ids rows have ${T} tokens, over the model's context of ${context} (config.json max_position_embeddings)`);
  const be = new CpuBackend();
  const weights = readBytes(modelDir, 'model.safetensors', '--model');
  const model = asCliError('--model', 'model.safetensors', () => loadLlama(be, config, weights, { nf4: args.nf4 }));
  attachAdapter(be, model, args.adapter);
  const result = await runForward(model, batch, { grad: args.grad });
  // Finite weights can still overflow f32 on the way (a norm gain of 3e38): say so instead of writing NaN.
  for (const [key, t] of result) {
    const bad = Array.prototype.findIndex.call(t.data, (v: number) => !Number.isFinite(v));
    if (bad >= 0) throw new CliError(`--model: the forward pass produced ${String(t.data[bad])} in ${key} (entry ${bad}): the weights overflow f32 activations; check the model's weights and norms`);
  }
  try {
    writeFileAtomic(args.out, writeSafetensors(result, { format: 'pt' }));
  } catch (e) {
    throw new CliError(`--out: cannot write ${args.out} (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  const loss = result.get('loss')?.data[0];
  const summary = {
    out: args.out,
    logits: result.get('logits')!.shape,
    ...(loss === undefined ? {} : { loss }),
    gradients: [...result.keys()].filter((k) => k !== 'logits' && k !== 'loss').length,
    nf4: args.nf4,
  };
  if (args.json) {
    printJson(summary);
    return;
  }
  console.log(`wrote ${args.out}: logits [${summary.logits.join(', ')}]${loss === undefined ? '' : `, loss ${loss.toFixed(6)}`}, ${summary.gradients} adapter gradients`);
}
