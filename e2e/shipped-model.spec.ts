/**
 * The shipped model as a new user meets it, offline: public/models/index.json lists it, the Model
 * tab loads it from the lab's own server (no route mocking: the real files of public/models/), and
 * "Try the model" shows it copying a sequence it has never seen — the in-context ability the ICL
 * baseline rests on. The hub is routed to fail, so nothing leaves the machine.
 */
import { type BrowserContext, expect, type Page, test } from '@playwright/test';
import { SHIPPED_MODEL_NAME } from '../src/models/pretrain/card.ts';

/** A fresh lab (nothing stored) with the hub unreachable; collects page errors. */
async function freshOffline(page: Page, context: BrowserContext): Promise<string[]> {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await context.route(/huggingface\.co/, (route) => route.abort('internetdisconnected'));
  await page.goto('/');
  await page.evaluate(() => localStorage.clear());
  await page.reload();
  return errors;
}

test('the shipped model loads from public/models and copies a fresh sequence in the browser', async ({ page, context }) => {
  const errors = await freshOffline(page, context);
  await page.getByRole('tab', { name: /Model/ }).click();
  await expect(page.getByRole('combobox', { name: 'Model' })).toHaveValue(SHIPPED_MODEL_NAME);
  await page.getByRole('button', { name: 'Load model' }).click();
  await expect(page.getByTestId('model-loaded')).toContainText(SHIPPED_MODEL_NAME, { timeout: 60_000 });
  await expect(page.getByTestId('model-download-percent')).toHaveText('100 %');

  const seq = 'Kim 358 x36 Paul k21 fovi 7';
  await page.getByLabel('Prompt').fill(`copy: ${seq}\nagain: `);
  await page.getByLabel('Tokens to generate').fill('24');
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  await expect(page.getByTestId('try-continuation')).toContainText(seq, { timeout: 60_000 });
  await expect(page.getByTestId('try-top')).toBeVisible();
  await page.screenshot({ path: 'e2e/screenshots/shipped-01-copies.png', fullPage: true });
  expect(errors).toEqual([]);
  await page.evaluate(() => localStorage.clear());
});

test('icl runs in a browser sweep on the shipped model, with its rows beside the baselines', async ({ page, context }) => {
  const errors = await freshOffline(page, context);
  await page.getByRole('tab', { name: /Sweep/ }).click();
  await page.getByLabel('Example experiment').selectOption('gap-vs-horizon');
  await page.getByLabel('Values').fill('5');
  await page.getByLabel('Test tasks').fill('3');
  await page.getByLabel('Episodes per task').fill('2');
  const policies = page.getByRole('group', { name: 'Policies' });
  for (const name of ['oracle', 'ce-planning']) await policies.getByRole('checkbox', { name: new RegExp(`^${name}\\b`) }).uncheck();
  await policies.getByRole('checkbox', { name: /^icl\b/ }).check();
  await expect(page.getByRole('alert', { name: 'Problems with the sweep spec' })).toHaveCount(0);
  await page.getByRole('button', { name: 'Run sweep' }).click();
  await expect(page.getByTestId('run-status')).toContainText('finished', { timeout: 120_000 });
  const rows = page.getByTestId('rows-table').locator('tbody tr');
  await expect(rows).toHaveCount(3); // random, support-copy, icl at H = 5
  await expect(page.getByTestId('rows-table')).toContainText('icl');
  await page.screenshot({ path: 'e2e/screenshots/shipped-02-icl-sweep.png', fullPage: true });
  expect(errors).toEqual([]);
  await page.evaluate(() => localStorage.clear());
});
