/**
 * CPU matrix multiply, out (m×n) (+)= alpha · op(A) · op(B).
 *
 * Two loop shapes, picked by where B's contiguous direction lies:
 * - B not transposed ([k, n]): i-k-j. The inner loop runs along a row of B and a row of the
 *   output, both contiguous; four output rows share each loaded B value (register blocking),
 *   and columns are tiled so the B strip being re-read stays in L2.
 * - B transposed ([n, k], the Hugging Face linear layout x Wᵀ): dot products along k, where a
 *   row of A and a row of B are both contiguous; a 4×2 block of outputs shares every load, and
 *   B rows are tiled so a tile is reused by all row blocks of A before it leaves the cache.
 * Sums run in JS doubles (f64) and are rounded once when stored, so accuracy does not degrade
 * with k the way an f32 accumulator would.
 */
import type { MatmulParams } from '../backend.ts';
import type { Floats } from './storage.ts';

const COL_TILE = 256; // i-k-j: 4 rows × 256 f64 accumulators = 8 KiB, L1-resident
const B_TILE_FLOATS = 1 << 16; // dot form: ≈ 256 KiB of B rows per tile

let scratch = new Float64Array(4 * COL_TILE);

export function matmul(A: Floats, B: Floats, C: Floats, p: MatmulParams): void {
  const { m, n, k } = p;
  if (A.length < m * k || B.length < k * n || C.length < m * n) {
    throw new Error(`matmul: buffers too small for m=${m} n=${n} k=${k} (A ${A.length}, B ${B.length}, C ${C.length})`);
  }
  // A element (i, kk) sits at i·aI + kk·aK.
  const aI = p.transA ? 1 : k;
  const aK = p.transA ? m : 1;
  const alpha = p.alpha ?? 1;
  const acc = p.accumulate ?? false;
  if (p.transB) dotForm(A, B, C, m, n, k, aI, aK, alpha, acc);
  else ikj(A, B, C, m, n, k, aI, aK, alpha, acc);
}

function ikj(A: Floats, B: Floats, C: Floats, m: number, n: number, k: number, aI: number, aK: number, alpha: number, acc: boolean): void {
  if (scratch.length < 4 * COL_TILE) scratch = new Float64Array(4 * COL_TILE);
  const s = scratch;
  for (let j0 = 0; j0 < n; j0 += COL_TILE) {
    const w = Math.min(COL_TILE, n - j0);
    for (let i0 = 0; i0 < m; i0 += 4) {
      const rows = Math.min(4, m - i0);
      s.fill(0, 0, 4 * COL_TILE);
      if (rows === 4) {
        for (let kk = 0; kk < k; kk++) {
          const a0 = A[i0 * aI + kk * aK]!;
          const a1 = A[(i0 + 1) * aI + kk * aK]!;
          const a2 = A[(i0 + 2) * aI + kk * aK]!;
          const a3 = A[(i0 + 3) * aI + kk * aK]!;
          const bo = kk * n + j0;
          for (let j = 0; j < w; j++) {
            const b = B[bo + j]!;
            s[j] += a0 * b;
            s[COL_TILE + j] += a1 * b;
            s[2 * COL_TILE + j] += a2 * b;
            s[3 * COL_TILE + j] += a3 * b;
          }
        }
      } else {
        for (let r = 0; r < rows; r++) {
          const so = r * COL_TILE;
          for (let kk = 0; kk < k; kk++) {
            const a = A[(i0 + r) * aI + kk * aK]!;
            const bo = kk * n + j0;
            for (let j = 0; j < w; j++) s[so + j] += a * B[bo + j]!;
          }
        }
      }
      for (let r = 0; r < rows; r++) {
        const co = (i0 + r) * n + j0;
        const so = r * COL_TILE;
        if (acc) for (let j = 0; j < w; j++) C[co + j] += alpha * s[so + j]!;
        else for (let j = 0; j < w; j++) C[co + j] = alpha * s[so + j]!;
      }
    }
  }
}

function dotForm(A: Floats, B: Floats, C: Floats, m: number, n: number, k: number, aI: number, aK: number, alpha: number, acc: boolean): void {
  const tile = Math.max(2, Math.floor(B_TILE_FLOATS / Math.max(1, k)));
  const store = (i: number, j: number, v: number): void => {
    const o = i * n + j;
    C[o] = acc ? C[o]! + alpha * v : alpha * v;
  };
  for (let j0 = 0; j0 < n; j0 += tile) {
    const j1 = Math.min(n, j0 + tile);
    let i = 0;
    if (aK === 1) {
      for (; i + 4 <= m; i += 4) {
        const r0 = i * aI;
        const r1 = r0 + aI;
        const r2 = r1 + aI;
        const r3 = r2 + aI;
        let j = j0;
        for (; j + 2 <= j1; j += 2) {
          const b0 = j * k;
          const b1 = b0 + k;
          let s00 = 0, s01 = 0, s10 = 0, s11 = 0, s20 = 0, s21 = 0, s30 = 0, s31 = 0;
          for (let kk = 0; kk < k; kk++) {
            const x0 = B[b0 + kk]!;
            const x1 = B[b1 + kk]!;
            const y0 = A[r0 + kk]!;
            const y1 = A[r1 + kk]!;
            const y2 = A[r2 + kk]!;
            const y3 = A[r3 + kk]!;
            s00 += y0 * x0; s01 += y0 * x1;
            s10 += y1 * x0; s11 += y1 * x1;
            s20 += y2 * x0; s21 += y2 * x1;
            s30 += y3 * x0; s31 += y3 * x1;
          }
          store(i, j, s00); store(i, j + 1, s01);
          store(i + 1, j, s10); store(i + 1, j + 1, s11);
          store(i + 2, j, s20); store(i + 2, j + 1, s21);
          store(i + 3, j, s30); store(i + 3, j + 1, s31);
        }
        for (; j < j1; j++) {
          const b0 = j * k;
          let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
          for (let kk = 0; kk < k; kk++) {
            const x = B[b0 + kk]!;
            s0 += A[r0 + kk]! * x; s1 += A[r1 + kk]! * x; s2 += A[r2 + kk]! * x; s3 += A[r3 + kk]! * x;
          }
          store(i, j, s0); store(i + 1, j, s1); store(i + 2, j, s2); store(i + 3, j, s3);
        }
      }
    }
    // Remaining rows, and the strided-A case (transA with transB, rare): plain dot products.
    for (; i < m; i++) {
      for (let j = j0; j < j1; j++) {
        const b0 = j * k;
        let s = 0;
        for (let kk = 0; kk < k; kk++) s += A[i * aI + kk * aK]! * B[b0 + kk]!;
        store(i, j, s);
      }
    }
  }
}
