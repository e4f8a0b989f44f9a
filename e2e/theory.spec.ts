/**
 * The theory explorer: moving a slider re-simulates and redraws the gap against the bound;
 * the LSA layer trains live and joins the chart when paused; the sliders are in the link.
 */
import { expect, test } from '@playwright/test';

test('move a theory slider, train the LSA layer live, share the sliders', async ({ page, browser }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto('/');
  await page.evaluate(() => localStorage.clear());
  await page.reload();
  await page.getByRole('tab', { name: /Theory/ }).click();
  const bound = page.getByTestId('theory-bound');
  await expect(bound).toContainText('estimation');
  await expect(page.getByTestId('theory-regret')).toContainText('%');
  const before = await bound.textContent();
  await page.screenshot({ path: 'e2e/screenshots/theory-01-start.png', fullPage: true });

  // n from 20 up three stops (30, 50, 70): keyboard on the slider (a student's arrow keys), and the numbers follow.
  const n = page.getByRole('slider', { name: /Support pairs n/ });
  await n.focus();
  for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowRight');
  await expect(page.getByTestId('theory-n-value')).toHaveText('70');
  await expect(bound).not.toHaveText(before ?? '');
  await page.screenshot({ path: 'e2e/screenshots/theory-02-slider.png', fullPage: true });

  // The chart downloads as SVG and PNG.
  const exportGroup = page.getByRole('group', { name: 'Download the theory-regret-vs-n chart' });
  const [svg] = await Promise.all([page.waitForEvent('download'), exportGroup.getByRole('button', { name: 'SVG' }).click()]);
  expect(svg.suggestedFilename()).toBe('theory-regret-vs-n.svg');
  const svgText = await (await import('node:fs/promises')).readFile((await svg.path())!, 'utf8');
  expect(svgText).toMatch(/^<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  expect(svgText).toContain('support pairs n');
  const [png] = await Promise.all([page.waitForEvent('download'), exportGroup.getByRole('button', { name: 'PNG' }).click()]);
  expect(png.suggestedFilename()).toBe('theory-regret-vs-n.png');
  const pngBytes = await (await import('node:fs/promises')).readFile((await png.path())!);
  expect(pngBytes.subarray(1, 4).toString()).toBe('PNG');
  expect(pngBytes.length).toBeGreaterThan(10_000);

  // Train the layer: the distance to the closed form falls; pausing adds it to the chart.
  await page.getByRole('button', { name: 'Train' }).click();
  await expect(page.getByTestId('lsa-status')).toContainText(/step [1-9]\d{2,}/, { timeout: 60_000 });
  await page.getByRole('button', { name: 'Pause' }).click();
  const status = (await page.getByTestId('lsa-status').textContent()) ?? '';
  const distance = Number(/distance to Γ⁻¹ ([\d.]+)/.exec(status)?.[1]);
  expect(distance).toBeLessThan(0.9);
  await expect(page.getByTestId('theory-trained')).toContainText('%');
  await page.screenshot({ path: 'e2e/screenshots/theory-03-trained.png', fullPage: true });

  // The link carries the sliders to a fresh browser.
  const url = page.url();
  expect(url).toContain('theory.n=70');
  const other = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
  await other.goto(url);
  await expect(other.getByRole('tab', { name: /Theory/ })).toHaveAttribute('aria-selected', 'true');
  await expect(other.getByTestId('theory-n-value')).toHaveText('70');
  expect(errors).toEqual([]);
});
