/**
 * CPU matrix multiply, out (m×n) (+)= alpha · op(A) · op(B), for every transA/transB layout.
 * (The 'reference' kernels' matmul, and every matmul on f64 storage; the 'fast' kernels run
 * matmul32.ts on f32 storage: cpu/fast-exp.ts.)
 *
 * One loop shape for all four layouts, by packing (as BLAS libraries do):
 * - op(A) is copied into row panels of 4: `pa[(panel·k + kk)·4 + r] = op(A)(4·panel + r, kk)`,
 *   op(B) into column panels of 4: `pb[(panel·k + kk)·4 + c] = op(B)(kk, 4·panel + c)`, both as
 *   Float64Array (exact for f32 and f64 inputs), zero-padded past m and n. Whatever the
 *   transposes, the micro-kernel then reads two sequential streams.
 * - The micro-kernel keeps a 4×4 block of outputs in 16 local doubles and, per kk, loads 4 + 4
 *   values for 16 multiply-adds (the previous kernels loaded 6 for 8 in the x·Wᵀ form and
 *   re-loaded/stored a scratch row per multiply-add in the i-k-j form).
 * - op(B) is packed NC columns at a time (≈ 256 KiB, so the chunk stays in L2 while every
 *   A panel passes over it); op(A) once per call. Packing is O(mk + kn) next to O(mnk).
 * - The loop nest over the panels runs as WebAssembly SIMD (wasm-gemm.ts: the same 4×4 block in
 *   f64x2 lanes, k in blocks of 256 whose f64 sums continue each other) where available, else as
 *   the scalar JS `kernel4x4`; the two are bit-identical (tested). The SIMD path keeps its packed
 *   operands in the module's memory, which grows to the largest call's needs (≈ 2× the f32
 *   bytes of A plus a chunk of B) and is kept for reuse.
 * - `gemm` is the same on strided views (row/column strides, offsets, an output leading
 *   dimension), so attention multiplies head slices in place.
 * Sums run in JS doubles (f64) over the whole k and are rounded once when stored, so accuracy
 * does not degrade with k the way an f32 accumulator would (docs/engine.md; measured before and
 * after in docs/benchmarks.md, "Engine (CPU)").
 */
import type { MatmulParams } from '../backend.ts';
import type { Floats } from './storage.ts';
import { createWasmGemm, type WasmGemm } from './wasm-gemm.ts';

const PANEL = 4;
const B_CHUNK_DOUBLES = 1 << 15; // 256 KiB of packed op(B) per chunk (per k-block in the SIMD path)
const KC = 256; // k-block of the SIMD path

let packA = new Float64Array(0);
let packB = new Float64Array(0);

/** The WebAssembly SIMD loop nest (wasm-gemm.ts), created on first use; null = scalar JS kernel. */
let wasm: WasmGemm | null | undefined;
let useWasm = true;

/**
 * Which inner kernel matmul runs: 'wasm' (WebAssembly SIMD, the default where available) or
 * 'js' (scalar). Both give bit-identical results; tests run both, the bench compares them.
 * Returns the kernel actually in use.
 */
export function setMatmulKernel(kind: 'wasm' | 'js'): 'wasm' | 'js' {
  useWasm = kind === 'wasm';
  return matmulKernel();
}

export function matmulKernel(): 'wasm' | 'js' {
  if (useWasm && wasm === undefined) wasm = createWasmGemm();
  return useWasm && wasm ? 'wasm' : 'js';
}

/** Both matmuls' (this file's and matmul32.ts's) check that A, B and C hold m×k, k×n and m×n. */
export function checkMatmulBuffers(A: Floats, B: Floats, C: Floats, p: MatmulParams): void {
  const { m, n, k } = p;
  if (A.length < m * k || B.length < k * n || C.length < m * n) {
    throw new Error(`matmul: buffers too small for m=${m} n=${n} k=${k} (A ${A.length}, B ${B.length}, C ${C.length})`);
  }
}

export function matmul(A: Floats, B: Floats, C: Floats, p: MatmulParams): void {
  const { m, n, k } = p;
  checkMatmulBuffers(A, B, C, p);
  // op(A) and op(B) as strided views: transposing only swaps the strides.
  gemm(
    { X: A, x0: 0, rs: p.transA ? 1 : k, cs: p.transA ? m : 1 },
    { X: B, x0: 0, rs: p.transB ? 1 : n, cs: p.transB ? k : 1 },
    C, 0, n, m, n, k, p.alpha ?? 1, p.accumulate ?? false,
  );
}

/** A strided matrix view: element (r, c) is X[x0 + r·rs + c·cs]. */
export interface Strided {
  X: Floats;
  x0: number;
  rs: number;
  cs: number;
}

/**
 * C[c0 + i·ldc + j] (+)= alpha · Σ_kk a(i, kk) · b(kk, j) for i < m, j < n: the matmul on strided
 * views, so attention can multiply head slices in place (cpu/attention.ts). No bounds checks:
 * the caller's views must lie inside their arrays.
 */
export function gemm(a: Strided, b: Strided, C: Floats, c0: number, ldc: number, m: number, n: number, k: number, alpha: number, acc: boolean): void {
  if (m === 0 || n === 0) return;
  const mPanels = Math.ceil(m / PANEL);
  const needA = mPanels * PANEL * k;
  const chunkPanels = Math.min(Math.ceil(n / PANEL), Math.max(1, Math.floor(B_CHUNK_DOUBLES / (PANEL * Math.max(1, k)))));
  const chunkCols = chunkPanels * PANEL;
  const needB = chunkPanels * PANEL * k;
  const out = { C, c0, ldc, m, n, alpha, acc };

  if (matmulKernel() === 'wasm') {
    // Packed A, a chunk of packed B (all of k) and the chunk's 4×4 result blocks (f64), all in the
    // module's memory. k runs in blocks of KC so the A and B slices in use stay in L2; the blocks
    // continue each other's f64 sums (wasm-gemm.ts), so the result is that of one pass over k.
    const w = wasm!;
    const wChunkPanels = Math.min(Math.ceil(n / PANEL), Math.max(1, Math.floor(B_CHUNK_DOUBLES / (PANEL * Math.max(1, Math.min(k, KC))))));
    const wChunkCols = wChunkPanels * PANEL;
    const pbOff = needA;
    const pcOff = pbOff + wChunkPanels * PANEL * k;
    const mem = w.view(pcOff + mPanels * wChunkPanels * PANEL * PANEL);
    pack(a.X, a.x0, mem, 0, m, k, a.rs, a.cs);
    for (let j0 = 0; j0 < n; j0 += wChunkCols) {
      const cols = Math.min(wChunkCols, n - j0);
      const nPanels = Math.ceil(cols / PANEL);
      pack(b.X, b.x0 + j0 * b.cs, mem, pbOff, cols, k, b.cs, b.rs);
      for (let kc0 = 0; kc0 < k || kc0 === 0; kc0 += KC) {
        w.gemm(kc0 * PANEL, pbOff + kc0 * PANEL, pcOff, mPanels, nPanels, Math.min(KC, k - kc0), k, kc0 > 0);
      }
      for (let ib = 0; ib < mPanels; ib++) {
        for (let jb = 0; jb < nPanels; jb++) {
          storeBlock(mem, pcOff + (ib * nPanels + jb) * PANEL * PANEL, out, ib * PANEL, j0 + jb * PANEL);
        }
      }
    }
    return;
  }

  if (packA.length < needA) packA = new Float64Array(needA);
  pack(a.X, a.x0, packA, 0, m, k, a.rs, a.cs);
  if (packB.length < needB) packB = new Float64Array(needB);
  for (let j0 = 0; j0 < n; j0 += chunkCols) {
    const cols = Math.min(chunkCols, n - j0);
    pack(b.X, b.x0 + j0 * b.cs, packB, 0, cols, k, b.cs, b.rs);
    const nPanels = Math.ceil(cols / PANEL);
    for (let ib = 0; ib < mPanels; ib++) {
      for (let jb = 0; jb < nPanels; jb++) {
        kernel4x4(packA, packB, out, k, ib * PANEL * k, jb * PANEL * k, ib * PANEL, j0 + jb * PANEL);
      }
    }
  }
}

interface Out {
  C: Floats;
  c0: number;
  ldc: number;
  m: number;
  n: number;
  alpha: number;
  acc: boolean;
}

/**
 * Panels of 4 "rows" of a strided matrix X (row r, column kk at X[x0 + r·rs + kk·ks]), rows ≥
 * `rows` zero: dst[d0 + (panel·k + kk)·4 + (r mod 4)].
 */
function pack(X: Floats, x0: number, dst: Float64Array, d0: number, rows: number, k: number, rs: number, ks: number): void {
  const panels = Math.ceil(rows / PANEL);
  for (let pi = 0; pi < panels; pi++) {
    const base = d0 + pi * PANEL * k;
    for (let r = 0; r < PANEL; r++) {
      const row = pi * PANEL + r;
      let o = base + r;
      if (row < rows) {
        let s = x0 + row * rs;
        for (let kk = 0; kk < k; kk++) {
          dst[o] = X[s]!;
          o += PANEL;
          s += ks;
        }
      } else {
        for (let kk = 0; kk < k; kk++) {
          dst[o] = 0;
          o += PANEL;
        }
      }
    }
  }
}

/** out[i0.., j0..] (+)= alpha · (4×4 block of packed A panel at ao times packed B panel at bo). */
function kernel4x4(pa: Float64Array, pb: Float64Array, out: Out, k: number, ao: number, bo: number, i0: number, j0: number): void {
  let c00 = 0, c01 = 0, c02 = 0, c03 = 0;
  let c10 = 0, c11 = 0, c12 = 0, c13 = 0;
  let c20 = 0, c21 = 0, c22 = 0, c23 = 0;
  let c30 = 0, c31 = 0, c32 = 0, c33 = 0;
  for (let kk = 0; kk < k; kk++) {
    const a0 = pa[ao]!, a1 = pa[ao + 1]!, a2 = pa[ao + 2]!, a3 = pa[ao + 3]!;
    const b0 = pb[bo]!, b1 = pb[bo + 1]!, b2 = pb[bo + 2]!, b3 = pb[bo + 3]!;
    c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3;
    c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3;
    c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2; c23 += a2 * b3;
    c30 += a3 * b0; c31 += a3 * b1; c32 += a3 * b2; c33 += a3 * b3;
    ao += PANEL;
    bo += PANEL;
  }
  const { C, ldc: n, alpha, acc } = out;
  if (i0 + PANEL <= out.m && j0 + PANEL <= out.n) {
    let o = out.c0 + i0 * n + j0;
    if (acc) {
      C[o] += alpha * c00; C[o + 1] += alpha * c01; C[o + 2] += alpha * c02; C[o + 3] += alpha * c03; o += n;
      C[o] += alpha * c10; C[o + 1] += alpha * c11; C[o + 2] += alpha * c12; C[o + 3] += alpha * c13; o += n;
      C[o] += alpha * c20; C[o + 1] += alpha * c21; C[o + 2] += alpha * c22; C[o + 3] += alpha * c23; o += n;
      C[o] += alpha * c30; C[o + 1] += alpha * c31; C[o + 2] += alpha * c32; C[o + 3] += alpha * c33;
    } else {
      C[o] = alpha * c00; C[o + 1] = alpha * c01; C[o + 2] = alpha * c02; C[o + 3] = alpha * c03; o += n;
      C[o] = alpha * c10; C[o + 1] = alpha * c11; C[o + 2] = alpha * c12; C[o + 3] = alpha * c13; o += n;
      C[o] = alpha * c20; C[o + 1] = alpha * c21; C[o + 2] = alpha * c22; C[o + 3] = alpha * c23; o += n;
      C[o] = alpha * c30; C[o + 1] = alpha * c31; C[o + 2] = alpha * c32; C[o + 3] = alpha * c33;
    }
    return;
  }
  storeBlock([c00, c01, c02, c03, c10, c11, c12, c13, c20, c21, c22, c23, c30, c31, c32, c33], 0, out, i0, j0);
}

/** C[i0 + r, j0 + c] (+)= alpha · block[b0 + 4r + c] for the entries inside m×n. */
function storeBlock(block: ArrayLike<number>, b0: number, out: Out, i0: number, j0: number): void {
  const { C, alpha, acc } = out;
  const rows = Math.min(PANEL, out.m - i0);
  const cols = Math.min(PANEL, out.n - j0);
  for (let r = 0; r < rows; r++) {
    const o = out.c0 + (i0 + r) * out.ldc + j0;
    const s = b0 + r * PANEL;
    if (acc) for (let c = 0; c < cols; c++) C[o + c] += alpha * block[s + c]!;
    else for (let c = 0; c < cols; c++) C[o + c] = alpha * block[s + c]!;
  }
}
