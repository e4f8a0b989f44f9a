import { defineConfig } from 'vite';

/**
 * Serves the WebGPU parity page (e2e/webgpu/parity.html) for e2e/webgpu.spec.ts. A separate dev
 * server rather than an input of the app's build, so no test code ships in dist/.
 */
export default defineConfig({
  root: 'e2e/webgpu',
  server: { port: 4174, strictPort: true, fs: { allow: ['../..'] } },
  clearScreen: false,
});
