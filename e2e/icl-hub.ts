/**
 * Shared by e2e/icl.spec.ts (wasm) and e2e/icl-webgpu.spec.ts (WebGPU): the tiny test model's
 * ONNX export served as a hub repo on the app's own origin, and one ICL step driven through the
 * Model tab.
 */
import { expect, type BrowserContext, type Page } from '@playwright/test';
import { onnxFolderFiles } from '../tests/fixtures/onnx-folder.ts';
import { buildTestModel } from '../tests/fixtures/test-model.ts';

export type Repos = Map<string, Map<string, Uint8Array>>;

/** The tiny test model's ONNX export as `lab/tiny-onnx`, and its safetensors folder (no onnx/) as `lab/tiny-safetensors`. */
export async function e2eRepos(): Promise<Repos> {
  const tiny = await buildTestModel({ config: { max_position_embeddings: 1024 } });
  return new Map([
    ['lab/tiny-onnx', await onnxFolderFiles(tiny.model, tiny.config, tiny.files)],
    ['lab/tiny-safetensors', tiny.files],
  ]);
}

/** Serves `repos` at `<origin>/e2e-hub/<org>/<name>/resolve/main/<file>` as the hub does (Range probes answered 206). */
export async function serveHub(context: BrowserContext, repos: Repos): Promise<void> {
  await context.route('**/e2e-hub/**', (route) => {
    const m = /\/e2e-hub\/([^/]+\/[^/]+)\/resolve\/main\/(.+)$/.exec(new URL(route.request().url()).pathname);
    const body = m ? repos.get(m[1]!)?.get(decodeURIComponent(m[2]!)) : undefined;
    if (!body) return route.fulfill({ status: 404, body: 'Entry not found' });
    const range = /^bytes=(\d+)-(\d+)$/.exec(route.request().headers()['range'] ?? '');
    if (range) {
      const start = Number(range[1]);
      const end = Math.min(Number(range[2]), body.byteLength - 1);
      return route.fulfill({ status: 206, body: Buffer.from(body.subarray(start, end + 1)), headers: { 'content-range': `bytes ${start}-${end}/${body.byteLength}`, 'content-length': String(end - start + 1) } });
    }
    return route.fulfill({ status: 200, body: Buffer.from(body), headers: { 'content-type': 'application/octet-stream', 'content-length': String(body.byteLength) } });
  });
}

/**
 * Samples a one-step energy task, loads `lab/tiny-onnx` from the e2e hub on `device`, runs one
 * ICL episode and checks the shown choice; returns the three actions' log-probabilities.
 */
export async function oneIclStep(page: Page, origin: string, device: 'auto' | 'wasm' | 'webgpu'): Promise<number[]> {
  await page.getByRole('textbox', { name: /^Horizon/ }).fill('1');
  await page.getByRole('button', { name: 'Sample task' }).click();
  await expect(page.getByTestId('oracle-return')).toHaveText(/\d/);
  await page.getByRole('tab', { name: /Model/ }).click();
  await page.getByText('Advanced: hub address and size limit').click();
  await page.getByRole('textbox', { name: 'Hub address' }).fill(`${origin}/e2e-hub/`);
  await page.getByRole('textbox', { name: 'ONNX repository' }).fill('lab/tiny-onnx');
  await page.getByRole('combobox', { name: 'Device' }).selectOption(device);
  await page.getByRole('button', { name: 'Load ONNX model' }).click();
  await expect(page.getByTestId('icl-loaded-id')).toHaveText('lab/tiny-onnx');
  await expect(page.getByTestId('icl-download-percent')).toHaveText('100 %');
  await page.getByRole('button', { name: 'Run ICL' }).click();
  const chosen = page.getByTestId('icl-action-1');
  await expect(chosen).toHaveText(/^(charge|charge′|work) \([0-2]\)$/);
  // The chosen action is the most probable of the three shown (lowest index on ties).
  const logps = await Promise.all([0, 1, 2].map(async (a) => Number(await page.getByTestId(`icl-logp-1-${a}`).getAttribute('data-logp'))));
  expect(logps.every((x) => Number.isFinite(x) && x < 0)).toBe(true);
  const best = logps.indexOf(Math.max(...logps));
  await expect(chosen).toHaveText(new RegExp(`\\(${best}\\)$`));
  return logps;
}

