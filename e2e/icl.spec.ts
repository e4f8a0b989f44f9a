/**
 * ICL with an ONNX model in the Model tab: the tiny test model, exported to ONNX here (the lab's
 * exporter, as `export-onnx` writes it) and served in the hub layout through route fulfilment on
 * the app's own origin (hub address `…/e2e-hub/`), loads through transformers.js in the ICL
 * worker; one ICL episode of one step runs on a sampled task, and the chosen action is shown as
 * the most probable of the displayed action probabilities. Refusals name their problem and keep
 * the rest. No request leaves the machine.
 *
 * Device: wasm here (the `chromium` project runs with the GPU off). icl-webgpu.spec.ts repeats
 * the step on the `webgpu` project's SwiftShader adapter.
 */
import { expect, test, type Page } from '@playwright/test';
import { e2eRepos, oneIclStep, type Repos, serveHub } from './icl-hub.ts';

const shot = (page: Page, name: string) => page.screenshot({ path: `e2e/screenshots/${name}.png`, fullPage: true });

let repos: Repos;
let pageErrors: string[] = [];

test.beforeAll(async () => {
  repos = await e2eRepos();
});

test.beforeEach(async ({ page, context }) => {
  pageErrors = [];
  page.on('pageerror', (e) => pageErrors.push(`pageerror: ${e.message}`));
  await context.route(/huggingface\.co|cdn\.jsdelivr\.net/, (route) => route.abort('internetdisconnected'));
  await serveHub(context, repos);
  await page.goto('/');
  await page.evaluate(() => localStorage.clear());
  await page.reload();
});

test.afterEach(() => {
  expect(pageErrors).toEqual([]);
});

test('an ONNX export served as a hub repo loads in transformers.js and takes one ICL step (wasm)', async ({ page, baseURL }) => {
  await oneIclStep(page, baseURL!, 'wasm');
  await expect(page.getByTestId('icl-device-used')).toHaveText('WebAssembly (CPU)');
  await expect(page.getByTestId('icl-prompt')).toBeHidden(); // inside the closed <details>
  await page.getByText('The prompt at the last step').click();
  await expect(page.getByTestId('icl-prompt')).toContainText('<O_1>');
  await expect(page.getByTestId('icl-prompt')).toContainText('<A_1> ');
  await shot(page, 'icl-01-one-step');
});

test('refusals name the problem and keep the loaded ICL model', async ({ page, baseURL }) => {
  await oneIclStep(page, baseURL!, 'wasm');
  // A repo without an onnx/ folder.
  await page.getByRole('textbox', { name: 'ONNX repository' }).fill('lab/tiny-safetensors');
  await page.getByRole('button', { name: 'Load ONNX model' }).click();
  await expect(page.getByTestId('icl-error-title')).toHaveText('No ONNX weights');
  await expect(page.getByTestId('icl-error')).toContainText('has no onnx/ folder');
  await expect(page.getByTestId('icl-error')).toContainText('lab/tiny-onnx is still loaded');
  await expect(page.getByTestId('icl-loaded-id')).toHaveText('lab/tiny-onnx');
  await expect(page.getByTestId('icl-action-1')).toBeVisible();
  // The real hub while offline.
  await page.getByRole('textbox', { name: 'Hub address' }).fill('https://huggingface.co/');
  await page.getByRole('textbox', { name: 'ONNX repository' }).fill('HuggingFaceTB/SmolLM2-135M-Instruct');
  await page.getByRole('button', { name: 'Load ONNX model' }).click();
  await expect(page.getByTestId('icl-error-title')).toHaveText('Offline or host unreachable');
  await shot(page, 'icl-02-refused');
  // The rest of the lab is untouched.
  await page.getByRole('tab', { name: /Task & episode/ }).click();
  await expect(page.getByTestId('oracle-return')).toHaveText(/\d/);
  await page.evaluate(() => localStorage.clear());
});
