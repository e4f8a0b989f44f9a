/** Steps most person's-path tests start with: a fresh lab (no saved state), errors collected, a sweep spec typed in. */
import type { Page } from '@playwright/test';

/** Opens the lab (at `url`, default the project's base URL) with empty storage; the returned array collects uncaught page errors. */
export async function freshLab(page: Page, url = '/'): Promise<string[]> {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(url);
  await page.evaluate(() => localStorage.clear());
  await page.reload();
  return errors;
}

/** Types an experiment spec into the sweep form's full-spec JSON editor (tab 2). */
export async function typeSweepSpec(page: Page, spec: unknown): Promise<void> {
  await page.getByRole('tab', { name: /Sweep/ }).click();
  await page.getByText('Full spec (JSON)').click();
  await page.getByLabel('Experiment spec as JSON').fill(JSON.stringify(spec, null, 2));
}
