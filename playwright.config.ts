import { defineConfig } from '@playwright/test';

/**
 * End-to-end tests against the built app (`npm run test:e2e` builds first). Debian's chromium is
 * used directly: nothing is downloaded, and the flags keep it quiet on a machine without network.
 * Timeouts are generous because CI is a 2-core machine and the oracle runs in a worker.
 *
 * Two projects: `chromium` drives the app with the GPU off; `webgpu` runs the WGSL kernels
 * against the CPU backend (e2e/webgpu.spec.ts) on Chromium's software WebGPU adapter
 * (SwiftShader), served by its own dev server so the parity page never ships in dist/.
 * WebGPU needs a secure context: localhost qualifies, about:blank does not.
 */
const QUIET = ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
/** Found by probing chromium 156 (Debian): these give the SwiftShader adapter on a GPU-less machine. */
const WEBGPU_FLAGS = ['--enable-unsafe-webgpu', '--use-webgpu-adapter=swiftshader'];

export default defineConfig({
  testDir: 'e2e',
  timeout: 180_000,
  expect: { timeout: 30_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [['list']],
  outputDir: 'test-results',
  use: {
    baseURL: 'http://localhost:4173',
    viewport: { width: 1280, height: 800 },
    actionTimeout: 15_000,
    trace: 'retain-on-failure',
  },
  projects: [
    {
      name: 'chromium',
      testIgnore: /webgpu\.spec\.ts/,
      use: { browserName: 'chromium', launchOptions: { executablePath: '/usr/bin/chromium', args: [...QUIET, '--disable-gpu'] } },
    },
    {
      name: 'webgpu',
      testMatch: /webgpu\.spec\.ts/,
      use: { browserName: 'chromium', baseURL: 'http://localhost:4174', launchOptions: { executablePath: '/usr/bin/chromium', args: [...QUIET, ...WEBGPU_FLAGS] } },
    },
  ],
  webServer: [
    {
      command: 'npx vite preview --port 4173 --strictPort',
      url: 'http://localhost:4173',
      reuseExistingServer: false,
      timeout: 60_000,
    },
    {
      command: 'npx vite --config e2e/webgpu/vite.config.ts',
      url: 'http://localhost:4174/parity.html',
      reuseExistingServer: false,
      timeout: 60_000,
    },
  ],
});
