/**
 * `export-onnx --model DIR [--adapter DIR] --out DIR [--json]` (docs/models.md): a Llama model
 * folder, optionally with a PEFT LoRA adapter merged in, as an ONNX folder that
 * @huggingface/transformers loads (config.json, generation_config.json, onnx/model.onnx, and the
 * source's tokenizer files when it has them).
 */
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { exportLlamaOnnx, TOKENIZER_FILES } from '../../src/models/onnx/export.ts';
import { CpuBackend } from '../../src/nn/cpu/index.ts';
import { ModelFormatError, parseLlamaConfig } from '../../src/nn/llama-config.ts';
import { loadLlama } from '../../src/nn/llama.ts';
import { CliError, printJson, readJsonFile } from '../io.ts';
import { asCliError, assertNotAnInput, attachAdapter, folder, readBytes, writeFileAtomic } from '../model-io.ts';

export interface ExportOnnxArgs {
  model?: string;
  adapter?: string;
  out?: string;
  json: boolean;
}

export async function runExportOnnx(args: ExportOnnxArgs): Promise<void> {
  const modelDir = folder(args.model, '--model');
  const outDir = folder(args.out, '--out');
  // Writing into the source would replace its config.json with the exported one (symlinks resolved).
  assertNotAnInput('--out', outDir, [{ option: '--model', path: modelDir }, { option: '--adapter', path: args.adapter }]);
  const rawConfig = readJsonFile(join(modelDir, 'config.json'), '--model');
  const config = asCliError('--model', 'config.json', () => parseLlamaConfig(rawConfig));
  const be = new CpuBackend();
  const weights = readBytes(modelDir, 'model.safetensors', '--model');
  const model = asCliError('--model', 'model.safetensors', () => loadLlama(be, config, weights));
  attachAdapter(be, model, args.adapter);
  let files;
  try {
    files = await exportLlamaOnnx(model, { sourceConfig: rawConfig as Record<string, unknown>, ...(args.adapter ? { adapterNote: args.adapter } : {}) });
  } catch (e) {
    if (e instanceof ModelFormatError) throw new CliError(`--model: ${e.message}`);
    throw e;
  }
  const written: string[] = [];
  try {
    for (const [path, bytes] of files) {
      mkdirSync(dirname(join(outDir, path)), { recursive: true });
      writeFileAtomic(join(outDir, path), bytes);
      written.push(path);
    }
    for (const name of TOKENIZER_FILES) {
      if (!existsSync(join(modelDir, name))) continue;
      copyFileSync(join(modelDir, name), join(outDir, name));
      written.push(name);
    }
  } catch (e) {
    throw new CliError(`--out: cannot write ${outDir} (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  const summary = { out: outDir, files: written, onnxBytes: files.get('onnx/model.onnx')!.length, adapterMerged: args.adapter !== undefined };
  if (args.json) {
    printJson(summary);
    return;
  }
  console.log(`wrote ${outDir}: ${written.join(', ')} (model.onnx ${summary.onnxBytes} bytes${summary.adapterMerged ? ', adapter merged' : ''})`);
}
