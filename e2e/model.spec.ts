/**
 * The Model tab. Offline: a hub id gives the offline error and the rest of the lab keeps
 * working. Local: a tiny test model (assembled here from tests/fixtures, served through route
 * fulfilment as if it were public/models/e2e-tiny/) loads with progress to 100 % and its
 * parameter count. No request leaves the machine: the hub host is routed to fail.
 */
import { expect, test, type Page } from '@playwright/test';
import { buildTestModel, type TestModel } from '../tests/fixtures/test-model.ts';

const shot = (page: Page, name: string) => page.screenshot({ path: `e2e/screenshots/${name}.png`, fullPage: true });

let tiny: TestModel;
let pageErrors: string[] = [];

test.beforeAll(async () => {
  tiny = await buildTestModel({ dtype: 'F16' });
});

test.beforeEach(async ({ page, context }) => {
  pageErrors = [];
  page.on('pageerror', (e) => pageErrors.push(`pageerror: ${e.message}`));
  // Whatever the app does, the real hub is never reached.
  await context.route(/huggingface\.co/, (route) => route.abort('internetdisconnected'));
  await page.goto('/');
  await page.evaluate(() => localStorage.clear());
  await page.reload();
});

test.afterEach(() => {
  expect(pageErrors).toEqual([]);
});

test('offline: a hub id is refused as offline and the rest of the lab still works', async ({ page, context }) => {
  // Some state that must survive the refusal: a seed typed in the task form.
  await page.getByRole('textbox', { name: 'Seed' }).fill('7');
  await page.getByRole('tab', { name: /Model/ }).click();
  await expect(page.getByTestId('no-shipped-model')).toBeVisible();
  await shot(page, 'model-01-empty');

  await page.getByRole('radio', { name: /Hugging Face hub/ }).check();
  await page.getByRole('textbox', { name: 'Model id' }).fill('HuggingFaceTB/SmolLM2-135M');
  await page.getByRole('button', { name: 'Load model' }).click();
  await expect(page.getByTestId('model-error-title')).toHaveText('Offline or host unreachable');
  await expect(page.getByTestId('model-error')).toContainText('huggingface.co');
  await shot(page, 'model-02-offline');

  // The browser says it is offline: refused without trying the network.
  await context.setOffline(true);
  await page.getByRole('button', { name: 'Load model' }).click();
  await expect(page.getByTestId('model-error')).toContainText('offline');
  await context.setOffline(false);

  // A typo in an id is caught before loading.
  await page.getByRole('textbox', { name: 'Model id' }).fill('not a model id');
  await expect(page.getByText(/is not a hub id/)).toBeVisible();
  await expect(page.getByRole('button', { name: 'Load model' })).toBeDisabled();

  // Everything else is as it was, and still works.
  await page.getByRole('tab', { name: /Task & episode/ }).click();
  await expect(page.getByRole('textbox', { name: 'Seed' })).toHaveValue('7');
  await page.getByRole('textbox', { name: /^Horizon/ }).fill('5');
  await page.getByRole('button', { name: 'Sample task' }).click();
  await expect(page.getByTestId('oracle-return')).toHaveText(/\d/);

  // The choice is remembered across a reload.
  await page.reload();
  await page.getByRole('tab', { name: /Model/ }).click();
  await expect(page.getByRole('textbox', { name: 'Model id' })).toHaveValue('not a model id');
  await page.evaluate(() => localStorage.clear());
});

test('a shipped model folder loads with progress to 100 % and its parameter count', async ({ page, context }) => {
  await context.route('**/models/index.json', (route) =>
    route.fulfill({ json: { models: [{ name: 'e2e-tiny', description: 'A tiny random test model (not trained).' }] } }),
  );
  await context.route('**/models/e2e-tiny/*', (route) => {
    const file = new URL(route.request().url()).pathname.split('/').pop() ?? '';
    const body = tiny.files.get(file);
    if (!body) return route.fulfill({ status: 404, body: 'not found' });
    return route.fulfill({ status: 200, body: Buffer.from(body), headers: { 'content-type': 'application/octet-stream', 'content-length': String(body.byteLength) } });
  });
  await page.getByRole('tab', { name: /Model/ }).click();
  await expect(page.getByRole('combobox', { name: 'Model' })).toHaveValue('e2e-tiny');
  await page.getByRole('button', { name: 'Load model' }).click();
  await expect(page.getByTestId('model-loaded')).toContainText('e2e-tiny');
  await expect(page.getByTestId('model-download-percent')).toHaveText('100 %');
  const params = [...tiny.weights.values()].reduce((s, w) => s + w.length, 0);
  await expect(page.getByTestId('model-facts-params')).toContainText(params.toLocaleString('en'));
  await expect(page.getByText('model.safetensors', { exact: true })).toBeVisible();
  await shot(page, 'model-03-loaded');

  // A refused load afterwards keeps the loaded model.
  await page.getByRole('radio', { name: /Hugging Face hub/ }).check();
  await page.getByRole('textbox', { name: 'Model id' }).fill('HuggingFaceTB/SmolLM2-135M');
  await page.getByRole('button', { name: 'Load model' }).click();
  await expect(page.getByTestId('model-error')).toContainText('e2e-tiny is still loaded');
  await expect(page.getByTestId('model-loaded')).toContainText('e2e-tiny');
  await shot(page, 'model-04-refused-keeps-loaded');
  await page.evaluate(() => localStorage.clear());
});
