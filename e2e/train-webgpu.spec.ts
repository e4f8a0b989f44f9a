/**
 * Training on WebGPU that loses its device (the `webgpu` project: Chromium's SwiftShader
 * adapter): a DPT starts on WebGPU, the device is destroyed mid-run as a driver reset would
 * (`labDebug.loseTrainerDevice()`), and the job goes on on the CPU, says so, and finishes with
 * its model in the list of what this browser keeps.
 */
import { expect, test } from '@playwright/test';
import { freshLab, typeSweepSpec } from './lab-page.ts';

const APP = 'http://localhost:4173';
const SPEC = {
  name: 'train-gpu-loss', env: 'energy-mdp', params: { levels: 4, cost: 0.1 }, sweep: { param: 'horizon', values: [3] },
  policies: ['random', 'dpt'], testTasks: 2, episodes: 1, support: 2, seed: 0,
  training: { tasks: 8, dpt: { layers: 1, hidden: 8, epochs: 40, batch: 8 } },
};

test('a WebGPU training run that loses its device continues on the CPU and says so', async ({ page }) => {
  const errors = await freshLab(page, APP);
  await typeSweepSpec(page, SPEC);
  await page.getByRole('tab', { name: /Train/ }).click();
  await page.getByRole('radio', { name: /dpt/ }).check();
  await page.getByRole('button', { name: 'Start training' }).click();
  await expect(page.getByTestId('train-device')).toHaveText('webgpu', { timeout: 60_000 });
  const chart = page.getByTestId('loss-chart');
  await expect(chart).toHaveAttribute('data-points', /^([2-9]|\d\d+)$/, { timeout: 120_000 });
  expect(await page.evaluate(() => (globalThis as unknown as { labDebug: { loseTrainerDevice: () => Promise<boolean> } }).labDebug.loseTrainerDevice())).toBe(true);
  await expect(page.getByTestId('train-device')).toHaveText(/^cpu/, { timeout: 60_000 });
  await expect(page.getByRole('note')).toContainText('webgpu failed (the WebGPU device was lost');
  await expect(page.getByRole('note')).toContainText('continuing on cpu');
  await expect(page.getByTestId('train-status')).toContainText('finished', { timeout: 120_000 });
  await expect(page.getByTestId('trained-list')).toContainText('DPT');
  await page.screenshot({ path: 'e2e/screenshots/train-05-device-lost.png', fullPage: true });
  expect(errors).toEqual([]);
  await page.evaluate(() => localStorage.clear());
});
