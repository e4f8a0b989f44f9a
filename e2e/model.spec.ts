/**
 * The Model tab. Offline: a hub id gives the offline error and the rest of the lab keeps
 * working. Local: a tiny test model (assembled here from tests/fixtures, served through route
 * fulfilment as if it were public/models/e2e-tiny/) loads with progress to 100 % and its
 * parameter count, and "Try the model" shows the continuation and top-5 next tokens the same
 * code computes in Node. No request leaves the machine: the hub host is routed to fail.
 */
import { type BrowserContext, expect, test, type Page } from '@playwright/test';
import { SHIPPED_MODEL_NAME } from '../src/models/pretrain/card.ts';
import { buildTestModel, type TestModel } from '../tests/fixtures/test-model.ts';
import { serveHub } from './icl-hub.ts';
import { expectedTry, serveTinyModel, TRY_PROMPT } from './tiny-model.ts';

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

const serveTiny = (context: BrowserContext) => serveTinyModel(context, tiny);

test.afterEach(() => {
  expect(pageErrors).toEqual([]);
});

test('without a shipped model (an empty index.json) the tab says so and offers the hub', async ({ page, context }) => {
  await context.route('**/models/index.json', (route) => route.fulfill({ json: { models: [] } }));
  await page.reload();
  await page.getByRole('tab', { name: /Model/ }).click();
  await expect(page.getByTestId('no-shipped-model')).toBeVisible();
  await expect(page.getByRole('radio', { name: /Hugging Face hub/ })).toBeVisible();
});

test('offline: a hub id is refused as offline and the rest of the lab still works', async ({ page, context }) => {
  // Some state that must survive the refusal: a seed typed in the task form.
  await page.getByRole('textbox', { name: 'Seed' }).fill('7');
  await page.getByRole('tab', { name: /Model/ }).click();
  // The real public/models/index.json: the shipped model is offered first.
  await expect(page.getByRole('combobox', { name: 'Model' })).toHaveValue(SHIPPED_MODEL_NAME);
  await shot(page, 'model-01-shipped');

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
  await serveTiny(context);
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

test('try the model: the loaded model continues a prompt and shows its top-5 next tokens', async ({ page, context }) => {
  // What the page must show, computed here in Node from the same (F16) files the page loads.
  const expected = await expectedTry(tiny, TRY_PROMPT, 8);
  expect(expected.tokens.length).toBeGreaterThan(0);

  await serveTiny(context);
  await page.getByRole('tab', { name: /Model/ }).click();
  const run = page.getByRole('button', { name: 'Run', exact: true });
  await expect(run).toBeDisabled(); // nothing loaded yet
  await page.getByRole('button', { name: 'Load model' }).click();
  await expect(page.getByTestId('model-loaded')).toContainText('e2e-tiny');

  const prompt = page.getByRole('textbox', { name: 'Prompt' });
  await expect(prompt).toHaveValue(TRY_PROMPT);
  await expect(page.getByTestId('try-explain')).toContainText('greedy continuation');
  const count = page.getByRole('spinbutton', { name: 'Tokens to generate' });
  await count.fill('300');
  await expect(page.getByTestId('try-tokens-error')).toContainText('Tokens to generate: must be a whole number from 1 to 256');
  await expect(run).toBeDisabled();
  await count.fill('8');
  // Keyboard only: focus the button and press Enter.
  await run.focus();
  await page.keyboard.press('Enter');

  await expect(page.getByTestId('try-caption')).toContainText('e2e-tiny');
  await expect(page.getByTestId('try-caption')).toContainText(`prompt of ${expected.promptTokens} tokens (context 64)`);
  expect(await page.getByTestId('try-continuation').textContent()).toBe(expected.text);
  await expect(page.getByTestId('try-tokens').locator('li')).toHaveCount(expected.tokens.length);
  const rows = page.getByTestId('try-top').locator('tbody tr');
  await expect(rows).toHaveCount(5);
  const probs = (await page.getByTestId('try-top-prob').allTextContents()).map(Number);
  expect(probs).toHaveLength(5);
  for (const p of probs) {
    expect(Number.isFinite(p)).toBe(true);
    expect(p).toBeGreaterThanOrEqual(0);
    expect(p).toBeLessThanOrEqual(1);
  }
  expect([...probs].sort((a, b) => b - a)).toEqual(probs);
  expect(probs[0]).toBeCloseTo(expected.next[0]!.prob, 3);
  await shot(page, 'model-05-try');

  // A refusal (a character the lab tokenizer cannot encode) keeps the model and the last result.
  await prompt.fill('price: 5 €');
  await prompt.press('Control+Enter');
  await expect(page.getByTestId('try-error-title')).toHaveText('Characters this tokenizer cannot encode');
  await expect(page.getByTestId('try-error')).toContainText('“€” (U+20AC)');
  await expect(page.getByTestId('model-loaded')).toContainText('e2e-tiny');
  await expect(page.getByTestId('try-top')).toBeVisible();
  await shot(page, 'model-06-try-refused');

  // The prompt is a setting: it survives a reload.
  await prompt.fill('copy: ab 12\nagain: ');
  await page.reload();
  await page.getByRole('tab', { name: /Model/ }).click();
  await expect(page.getByRole('textbox', { name: 'Prompt' })).toHaveValue('copy: ab 12\nagain: ');
  await page.evaluate(() => localStorage.clear());
});

test('a hub model of another architecture, or too large for the device, is refused by name and the shipped model stays loaded', async ({ page, context, baseURL }) => {
  const json = (v: unknown) => new TextEncoder().encode(JSON.stringify(v));
  const llama = { model_type: 'llama', vocab_size: 49152, hidden_size: 8192, intermediate_size: 28672, num_hidden_layers: 80, num_attention_heads: 64, num_key_value_heads: 8 };
  await serveHub(context, new Map([
    ['lab/gpt2', new Map([['config.json', json({ model_type: 'gpt2', n_embd: 768, n_layer: 12, vocab_size: 50257 })]])],
    ['lab/llama-70b', new Map([['config.json', json(llama)]])],
  ]));
  await page.getByRole('tab', { name: /Model/ }).click();
  await page.getByRole('button', { name: 'Load model' }).click();
  await expect(page.getByTestId('model-loaded')).toContainText(SHIPPED_MODEL_NAME);

  await page.getByText('Advanced: hub address and size limit').click();
  await page.getByRole('textbox', { name: 'Hub address' }).fill(`${baseURL}/e2e-hub/`);
  await page.getByRole('radio', { name: /Hugging Face hub/ }).check();
  await page.getByRole('textbox', { name: 'Model id' }).fill('lab/gpt2');
  await page.getByRole('button', { name: 'Load model' }).click();
  await expect(page.getByTestId('model-error-title')).toHaveText('Not a model this engine runs');
  await expect(page.getByTestId('model-error')).toContainText('gpt2');
  await expect(page.getByTestId('model-loaded')).toContainText(SHIPPED_MODEL_NAME);
  await shot(page, 'model-08-wrong-architecture');

  await page.getByRole('textbox', { name: 'Model id' }).fill('lab/llama-70b');
  await page.getByRole('button', { name: 'Load model' }).click();
  await expect(page.getByTestId('model-error-title')).toHaveText('Too large for this device');
  await expect(page.getByTestId('model-loaded')).toContainText(SHIPPED_MODEL_NAME);
  await shot(page, 'model-09-too-large');
  expect(pageErrors).toEqual([]);
  await page.evaluate(() => localStorage.clear());
});
