/**
 * Share as a link: a person sets up an environment, its parameters, an episode at a step and a
 * sweep, copies the link, and someone else opens it in a fresh browser (no saved settings) and
 * sees the same experiment. A link with one bad value applies the rest and names that value.
 * Screenshots go to e2e/screenshots/ for a human to look at.
 */
import { expect, test, type Browser, type Page } from '@playwright/test';

const shot = (page: Page, name: string) => page.screenshot({ path: `e2e/screenshots/${name}.png`, fullPage: true });

test.use({ permissions: ['clipboard-read', 'clipboard-write'] });

let pageErrors: string[] = [];
function watch(page: Page): Page {
  page.on('pageerror', (e) => pageErrors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') pageErrors.push(`console: ${m.text()}`);
  });
  return page;
}

test.beforeEach(async ({ page }) => {
  pageErrors = [];
  watch(page);
  await page.goto('/');
  await page.evaluate(() => localStorage.clear());
  await page.reload();
});

test.afterEach(() => {
  expect(pageErrors).toEqual([]);
});

/** A page in a browser context of its own: no localStorage, no IndexedDB, nothing of the sender's. */
async function freshPage(browser: Browser, link: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = watch(await context.newPage());
  await page.goto(link);
  return page;
}

test('a link opened in a fresh browser context shows the same experiment', async ({ page, browser }) => {
  // The sender: an energy POMDP with q and the horizon changed, a random-policy episode at step 4.
  await page.getByRole('combobox', { name: 'Environment' }).selectOption('energy-pomdp');
  await page.getByRole('textbox', { name: /Observation accuracy/ }).fill('0.7');
  await page.getByRole('textbox', { name: /^Horizon/ }).fill('6');
  await page.getByRole('textbox', { name: /Battery levels/ }).fill('5');
  await page.getByRole('textbox', { name: 'Seed' }).fill('7');
  await page.getByRole('button', { name: 'Sample task' }).click();
  await expect(page.getByTestId('oracle-return')).toHaveText(/\d/);
  await page.getByLabel('Policy').selectOption('random');
  await page.getByLabel('Episode #').fill('3');
  await page.getByRole('button', { name: 'Run episode' }).click();
  await expect(page.getByTestId('step-counter')).toHaveText('Step 1 of 6');
  for (let i = 0; i < 3; i++) await page.getByRole('button', { name: 'Next step' }).click();
  await expect(page.getByTestId('step-counter')).toHaveText('Step 4 of 6');
  const episodeReturn = await page.getByTestId('episode-return').textContent();
  const oracleReturn = await page.getByTestId('oracle-return').textContent();

  // …and a sweep over q with three policies, 7 test tasks and 3 episodes each.
  await page.getByRole('tab', { name: /Sweep/ }).click();
  await page.getByRole('combobox', { name: 'Environment' }).selectOption('energy-pomdp');
  await page.getByRole('combobox', { name: 'Swept parameter' }).selectOption('q');
  await page.getByRole('textbox', { name: 'Values' }).fill('0.6, 0.8, 1');
  await page.getByRole('textbox', { name: 'Test tasks' }).fill('7');
  await page.getByRole('textbox', { name: 'Episodes per task' }).fill('3');
  await page.getByRole('checkbox', { name: /^ce-planning/ }).check();
  await expect(page.getByRole('alert', { name: 'Problems with the sweep spec' })).toHaveCount(0);
  const policies = await page.getByRole('group', { name: 'Policies' }).getByRole('checkbox', { checked: true }).evaluateAll((els) => els.map((e) => e.parentElement?.textContent?.split(' — ')[0]?.trim()));
  expect(policies).toContain('ce-planning');

  // The address follows the state; "Copy link" (by keyboard) copies the same address.
  await expect(page).toHaveURL(/#v=1&tab=sweep&env=energy-pomdp&energy-pomdp\.levels=5&energy-pomdp\.horizon=6&energy-pomdp\.q=0\.7&seed=7&policy=random&episodeIndex=3&task=form&step=3&sweep\./);
  await page.getByRole('button', { name: 'Copy link' }).focus();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('status').filter({ hasText: 'Link copied.' })).toBeVisible();
  const link = await page.evaluate(() => navigator.clipboard.readText());
  // The address bar is rewritten shortly after each change; wait for it rather than read it once.
  await expect.poll(() => page.url()).toBe(link);
  expect(link).toContain('sweep.testTasks=7');
  await shot(page, 'share-01-sender');

  // The receiver: a fresh context, the same experiment on screen.
  const other = await freshPage(browser, link);
  await expect(other.getByRole('tab', { name: /Sweep/ })).toHaveAttribute('aria-selected', 'true');
  await expect(other.getByRole('combobox', { name: 'Environment' })).toHaveValue('energy-pomdp');
  await expect(other.getByRole('combobox', { name: 'Swept parameter' })).toHaveValue('q');
  await expect(other.getByRole('textbox', { name: 'Values' })).toHaveValue('0.6, 0.8, 1');
  await expect(other.getByRole('textbox', { name: 'Test tasks' })).toHaveValue('7');
  await expect(other.getByRole('textbox', { name: 'Episodes per task' })).toHaveValue('3');
  expect(await other.getByRole('group', { name: 'Policies' }).getByRole('checkbox', { checked: true }).evaluateAll((els) => els.map((e) => e.parentElement?.textContent?.split(' — ')[0]?.trim()))).toEqual(policies);
  await expect(other.getByTestId('link-notice')).toHaveCount(0);
  await shot(other, 'share-02-receiver-sweep');

  await other.getByRole('tab', { name: /Task & episode/ }).click();
  await expect(other.getByRole('combobox', { name: 'Environment' })).toHaveValue('energy-pomdp');
  await expect(other.getByRole('textbox', { name: /Observation accuracy/ })).toHaveValue('0.7');
  await expect(other.getByRole('textbox', { name: /^Horizon/ })).toHaveValue('6');
  await expect(other.getByRole('textbox', { name: /Battery levels/ })).toHaveValue('5');
  await expect(other.getByRole('textbox', { name: 'Seed' })).toHaveValue('7');
  await expect(other.getByLabel('Policy')).toHaveValue('random');
  await expect(other.getByLabel('Episode #')).toHaveValue('3');
  // The task and the episode are sampled and run again: the same numbers, the same step.
  await expect(other.getByTestId('step-counter')).toHaveText('Step 4 of 6');
  await expect(other.getByTestId('episode-return')).toHaveText(episodeReturn!);
  await expect(other.getByTestId('oracle-return')).toHaveText(oracleReturn!);
  await shot(other, 'share-03-receiver-episode');
  // and the receiver's own address is the same link
  await expect(other).toHaveURL(link.replace('&tab=sweep', '')); // the first tab is the default, left out

  // A link with one bad value: the rest applies, and a notice names the value and its range.
  const bad = await freshPage(browser, link.replace('energy-pomdp.q=0.7', 'energy-pomdp.q=1.3'));
  const notice = bad.getByTestId('link-notice');
  await expect(notice).toContainText('energy-pomdp.q: must be a number in [0, 1], got 1.3');
  await expect(bad.getByRole('textbox', { name: 'Test tasks' })).toHaveValue('7');
  await bad.getByRole('tab', { name: /Task & episode/ }).click();
  await expect(bad.getByRole('textbox', { name: /Observation accuracy/ })).toHaveValue('0.9');
  await expect(bad.getByRole('textbox', { name: /^Horizon/ })).toHaveValue('6');
  await expect(bad.getByRole('textbox', { name: 'Seed' })).toHaveValue('7');
  await expect(bad.getByTestId('step-counter')).toHaveText('Step 4 of 6');
  await shot(bad, 'share-04-bad-value');
  await bad.getByRole('button', { name: 'Dismiss' }).click();
  await expect(notice).toHaveCount(0);
});
