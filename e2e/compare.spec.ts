/**
 * A teacher's comparison: a tiny sweep with icl, sft and dpt trains an SFT adapter and a DPT (kept
 * in the browser) and charts the three beside random; then ICL, SFT, DPT and the oracle play the same episode of one task side by side; stepping
 * with buttons and keys shows each policy's action probabilities and where it leaves the oracle.
 */
import { expect, test } from '@playwright/test';
import { freshLab, typeSweepSpec } from './lab-page.ts';

const SPEC = {
  name: 'train-for-compare', env: 'energy-mdp', params: { levels: 4, cost: 0.1 }, sweep: { param: 'horizon', values: [3] },
  policies: ['random', 'icl', 'sft', 'dpt'], testTasks: 2, episodes: 1, support: 2, seed: 0,
  training: { tasks: 4, epochs: 1, dpt: { layers: 1, hidden: 8, epochs: 2 } },
};

test('train sft and dpt in a sweep, then compare icl, sft, dpt and the oracle step by step', async ({ page }) => {
  const errors = await freshLab(page);
  await typeSweepSpec(page, SPEC);
  const policies = page.getByRole('group', { name: 'Policies' });
  for (const p of ['icl', 'sft', 'dpt']) await expect(policies.getByRole('checkbox', { name: new RegExp(`^${p}\\b`) })).toBeChecked();
  await page.getByRole('button', { name: 'Run sweep' }).click();
  await expect(page.getByTestId('run-status')).toContainText('finished', { timeout: 170_000 });
  // the sweep's rows: the three language-model-era policies beside random, on the gap chart
  const rows = page.getByTestId('rows-table').locator('tbody tr');
  await expect(rows).toHaveCount(4);
  for (const p of ['icl', 'sft', 'dpt']) await expect(page.getByTestId('rows-table')).toContainText(p);
  await page.screenshot({ path: 'e2e/screenshots/compare-00-sweep.png', fullPage: true });

  await page.getByRole('tab', { name: /Task & episode/ }).click();
  await page.getByRole('textbox', { name: /Battery levels/ }).fill('4');
  await page.getByRole('textbox', { name: /^Horizon/ }).fill('3');
  await page.getByRole('button', { name: 'Sample task' }).click();
  await expect(page.getByTestId('oracle-return')).toHaveText(/\d/);

  await page.getByRole('tab', { name: /Compare/ }).click();
  await expect(page.getByTestId('compare-task')).toContainText('horizon 3');
  await expect(page.getByLabel('Adapter for sft')).toContainText('horizon=3');
  await expect(page.getByLabel('Model for dpt')).toContainText('horizon=3');
  await page.getByRole('button', { name: 'Run comparison' }).click();
  await expect(page.getByTestId('compare-step')).toHaveText('Step 1 of 3', { timeout: 60_000 });
  for (const p of ['icl', 'sft', 'dpt', 'oracle']) await expect(page.getByTestId(`card-${p}`)).toBeVisible();
  // language models and the DPT state a distribution; the oracle takes its own action
  await expect(page.getByTestId('card-icl').getByRole('list', { name: 'Action probabilities' })).toContainText(/0\.\d\d/);
  await expect(page.getByTestId('card-dpt').getByRole('list', { name: 'Action probabilities' })).toContainText(/0\.\d\d/);
  await expect(page.getByTestId('card-oracle')).toContainText('= oracle');
  await page.screenshot({ path: 'e2e/screenshots/compare-01-step1.png', fullPage: true });

  await page.getByRole('button', { name: 'Forward ▶' }).click();
  await expect(page.getByTestId('compare-step')).toHaveText('Step 2 of 3');
  await page.keyboard.press('End');
  await expect(page.getByTestId('compare-step')).toHaveText('Step 3 of 3');
  await page.getByLabel('Large type (for a projector)').check();
  await page.screenshot({ path: 'e2e/screenshots/compare-02-large.png', fullPage: true });
  expect(errors).toEqual([]);
  await page.evaluate(() => localStorage.clear());
});
