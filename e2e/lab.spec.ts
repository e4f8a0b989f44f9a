/**
 * A first-time student's path through the lab: configure a POMDP, get a bad value refused,
 * sample a task, run and step through an oracle episode, run a sweep and watch it fill in,
 * cancel one, reload and find everything still there. Screenshots of every stage go to
 * e2e/screenshots/ for a human to look at.
 */
import { expect, test, type Page } from '@playwright/test';

const shot = (page: Page, name: string) => page.screenshot({ path: `e2e/screenshots/${name}.png`, fullPage: true });

async function stepCounter(page: Page): Promise<string> {
  return (await page.getByTestId('step-counter').textContent()) ?? '';
}

/** Errors the page reported (uncaught exceptions, console errors, failed loads): a person's session must have none. */
let pageErrors: string[] = [];

test.beforeEach(async ({ page }) => {
  pageErrors = [];
  page.on('pageerror', (e) => pageErrors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') pageErrors.push(`console: ${m.text()}`);
  });
  await page.goto('/');
  await page.evaluate(() => localStorage.clear());
  await page.reload();
});

test.afterEach(() => {
  expect(pageErrors).toEqual([]);
});

test('configure, step through an episode, sweep, cancel, reload', async ({ page }) => {
  await expect(page.getByRole('heading', { name: 'Decision Lab' })).toBeVisible();
  await shot(page, '01-start');

  // Environment: energy-pomdp, a bad q is refused with the field and its range named.
  await page.getByRole('combobox', { name: 'Environment' }).selectOption('energy-pomdp');
  const q = page.getByRole('textbox', { name: /Observation accuracy/ });
  await q.fill('1.5');
  const qError = page.locator('#param-q-error');
  await expect(qError).toContainText('params.q');
  await expect(qError).toContainText('[0, 1]');
  await expect(qError).toContainText('1.5');
  await expect(q).toHaveAttribute('aria-invalid', 'true');
  await shot(page, '02-invalid-q');

  // A small task so the exact oracle is quick on a slow machine.
  await q.fill('0.8');
  await expect(qError).toHaveCount(0);
  await page.getByRole('textbox', { name: /Battery levels/ }).fill('5');
  await page.getByRole('textbox', { name: /^Horizon/ }).fill('5');
  await page.getByRole('textbox', { name: 'Seed' }).fill('7');
  await page.getByRole('button', { name: 'Sample task' }).click();
  await expect(page.getByTestId('oracle-return')).toHaveText(/\d/);
  await expect(page.getByTestId('oracle-bound')).toHaveText(/\d/);
  await shot(page, '03-task');

  // An oracle episode, stepped with buttons and keys.
  await page.getByLabel('Policy').selectOption('oracle');
  await page.getByRole('button', { name: 'Run episode' }).click();
  await expect(page.getByTestId('step-counter')).toHaveText('Step 1 of 5');
  const belief = page.getByTestId('belief-chart').first();
  await expect(belief).toBeVisible();
  const b1 = await belief.getAttribute('data-belief');
  await page.getByRole('button', { name: 'Next step' }).click();
  await expect(page.getByTestId('step-counter')).toHaveText('Step 2 of 5');
  const b2 = await belief.getAttribute('data-belief');
  expect(b2).not.toEqual(b1); // the belief is filtered anew at each step
  await page.getByRole('button', { name: 'Previous step' }).click();
  await expect(page.getByTestId('step-counter')).toHaveText('Step 1 of 5');
  expect(await belief.getAttribute('data-belief')).toEqual(b1);

  await page.getByRole('button', { name: 'Next step' }).focus();
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  await expect(page.getByTestId('step-counter')).toHaveText('Step 3 of 5');
  await page.keyboard.press('End');
  await expect(page.getByTestId('step-counter')).toHaveText('Step 5 of 5');
  await page.keyboard.press('ArrowRight'); // stays on the last step
  expect(await stepCounter(page)).toBe('Step 5 of 5');
  await page.keyboard.press('Home');
  await expect(page.getByTestId('step-counter')).toHaveText('Step 1 of 5');
  await page.keyboard.press('ArrowRight');
  await expect(page.getByTestId('action')).toHaveText(/^(charge|charge′|work)$/);
  await shot(page, '04-episode');

  // A small sweep: gap against horizon, rows streaming into the chart.
  await page.getByRole('tab', { name: /Sweep/ }).click();
  await page.getByLabel('Example experiment').selectOption('gap-vs-horizon');
  await page.getByLabel('Values').fill('3, 6, 10, 15');
  await page.getByLabel('Test tasks').fill('4');
  await page.getByLabel('Episodes per task').fill('10');
  await expect(page.getByRole('alert', { name: 'Problems with the sweep spec' })).toHaveCount(0);
  // Record every row count the table goes through, to see rows arrive progressively.
  await page.evaluate(() => {
    const seen: number[] = [];
    (window as unknown as { rowCounts: number[] }).rowCounts = seen;
    new MutationObserver(() => {
      const n = document.querySelectorAll('[data-testid=rows-table] tbody tr').length;
      if (seen[seen.length - 1] !== n) seen.push(n);
    }).observe(document.body, { childList: true, subtree: true });
  });
  await page.getByRole('button', { name: 'Run sweep' }).click();
  await expect(page.getByTestId('run-status')).toContainText('finished', { timeout: 60_000 });
  const rows = page.getByTestId('rows-table').locator('tbody tr');
  await expect(rows).toHaveCount(16); // 4 horizons × 4 policies
  const counts = await page.evaluate(() => (window as unknown as { rowCounts: number[] }).rowCounts);
  expect(counts.filter((n) => n > 0 && n < 16).length).toBeGreaterThanOrEqual(2);
  await expect(page.getByTestId('gap-chart').locator('.recharts-line')).toHaveCount(4);
  // Four test tasks: the table says why the intervals are so wide (t = 3.18 at 3 degrees of freedom).
  await expect(page.getByTestId('small-sample')).toContainText('Only 4 test tasks: the 95 % intervals are ±3.2 standard errors wide');
  await shot(page, '05-sweep-done');

  // A larger sweep, cancelled part-way: the finished run stays.
  await page.getByLabel('Test tasks').fill('300');
  await page.getByLabel('Episodes per task').fill('30');
  await page.getByRole('button', { name: 'Run sweep' }).click();
  const progress = page.getByTestId('sweep-progress');
  await expect(progress).toBeVisible();
  // Wait for the first sweep point (300 tasks) to finish so the cancelled run has rows to keep.
  await expect.poll(async () => Number(await progress.getAttribute('value')), { timeout: 90_000 }).toBeGreaterThan(300);
  await expect(rows).not.toHaveCount(0);
  await expect(page.getByText(/ETA/)).toBeVisible();
  await shot(page, '06-sweep-running');
  await page.getByRole('button', { name: 'Cancel' }).click();
  await expect(page.getByTestId('run-status')).toContainText('cancelled');
  await expect(progress).toHaveCount(0);
  const partial = await rows.count();
  expect(partial).toBeGreaterThan(0);
  expect(partial).toBeLessThan(16);
  await page.waitForTimeout(500); // late messages from the stopped worker must not add rows
  await expect(rows).toHaveCount(partial);
  await expect(page.getByRole('button', { name: 'Run sweep' })).toBeEnabled();
  const runSelect = page.getByLabel('Showing run');
  await expect(runSelect.locator('option')).toHaveCount(2);
  await shot(page, '07-cancelled');

  // Reload: settings, the episode and the finished results survive.
  await page.reload();
  await expect(page.getByRole('tab', { name: /Sweep/ })).toHaveAttribute('aria-selected', 'true');
  await expect(runSelect.locator('option')).toHaveCount(2);
  const finished = runSelect.locator('option', { hasText: 'finished' });
  await runSelect.selectOption((await finished.getAttribute('value'))!);
  await expect(rows).toHaveCount(16);
  await expect(page.getByLabel('Test tasks')).toHaveValue('300');
  await shot(page, '08-reloaded-sweep');
  await page.getByRole('tab', { name: /Task & episode/ }).click();
  await expect(page.getByRole('combobox', { name: 'Environment' })).toHaveValue('energy-pomdp');
  await expect(page.getByTestId('step-counter')).toHaveText('Step 2 of 5');
  await shot(page, '09-reloaded-episode');
});

test('darkroom episode on a grid', async ({ page }) => {
  await page.getByRole('combobox', { name: 'Environment' }).selectOption('darkroom');
  await page.getByRole('textbox', { name: /Grid size/ }).fill('6');
  await page.getByRole('textbox', { name: /Goal cell/ }).fill('4, 3');
  await page.getByRole('textbox', { name: /^Horizon/ }).fill('12');
  await page.getByRole('button', { name: 'Sample task' }).click();
  await expect(page.getByTestId('oracle-return')).toHaveText('6.000');
  await page.getByLabel('Policy').selectOption('oracle');
  await page.getByRole('button', { name: 'Run episode' }).click();
  await expect(page.getByTestId('step-counter')).toHaveText('Step 1 of 12');
  await page.keyboard.press('End');
  await expect(page.getByTestId('cumulative')).toHaveText('6.000');
  await page.keyboard.press('Home');
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  await expect(page.getByTestId('action')).toHaveText('right');
  await shot(page, '10-darkroom');
});

test('APOMDP episode: one belief per model and the evaluation definition', async ({ page }) => {
  await page.getByRole('combobox', { name: 'Environment' }).selectOption('energy-apomdp');
  await page.getByRole('textbox', { name: /Battery levels/ }).fill('4');
  await page.getByRole('textbox', { name: /^Horizon/ }).fill('3');
  await page.getByRole('textbox', { name: /Ambiguity set size/ }).fill('2');
  await page.getByRole('button', { name: 'Sample task' }).click();
  await expect(page.getByTestId('oracle-return')).toHaveText(/\d/);
  await expect(page.getByTestId('oracle-bound')).toHaveText(/\d/);
  await expect(page.getByTestId('apomdp-definition')).toContainText('R^π = α·min');
  await expect(page.getByTestId('apomdp-definition')).toContainText('30 episodes per model');
  await page.getByRole('button', { name: 'Run episode' }).click();
  await expect(page.getByTestId('step-counter')).toHaveText('Step 1 of 3');
  await expect(page.getByTestId('belief-chart')).toHaveCount(2);
  await page.keyboard.press('ArrowRight');
  await expect(page.getByTestId('step-counter')).toHaveText('Step 2 of 3');
  await shot(page, '11-apomdp');
});

test('K × α as one sweep: K on the x axis, one line per policy and attitude α', async ({ page }) => {
  await page.getByRole('tab', { name: /Sweep/ }).click();
  await page.getByLabel('Example experiment').selectOption('gap-vs-K-by-alpha');
  await expect(page.getByLabel('Lines by')).toHaveValue('alpha');
  await expect(page.getByLabel('Line values')).toHaveValue('0, 0.5, 1');
  // Two attitudes and two policies keep it quick; the form edits the series like the sweep.
  await page.getByLabel('Line values').fill('0, 1');
  await page.getByLabel('Values', { exact: true }).fill('1, 3');
  await page.getByLabel('Test tasks').fill('3');
  await page.getByLabel('Episodes per task').fill('4');
  await page.getByRole('group', { name: 'Policies' }).getByRole('checkbox', { name: /^support-copy\b/ }).uncheck();
  await expect(page.getByRole('alert', { name: 'Problems with the sweep spec' })).toHaveCount(0);
  await page.getByRole('button', { name: 'Run sweep' }).click();
  await expect(page.getByTestId('run-status')).toContainText('finished', { timeout: 90_000 });
  await expect(page.getByTestId('rows-table').locator('tbody tr')).toHaveCount(8); // 2 K × 2 α × (random, oracle)
  await expect(page.getByTestId('rows-table').locator('thead')).toContainText('Kalphapolicy');
  const chart = page.getByTestId('gap-chart');
  await expect(chart.locator('.recharts-line')).toHaveCount(4);
  await expect(chart).toContainText('random · alpha=0');
  await expect(chart).toContainText('oracle · alpha=1');
  await expect(chart).toHaveAttribute('aria-label', /against K, one line per alpha/);
  // The sweep param cannot also be the series: the form says so by field.
  await page.getByLabel('Swept parameter').selectOption('alpha');
  await expect(page.getByRole('alert', { name: 'Problems with the sweep spec' })).toContainText('series.param: must differ from sweep.param (alpha)');
  await page.getByLabel('Swept parameter').selectOption('K');
  await shot(page, '12-k-by-alpha');
});

test('a stored tab the app does not have opens the first tab instead of none', async ({ page }) => {
  // Written before the app starts (the app saves its settings once it has read its runs).
  await page.addInitScript(() => {
    if (sessionStorage.getItem('seeded')) return;
    sessionStorage.setItem('seeded', '1');
    localStorage.setItem('decision-lab', JSON.stringify({ state: { tab: 'bogus', seed: '31' }, version: 1 }));
  });
  await page.reload();
  await expect(page.getByRole('tab', { name: /Task & episode/ })).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByTestId('recovery-notice')).toContainText('The saved settings of the selected tab could not be read and were reset');
  await expect(page.getByLabel('Seed', { exact: true })).toHaveValue('31');
});
