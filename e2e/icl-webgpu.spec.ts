/**
 * One ICL step with device WebGPU: the `webgpu` project (playwright.config.ts) launches Chromium
 * with the SwiftShader adapter, so onnxruntime-web's WebGPU execution provider runs the tiny
 * ONNX export in software. Same flow and checks as e2e/icl.spec.ts (wasm), against the built app
 * on :4173 (this project's own base URL serves the kernel parity page).
 */
import { expect, test } from '@playwright/test';
import { e2eRepos, oneIclStep, serveHub } from './icl-hub.ts';

const APP = 'http://localhost:4173';

test('an ONNX export takes one ICL step on WebGPU (SwiftShader)', async ({ page, context }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await context.route(/huggingface\.co|cdn\.jsdelivr\.net/, (route) => route.abort('internetdisconnected'));
  await serveHub(context, await e2eRepos());
  await page.goto(`${APP}/`);
  await page.evaluate(() => localStorage.clear());
  await page.reload();
  await page.getByRole('tab', { name: /Model/ }).click();
  // 'auto' resolves to WebGPU when the worker finds an adapter.
  await expect(page.getByRole('combobox', { name: 'Device' }).locator('option[value="auto"]')).toHaveText('auto (WebGPU here)');
  await page.getByRole('tab', { name: /Task & episode/ }).click();
  const gpu = await oneIclStep(page, APP, 'webgpu');
  await expect(page.getByTestId('icl-device-used')).toHaveText('WebGPU');
  await page.screenshot({ path: 'e2e/screenshots/icl-03-webgpu.png', fullPage: true });

  // The same decision on WebAssembly: the GPU computed the same distribution.
  await page.getByRole('combobox', { name: 'Device' }).selectOption('wasm');
  await page.getByRole('button', { name: 'Load ONNX model' }).click();
  await expect(page.getByTestId('icl-device-used')).toHaveText('WebAssembly (CPU)');
  await page.getByRole('button', { name: 'Run ICL' }).click();
  await expect(page.getByTestId('icl-results')).toContainText('wasm');
  const cpu = await Promise.all([0, 1, 2].map(async (a) => Number(await page.getByTestId(`icl-logp-1-${a}`).getAttribute('data-logp'))));
  console.log(`ICL log-probs, WebGPU ${JSON.stringify(gpu)} vs wasm ${JSON.stringify(cpu)}`);
  for (const [a, lp] of gpu.entries()) expect(Math.abs(lp - cpu[a]!)).toBeLessThanOrEqual(1e-4);
  expect(errors).toEqual([]);
  await page.evaluate(() => localStorage.clear());
});
