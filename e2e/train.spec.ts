/**
 * Training on the person's device: an SFT adapter trains in the trainer worker with the loss chart
 * filling in, survives a reload mid-training (it continues from its last checkpoint), and a DPT
 * trains after it; both end up in the list of what this browser keeps.
 */
import { expect, test } from '@playwright/test';
import { freshLab, typeSweepSpec } from './lab-page.ts';

const SPEC = {
  name: 'train-tab', env: 'energy-mdp', params: { levels: 4, cost: 0.1 }, sweep: { param: 'horizon', values: [3] },
  policies: ['random', 'sft'], testTasks: 2, episodes: 1, support: 2, seed: 0,
  training: { tasks: 6, epochs: 3, batch: 4, microRows: 2, dpt: { layers: 1, hidden: 8, epochs: 3 } },
};

test('train an SFT adapter, reload mid-training and resume, then train a DPT', async ({ page }) => {
  const errors = await freshLab(page);
  await typeSweepSpec(page, SPEC);

  await page.getByRole('tab', { name: /Train/ }).click();
  await expect(page.getByTestId('train-plan')).toContainText('6 training tasks, 3 epochs');
  await page.getByRole('button', { name: 'Start training' }).click();
  const chart = page.getByTestId('loss-chart');
  await expect(chart).toHaveAttribute('data-points', /^([3-9]|\d\d+)$/, { timeout: 90_000 });
  const early = Number(await chart.getAttribute('data-points'));
  await expect(page.getByTestId('train-numbers')).toContainText('tokens/s');
  await expect(page.getByTestId('train-device')).toHaveText(/cpu/);
  // past the first checkpoint (every 5 steps), then a reload cuts the job off
  await expect.poll(async () => Number(await chart.getAttribute('data-points')), { timeout: 90_000 }).toBeGreaterThanOrEqual(Math.max(early, 7));
  await page.screenshot({ path: 'e2e/screenshots/train-01-sft-running.png', fullPage: true });
  await page.reload();
  await expect(page.getByTestId('train-status')).toContainText('interrupted');
  const kept = Number(await chart.getAttribute('data-points'));
  expect(kept).toBeGreaterThanOrEqual(5);
  await page.screenshot({ path: 'e2e/screenshots/train-02-interrupted.png', fullPage: true });
  await page.getByRole('button', { name: 'Resume' }).click();
  await expect(page.getByTestId('train-status')).toContainText('finished', { timeout: 120_000 });
  await expect(page.getByTestId('trained-list')).toContainText('SFT adapter (PEFT)');
  await page.screenshot({ path: 'e2e/screenshots/train-03-sft-done.png', fullPage: true });

  // Export the adapter as a zip, then import the zip back: a second adapter in the list.
  const list = page.getByTestId('trained-list');
  const [zip] = await Promise.all([page.waitForEvent('download'), list.getByRole('button', { name: /^Export SFT adapter/ }).click()]);
  expect(zip.suggestedFilename()).toMatch(/sft-adapter\.zip$/);
  await page.getByLabel(/Import a zip/).setInputFiles((await zip.path())!);
  await expect(page.getByRole('status').filter({ hasText: 'Imported SFT adapter (PEFT)' })).toBeVisible();
  await expect(list.locator('tbody tr').filter({ hasText: 'SFT adapter (PEFT)' })).toHaveCount(2);
  await expect(list).toContainText('imported');

  await page.getByRole('radio', { name: /dpt/ }).check();
  await page.getByRole('button', { name: 'Start training' }).click();
  await expect(page.getByTestId('train-status')).toContainText('finished', { timeout: 120_000 });
  await expect(page.getByTestId('trained-list')).toContainText('DPT model');
  await expect(chart).not.toHaveAttribute('data-points', '0');
  await page.screenshot({ path: 'e2e/screenshots/train-04-dpt-done.png', fullPage: true });
  expect(errors).toEqual([]);
  await page.evaluate(() => localStorage.clear());
});
