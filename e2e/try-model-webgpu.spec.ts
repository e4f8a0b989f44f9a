/**
 * "Try the model" with the engine on WebGPU: the `webgpu` project (playwright.config.ts) gives
 * Chromium the SwiftShader adapter, so the model worker builds the tiny model on the WebGPU
 * backend and generate() runs its KV cache through the WGSL kernels. The page must show the
 * continuation the CPU backend computes in Node (the closest greedy margin on this model and
 * prompt is 2.7e-4 in probability, far above f32 rounding) and the same top-5 probabilities.
 */
import { expect, test } from '@playwright/test';
import { buildTestModel } from '../tests/fixtures/test-model.ts';
import { expectedTry, serveTinyModel, TRY_PROMPT } from './tiny-model.ts';

const APP = 'http://localhost:4173';

test('try the model on the WebGPU backend (SwiftShader) = the CPU backend', async ({ page, context }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await context.route(/huggingface\.co/, (route) => route.abort('internetdisconnected'));
  const tiny = await buildTestModel({ dtype: 'F16' });
  const expected = await expectedTry(tiny, TRY_PROMPT, 8);
  await serveTinyModel(context, tiny);
  await page.goto(`${APP}/`);
  await page.evaluate(() => localStorage.clear());
  await page.reload();
  await page.getByRole('tab', { name: /Model/ }).click();
  await page.getByRole('button', { name: 'Load model' }).click();
  await expect(page.getByTestId('model-loaded')).toContainText('e2e-tiny');
  await expect(page.getByTestId('model-facts')).toContainText('GPU backend');

  await page.getByRole('spinbutton', { name: 'Tokens to generate' }).fill('8');
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  await expect(page.getByTestId('try-caption')).toContainText('KV cache');
  expect(await page.getByTestId('try-continuation').textContent()).toBe(expected.text);
  const probs = (await page.getByTestId('try-top-prob').allTextContents()).map(Number);
  // Shown with 3 decimals: equal up to one step of the last digit.
  expect(probs).toHaveLength(5);
  probs.forEach((p, i) => expect(Math.abs(p - expected.next[i]!.prob)).toBeLessThanOrEqual(0.0005 + 1e-9));
  await page.screenshot({ path: 'e2e/screenshots/model-07-try-webgpu.png', fullPage: true });
  expect(errors).toEqual([]);
  await page.evaluate(() => localStorage.clear());
});
