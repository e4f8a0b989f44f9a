/**
 * The 'fast' kernels' matmul on f32 storage (CpuBackend routes here; cpu/fast-exp.ts has the two
 * kernel sets): out (+)= alpha · op(A) · op(B) on wasm-gemm32.ts's f32x4 tiles. Why next to
 * matmul.ts: with attention on f32x4 (attention32.ts), the packed f64 matmul was the largest
 * share of an SFT step (41 % at 756 tokens, docs/benchmarks.md), and most of its products are
 * thin (LoRA's rank 8, the head size). Operands are copied into the kernel's memory as they lie
 * (op(A) is read through strides, so transA costs nothing); only a transposed B is rewritten,
 * row-major [k, n], which is the weight in x·Wᵀ and small next to the product. Sums are f32
 * (what PyTorch and the WebGPU backend do); the 'reference' kernels keep matmul.ts's f64 sums.
 */
import type { MatmulParams } from '../backend.ts';
import type { Floats } from './storage.ts';
import { checkMatmulBuffers } from './matmul.ts';
import { gemm32, roundUp as up } from './wasm-gemm32.ts';

export function matmul32(A: Floats, B: Floats, C: Floats, p: MatmulParams): void {
  const { m, n, k } = p;
  checkMatmulBuffers(A, B, C, p);
  if (m === 0 || n === 0) return;
  const w = gemm32()!;
  const m4 = up(m, 4);
  const n8 = up(n, 8);
  // Tiles read up to m4 rows of A and n8 columns of B: slack after each keeps those reads inside
  // the memory (their results land in C's padding, which is never copied out).
  const a0 = 0;
  const b0 = a0 + m4 * k + 8;
  const c0 = b0 + (k + 1) * n8 + 8;
  const mem = w.view(c0 + m4 * n8);
  mem.set(A.subarray(0, m * k), a0);
  if (p.transB) {
    for (let j = 0; j < n; j++) for (let kk = 0; kk < k; kk++) mem[b0 + kk * n8 + j] = B[j * k + kk]!;
  } else {
    for (let kk = 0; kk < k; kk++) mem.set(B.subarray(kk * n, kk * n + n), b0 + kk * n8);
  }
  const [ars, acs] = p.transA ? [1, m] : [k, 1];
  w.gemm(a0, ars, acs, b0, n8, c0, n8, m4 / 4, n8 / 8, k, false);
  const alpha = p.alpha ?? 1;
  for (let i = 0; i < m; i++) {
    const o = i * n;
    const s = c0 + i * n8;
    if (p.accumulate) for (let j = 0; j < n; j++) C[o + j] = C[o + j]! + alpha * mem[s + j]!;
    else for (let j = 0; j < n; j++) C[o + j] = alpha * mem[s + j]!;
  }
}
