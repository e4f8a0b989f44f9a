/**
 * The DPT in a browser sweep: a spec with `dpt` (set through the full-spec JSON editor, with a
 * tiny DPT so the test stays short) trains a Decision-Pretrained Transformer in the evaluator
 * worker (its training goes to the sweep's progress line; too quick here to be asserted) and
 * streams a `dpt` row beside the baselines. The tiny DPT plays badly; the point is the path.
 */
import { expect, test } from '@playwright/test';
import { freshLab, typeSweepSpec } from './lab-page.ts';

const SPEC = {
  name: 'dpt-in-the-browser', env: 'energy-mdp', params: { levels: 4, cost: 0.1 }, sweep: { param: 'horizon', values: [3] },
  policies: ['random', 'support-copy', 'dpt'], testTasks: 3, episodes: 2, support: 2, seed: 0,
  training: { tasks: 6, dpt: { layers: 1, hidden: 8, epochs: 3 } },
};

test('a sweep with dpt trains the DPT in the worker and adds its row beside the baselines', async ({ page }) => {
  const errors = await freshLab(page);
  await typeSweepSpec(page, SPEC);
  await expect(page.getByRole('alert', { name: 'Problems with the sweep spec' })).toHaveCount(0);
  const policies = page.getByRole('group', { name: 'Policies' });
  await expect(policies.getByRole('checkbox', { name: /^dpt\b/ })).toBeChecked();
  await page.getByRole('button', { name: 'Run sweep' }).click();
  await expect(page.getByTestId('run-status')).toContainText('finished', { timeout: 120_000 });
  const rows = page.getByTestId('rows-table').locator('tbody tr');
  await expect(rows).toHaveCount(3);
  await expect(page.getByTestId('rows-table')).toContainText('dpt');
  await page.screenshot({ path: 'e2e/screenshots/dpt-01-sweep.png', fullPage: true });
  expect(errors).toEqual([]);
  await page.evaluate(() => localStorage.clear());
});
