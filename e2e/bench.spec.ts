/**
 * The engine bench tab where the browser has no usable WebGPU (this project runs Chromium with
 * --disable-gpu): it must say so plainly instead of failing. With WebGPU it is covered by
 * e2e/webgpu.spec.ts.
 */
import { expect, test } from '@playwright/test';

test('the engine bench explains itself when there is no WebGPU', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto('/');
  await page.getByRole('tab', { name: /Engine bench/ }).click();
  await expect(page.getByRole('heading', { name: /Engine bench/ })).toBeVisible();
  // Either outcome is a clear state; which one depends on the flags, so print it.
  const none = page.getByTestId('bench-no-webgpu');
  const adapter = page.getByTestId('bench-adapter');
  await expect(none.or(adapter)).toBeVisible();
  console.log(`bench tab without GPU: ${(await none.or(adapter).textContent()) ?? ''}`);
  await page.screenshot({ path: 'e2e/screenshots/bench-tab.png', fullPage: true });
  await page.evaluate(() => localStorage.clear()); // the lab's tests start from the first tab
  expect(errors).toEqual([]);
});
