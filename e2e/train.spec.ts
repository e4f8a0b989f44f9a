/**
 * Training on the person's device: an SFT adapter trains in the trainer worker with the loss chart
 * filling in, survives a reload mid-training (it continues from its last checkpoint), pauses and
 * takes a new learning-rate factor without a reset, and a DPT trains after it; both end up in the
 * list of what this browser keeps.
 */
import { expect, test } from '@playwright/test';
import { freshLab, typeSweepSpec } from './lab-page.ts';

const SPEC = {
  name: 'train-tab', env: 'energy-mdp', params: { levels: 4, cost: 0.1 }, sweep: { param: 'horizon', values: [3] },
  policies: ['random', 'sft'], testTasks: 2, episodes: 1, support: 2, seed: 0,
  training: { tasks: 6, epochs: 3, batch: 4, microRows: 2, dpt: { layers: 1, hidden: 8, epochs: 3 } },
};

test('train an SFT adapter, reload mid-training and resume, pause and lower the learning rate, then train a DPT', async ({ page }) => {
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

  // Pause, lower the learning rate a hundredfold, resume: the steps after it run at the new rate.
  const lrNow = async () => Number((await page.getByTestId('train-lr-now').textContent())?.replace(/^.*learning rate /, ''));
  await expect(page.getByTestId('train-lr-now')).toBeVisible({ timeout: 60_000 });
  const lrBefore = await lrNow();
  expect(lrBefore).toBeGreaterThan(0);
  await page.getByRole('button', { name: 'Pause' }).click();
  await expect(page.getByTestId('train-status')).toContainText('paused');
  const pausedAt = Number(await chart.getAttribute('data-points'));
  await page.getByLabel('Learning-rate factor').fill('0.01');
  await page.getByRole('button', { name: 'Resume' }).click();
  await expect.poll(lrNow, { timeout: 60_000 }).toBeLessThan(0.05 * lrBefore);
  await page.screenshot({ path: 'e2e/screenshots/train-025-lr-lowered.png', fullPage: true });
  await page.getByLabel('Learning-rate factor').fill('1');

  await expect(page.getByTestId('train-status')).toContainText('finished', { timeout: 120_000 });
  expect(Number(await chart.getAttribute('data-points'))).toBeGreaterThan(pausedAt);
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

  // A second SFT run (57 steps, seconds), cancelled: no new adapter is kept. Then the imported adapter is deleted.
  await page.getByRole('radio', { name: /sft/ }).check();
  await page.getByRole('button', { name: 'Start training' }).click();
  await page.getByRole('button', { name: 'Cancel' }).click();
  await expect(page.getByTestId('train-status')).toContainText('cancelled');
  await expect(list.locator('tbody tr').filter({ hasText: 'SFT adapter (PEFT)' })).toHaveCount(2);
  await list.locator('tbody tr').filter({ hasText: 'imported' }).getByRole('button', { name: /^Delete/ }).click();
  await expect(list.locator('tbody tr').filter({ hasText: 'SFT adapter (PEFT)' })).toHaveCount(1);
  expect(errors).toEqual([]);
  await page.evaluate(() => localStorage.clear());
});
