/**
 * Engine bench: one LoRA training step of the toy decoder at ~1M and ~10M parameters on this
 * browser's WebGPU device, reported as tokens/s and achieved matmul GFLOP/s. Runs on the main
 * thread: the GPU does the work and every step awaits its read-back, so the page stays live.
 * The engine is loaded only when this tab opens, so the lab itself does not pay for it.
 */
import { useEffect, useState } from 'react';
import type { BenchResult } from '../../nn/bench.ts';
import type { WebGpuInfo } from '../../nn/webgpu/index.ts';

type Probe = { state: 'checking' } | { state: 'none'; why: string } | { state: 'ready'; info: WebGpuInfo };

async function probe(): Promise<Probe> {
  if (typeof navigator === 'undefined' || !('gpu' in navigator)) return { state: 'none', why: 'this browser has no WebGPU (navigator.gpu is missing)' };
  const { WebGpuBackend } = await import('../../nn/webgpu/index.ts');
  const be = await WebGpuBackend.create();
  if (!be) return { state: 'none', why: 'WebGPU is present but no adapter is available (GPU blocklisted or disabled)' };
  const info = be.info;
  be.destroy();
  return { state: 'ready', info };
}

const fmt = (x: number, digits = 1): string => x.toLocaleString('en', { maximumFractionDigits: digits, minimumFractionDigits: digits });

export function BenchPanel() {
  const [gpu, setGpu] = useState<Probe>({ state: 'checking' });
  const [steps, setSteps] = useState(5);
  const [progress, setProgress] = useState<string | null>(null);
  const [results, setResults] = useState<BenchResult[]>([]);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    probe().then(
      (p) => live && setGpu(p),
      (e: unknown) => live && setGpu({ state: 'none', why: String(e) }),
    );
    return () => {
      live = false;
    };
  }, []);

  const run = async () => {
    setError(null);
    setResults([]);
    const [{ WebGpuBackend }, { BENCH_SIZES, benchTrainStep }] = await Promise.all([import('../../nn/webgpu/index.ts'), import('../../nn/bench.ts')]);
    for (const size of BENCH_SIZES) {
      const be = await WebGpuBackend.create();
      if (!be) {
        setError('The WebGPU adapter went away.');
        break;
      }
      try {
        setProgress(`${size.label}: compiling and warming up…`);
        const r = await benchTrainStep(be, size, steps, (s) => setProgress(`${size.label}: step ${s} of ${steps}`));
        setResults((rs) => [...rs, r]);
      } catch (e) {
        setError(`${size.label}: ${e instanceof Error ? e.message : String(e)}`);
        break;
      } finally {
        be.destroy();
      }
    }
    setProgress(null);
  };

  return (
    <section className="panel" aria-labelledby="bench-heading">
      <h2 id="bench-heading">Engine bench (WebGPU)</h2>
      <p className="help">
        Times the LoRA training step (forward, backward, AdamW) of a small Llama-style decoder on this device. GFLOP/s counts the matrix
        multiplies only. Software adapters (SwiftShader) manage about 0.2 GFLOP/s, so the 10M model takes minutes there.
      </p>
      {gpu.state === 'checking' && <p className="note">Looking for a WebGPU adapter…</p>}
      {gpu.state === 'none' && (
        <p className="error-box" role="alert" data-testid="bench-no-webgpu">
          WebGPU is not available here: {gpu.why}. The bench needs a browser with WebGPU (for example a recent Chrome or Edge).
        </p>
      )}
      {gpu.state === 'ready' && (
        <>
          <p className="note" data-testid="bench-adapter">
            Adapter: {gpu.info.vendor || 'unknown vendor'} · {gpu.info.architecture || 'unknown architecture'}
            {gpu.info.description ? ` · ${gpu.info.description}` : ''}
          </p>
          <div className="actions">
            <label htmlFor="bench-steps">Timed steps</label>
            <input id="bench-steps" type="number" min={1} max={50} value={steps} disabled={progress !== null} onChange={(e) => setSteps(Math.max(1, Math.min(50, Number(e.target.value) || 1)))} />
            <button type="button" className="primary" disabled={progress !== null} onClick={() => void run()}>
              Run bench
            </button>
          </div>
        </>
      )}
      {progress && (
        <p className="note" role="status">
          {progress}
        </p>
      )}
      {error && (
        <p className="error-box" role="alert">
          {error}
        </p>
      )}
      {results.length > 0 && (
        <table data-testid="bench-results">
          <thead>
            <tr>
              <th>Model</th>
              <th>Parameters</th>
              <th>Tokens / step</th>
              <th>Tokens / s</th>
              <th>GFLOP / step</th>
              <th>GFLOP/s</th>
              <th>Loss</th>
            </tr>
          </thead>
          <tbody>
            {results.map((r) => (
              <tr key={r.label}>
                <td>{r.label}</td>
                <td>{r.params.toLocaleString('en')}</td>
                <td>{r.tokensPerStep}</td>
                <td>{fmt(r.tokensPerSecond)}</td>
                <td>{fmt(r.gflopPerStep, 2)}</td>
                <td>{fmt(r.gflops, 2)}</td>
                <td>{fmt(r.finalLoss, 3)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
