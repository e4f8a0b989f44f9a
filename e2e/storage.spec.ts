/**
 * What the browser keeps, under pressure: storage that is full, reloads in the middle of a sweep
 * and of a training run, and saved settings that are broken. Nothing a person made may be lost
 * without their being told, and no control may freeze.
 *
 * "Full" is made for real: localStorage is filled with filler keys until the browser refuses a
 * write, and the origin's IndexedDB quota is lowered through the DevTools protocol
 * (Storage.overrideQuotaForOrigin) to less than one run needs, so the browser itself refuses
 * the writes with QuotaExceededError.
 */
import { expect, test, type Page } from '@playwright/test';

const shot = (page: Page, name: string) => page.screenshot({ path: `e2e/screenshots/${name}.png`, fullPage: true });

let pageErrors: string[] = [];

test.beforeEach(async ({ page }) => {
  pageErrors = [];
  page.on('pageerror', (e) => pageErrors.push(`pageerror: ${e.message}`));
  await page.goto('/');
});

test.afterEach(() => {
  expect(pageErrors).toEqual([]);
});

async function setSpec(page: Page, spec: object): Promise<void> {
  await page.getByRole('tab', { name: /Sweep/ }).click();
  await page.getByText('Full spec (JSON)').click();
  await page.getByLabel('Experiment spec as JSON').fill(JSON.stringify(spec, null, 2));
  await expect(page.getByRole('alert', { name: 'Problems with the sweep spec' })).toHaveCount(0);
}

const QUICK_SWEEP = {
  name: 'when-storage-is-full', env: 'energy-mdp', params: { levels: 4 }, sweep: { param: 'horizon', values: [3, 4] },
  policies: ['random', 'support-copy'], testTasks: 3, episodes: 2, support: 1, seed: 0,
};

test('with storage full, sampling a task and a sweep both finish, and the person is told what was not saved', async ({ page }) => {
  // IndexedDB: a quota smaller than one run record.
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Storage.overrideQuotaForOrigin', { origin: new URL(page.url()).origin, quotaSize: 256 });
  // localStorage: filled until the browser refuses pieces of 1 MB, then smaller ones down to 16 bytes.
  const filled = await page.evaluate(() => {
    let n = 0;
    for (const size of [1 << 20, 1 << 16, 1 << 12, 1 << 8, 1 << 4]) {
      for (;;) {
        try {
          localStorage.setItem(`filler-${n++}`, 'x'.repeat(size));
        } catch {
          break;
        }
      }
    }
    return n;
  });
  expect(filled).toBeGreaterThan(3);

  await page.getByRole('button', { name: 'Sample task' }).click();
  await expect(page.getByTestId('oracle-return')).toHaveText(/\d/);
  await expect(page.getByRole('button', { name: 'Sample task' })).toBeEnabled();
  await expect(page.getByTestId('storage-notice')).toContainText('The latest change to your settings — browser storage is full');

  await setSpec(page, QUICK_SWEEP);
  await page.getByRole('button', { name: 'Run sweep' }).click();
  await expect(page.getByTestId('run-status')).toContainText('finished', { timeout: 60_000 });
  await expect(page.getByTestId('rows-table').locator('tbody tr')).toHaveCount(4);
  await expect(page.getByRole('button', { name: 'Run sweep' })).toBeEnabled();
  await expect(page.getByTestId('storage-notice')).toContainText('The run "when-storage-is-full" and its rows — browser storage is full');
  await expect(page.getByTestId('storage-notice')).toContainText('The latest change to your settings — browser storage is full');
  await expect(page.getByTestId('storage-notice')).toContainText('Saved data');
  await shot(page, 'storage-01-full');

  // The saved-data list, where the notice points, says the run on screen is not stored.
  await page.getByText(/^Saved data/).click();
  await expect(page.getByTestId('saved-runs')).toContainText('not saved');
  await page.getByRole('button', { name: 'Dismiss' }).first().click();
  await expect(page.getByTestId('storage-notice')).toHaveCount(0);
});

test('a reload during a sweep keeps the finished rows, marked as interrupted', async ({ page }) => {
  await setSpec(page, { ...QUICK_SWEEP, name: 'reloaded-mid-sweep', sweep: { param: 'horizon', values: [3, 4, 5, 6, 7, 8, 9, 10] }, testTasks: 12, episodes: 20 });
  await page.getByRole('button', { name: 'Run sweep' }).click();
  const rows = page.getByTestId('rows-table').locator('tbody tr');
  await expect(rows).not.toHaveCount(0, { timeout: 60_000 });
  await expect(page.getByTestId('run-status')).toContainText('running');
  const before = await rows.count();
  await page.reload();
  await expect(page.getByTestId('run-status')).toContainText('interrupted by a reload');
  const after = await rows.count();
  // Every row that was on screen was saved (a row that arrived in the moment of the reload may be one more).
  expect(after).toBeGreaterThanOrEqual(before);
  expect(after).toBeLessThan(16);
  await expect(page.getByRole('button', { name: 'Run sweep' })).toBeEnabled();
  await shot(page, 'storage-02-reloaded-sweep');
});

test('a reload during SFT training keeps its saved checkpoint, listed with its step and exportable', async ({ page }) => {
  await setSpec(page, {
    name: 'reloaded-mid-training', env: 'energy-mdp', params: { levels: 4 }, sweep: { param: 'horizon', values: [3] },
    policies: ['sft'], testTasks: 2, episodes: 1, support: 1, seed: 0,
    training: { tasks: 4, epochs: 5, batch: 1, microRows: 1, nf4: false },
  });
  await page.getByRole('button', { name: 'Run sweep' }).click();
  await page.getByText(/^Saved data/).click();
  const artifacts = page.getByTestId('saved-artifacts');
  await expect(artifacts).toContainText('SFT checkpoint', { timeout: 120_000 });
  await expect(page.getByRole('group', { name: 'Sweep progress' })).toContainText('training sft');
  const step = Number((await artifacts.locator('tbody tr').first().locator('td').nth(3).textContent())?.split(' of ')[0]);
  expect(step).toBeGreaterThanOrEqual(20);
  await page.reload();

  await page.getByText(/^Saved data/).click();
  await expect(artifacts).toContainText('SFT checkpoint');
  await expect(artifacts).toContainText('reloaded-mid-training · horizon=3');
  const saved = Number((await artifacts.locator('tbody tr').first().locator('td').nth(3).textContent())?.split(' of ')[0]);
  expect(saved).toBeGreaterThanOrEqual(step);
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: /Export SFT checkpoint .* as a zip/ }).click();
  expect((await download).suggestedFilename()).toBe('reloaded-mid-training-horizon-3-sft-checkpoint.zip');
  await shot(page, 'storage-03-reloaded-training');
});

test('broken saved settings reset only their own panel, and the person is told', async ({ page }) => {
  // Written before the app starts (the app saves its settings once it has read its runs).
  await page.addInitScript(() => {
    if (sessionStorage.getItem('seeded')) return;
    sessionStorage.setItem('seeded', '1');
    localStorage.setItem('decision-lab', JSON.stringify({ state: { tab: 'model', modelChoice: null, seed: '77' }, version: 1 }));
  });
  await page.reload();
  await expect(page.getByTestId('recovery-notice')).toContainText('The saved settings of the model panel could not be read and were reset');
  await expect(page.getByRole('tab', { name: /Model/ })).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByRole('alert').filter({ hasText: 'Something went wrong' })).toHaveCount(0);
  await page.getByRole('tab', { name: /Task & episode/ }).click();
  await expect(page.getByLabel('Seed', { exact: true })).toHaveValue('77');
});
