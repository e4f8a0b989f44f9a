/**
 * WebGPU kernels against the CPU backend in headless Chromium (DESIGN §8, tier 2). The adapter
 * is SwiftShader (software, ~0.2 GFLOP/s, no shader-f16), so shapes are tiny. The page
 * (e2e/webgpu/parity.ts) computes; this file asserts. Runs as the `webgpu` project of
 * playwright.config.ts, which has its own launch flags and dev server.
 *
 * Relative error of a tensor: max|gpu − cpu| / max(max|cpu|, 1e-6). Measured on SwiftShader:
 * kernels ≤ 6.2e-7, one whole LoRA training step ≤ 2.3e-6 (parameters after AdamW).
 */
import { expect, test, type Page } from '@playwright/test';

const TOL = 1e-4;

test.describe.configure({ mode: 'serial' });

let page: Page;

test.beforeAll(async ({ browser }) => {
  page = await browser.newPage();
  page.on('pageerror', (e) => console.log(`pageerror: ${e.message}`));
  await page.goto('/parity.html');
  await page.waitForFunction(() => document.body.dataset.ready === 'true');
});

test.afterAll(async () => {
  await page.close();
});

test('Chromium offers a WebGPU adapter', async () => {
  const info = await page.evaluate(() => window.parity.info());
  console.log(`WebGPU adapter: ${JSON.stringify(info)}`);
  expect(info, 'navigator.gpu.requestAdapter() returned no adapter; see the webgpu project flags').not.toBeNull();
});

test('every kernel matches the CPU backend within 1e-4 relative error', async () => {
  const errors = await page.evaluate(() => window.parity.kernels());
  const worst = Object.entries(errors).sort((a, b) => b[1] - a[1]);
  console.log(`kernel parity (${worst.length} cases):\n${worst.map(([k, v]) => `  ${k}: ${v.toExponential(2)}`).join('\n')}`);
  for (const [name, err] of worst) expect(err, name).toBeLessThanOrEqual(TOL);
  // Bit for bit: the dropout mask (same hash, same threshold) and NF4 dequantization.
  expect(errors['dropoutMask']).toBe(0);
  expect(errors['nf4Dequantize']).toBe(0); // one correctly rounded f32 multiply on both sides
});

for (const nf4 of [false, true]) {
  test(`one whole LoRA training step of the LlamaModel (${nf4 ? 'NF4' : 'f32'} base) matches parameter by parameter`, async () => {
    const r = await page.evaluate((q) => window.parity.trainStepParity(q), nf4);
    console.log(`training step parity (${nf4 ? 'nf4' : 'f32'}): ${JSON.stringify(r)}`);
    expect(r.tensors).toBeGreaterThan(0);
    expect(r.loss.rel).toBeLessThanOrEqual(TOL);
    expect(r.gradNorm.rel).toBeLessThanOrEqual(TOL);
    expect(r.grads).toBeLessThanOrEqual(TOL);
    expect(r.params).toBeLessThanOrEqual(TOL);
  });
}

test('one whole DPT training step (every parameter) matches parameter by parameter', async () => {
  const r = await page.evaluate(() => window.parity.dptStepParity());
  console.log(`DPT step parity: ${JSON.stringify(r)}`);
  expect(r.tensors).toBe(1 + 2 * 9 + 2);
  expect(r.loss.rel).toBeLessThanOrEqual(TOL);
  expect(r.gradNorm.rel).toBeLessThanOrEqual(TOL);
  expect(r.grads).toBeLessThanOrEqual(TOL);
  expect(r.params).toBeLessThanOrEqual(TOL);
});

test('a LoRA fine-tune on WebGPU drives the copy-task loss down', async () => {
  const losses = await page.evaluate(() => window.parity.finetune(24));
  const mean = (a: number[]): number => a.reduce((s, x) => s + x, 0) / a.length;
  const first = mean(losses.slice(0, 5));
  const last = mean(losses.slice(-5));
  console.log(`WebGPU fine-tune: loss ${first.toFixed(3)} -> ${last.toFixed(3)} over ${losses.length} steps`);
  expect(losses.every(Number.isFinite)).toBe(true);
  expect(last).toBeLessThan(0.75 * first); // measured: 2.13 -> ~0.9
});

test('the bench runs a training step on WebGPU and counts its matmul FLOPs', async () => {
  const r = await page.evaluate(() => window.parity.bench());
  console.log(`bench (toy size, SwiftShader): ${r.tokensPerSecond.toFixed(0)} tokens/s, ${r.gflops.toFixed(3)} GFLOP/s`);
  expect(r.gflopPerStep).toBeGreaterThan(0);
  expect(Number.isFinite(r.tokensPerSecond) && r.tokensPerSecond > 0).toBe(true);
  expect(Number.isFinite(r.finalLoss)).toBe(true);
});

test('the app has an engine bench tab that finds the adapter', async ({ browser }) => {
  const app = await browser.newPage();
  const errors: string[] = [];
  app.on('pageerror', (e) => errors.push(e.message));
  await app.goto('http://localhost:4173/');
  await app.getByRole('tab', { name: /Engine bench/ }).click();
  await expect(app.getByTestId('bench-adapter')).toContainText('swiftshader');
  await expect(app.getByRole('button', { name: 'Run bench' })).toBeEnabled();
  expect(errors).toEqual([]);
  await app.close();
});
