/**
 * An f32x4 WebAssembly SIMD matrix product, the 'fast' kernels' (cpu/fast-exp.ts): attention's
 * training path (attention32.ts) and the matmul on f32 storage (matmul32.ts). C (+)= A · B with
 * A read through any row and column stride (so Q, P, dS and their transposes are read where they
 * lie, nothing packed), B row-major with its columns contiguous, C row-major. Why a second
 * kernel next to wasm-gemm.ts: on thin products (the head size 16, LoRA's rank 8) the packed f64
 * matmul spends as long packing and storing in JS as multiplying (docs/benchmarks.md, "SFT
 * training throughput"); here operands stay in the module's memory and f32x4 lanes do four
 * multiply-adds per instruction, twice f64x2's. Sums are f32 (relative error ≈ √k · 6e-8), as in
 * PyTorch and the WebGPU backend; the 'reference' kernels keep f64 sums for what must reproduce
 * to the last bit (pretraining's recipe) and gradient checks run on f64 storage.
 *
 * gemm32(a, ars, acs, b, ldb, c, ldc, m4, n8, k, load), every address and stride in bytes: for
 * row groups ib < m4 (rows 4ib..4ib+3) and column groups jb < n8 (columns 8jb..8jb+7),
 * C[i][j] = (load ? C[i][j] : 0) + Σ_{kk<k} A(i, kk) · B(kk, j), where A(i, kk) is the f32 at
 * a + i·ars + kk·acs, B(kk, j) at b + kk·ldb + 4j and C[i][j] at c + i·ldc + 4j. Callers pad:
 * m to a multiple of 4 and n to a multiple of 8, with memory behind every padded element.
 */
import {
  c32, ensureBytes, F32X4_ADD, F32X4_MUL, get, instantiate, memarg, moduleBytes, op, set, simd, V128_CONST, V128_LOAD, V128_LOAD32_SPLAT, V128_STORE,
} from './wasm-bytes.ts';

/** The module's bytes (exported for the size test). */
export function gemm32ModuleBytes(): Uint8Array<ArrayBuffer> {
  const [A, ARS, ACS, B, LDB, C, LDC, M4, N8, K, LOAD] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  const [IB, JB, KK, AP, BP, CP, AROW, BCOL, CROW, ARS2, ARS3, LDC2, LDC3] = [11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23];
  const ACC = 24; // 8 v128: row r, columns 0–3 (ACC + 2r) and 4–7 (ACC + 2r + 1)
  const B0 = 32;
  const B1 = 33;
  const AV = 34;
  const rowOf = (base: number, s1: number, s2: number, s3: number, r: number): number[] =>
    r === 0 ? get(base) : [...get(base), ...get([s1, s2, s3][r - 1]!), op.add];
  const code: number[] = [
    ...get(ARS), ...c32(1), 0x74 /* i32.shl */, ...set(ARS2),
    ...get(ARS2), ...get(ARS), op.add, ...set(ARS3),
    ...get(LDC), ...c32(1), 0x74, ...set(LDC2),
    ...get(LDC2), ...get(LDC), op.add, ...set(LDC3),
    ...get(A), ...set(AROW), ...get(C), ...set(CROW),
    ...c32(0), ...set(IB),
    ...op.block, ...op.loop, // row groups
    ...get(IB), ...get(M4), op.geU, op.brIf, 1,
    ...get(B), ...set(BCOL), ...get(CROW), ...set(CP),
    ...c32(0), ...set(JB),
    ...op.block, ...op.loop, // column groups
    ...get(JB), ...get(N8), op.geU, op.brIf, 1,
    ...get(LOAD), ...op.ifElse,
  ];
  for (let r = 0; r < 4; r++) {
    for (let h = 0; h < 2; h++) code.push(...rowOf(CP, LDC, LDC2, LDC3, r), ...simd(V128_LOAD, ...memarg(2, 16 * h)), ...set(ACC + 2 * r + h));
  }
  code.push(op.else);
  for (let i = 0; i < 8; i++) code.push(...simd(V128_CONST, ...new Array<number>(16).fill(0)), ...set(ACC + i));
  code.push(
    ...op.end,
    ...get(AROW), ...set(AP), ...get(BCOL), ...set(BP), ...get(K), ...set(KK),
    ...op.block, ...op.loop, // kk: 2 loads of B, 4 splats of A, 8 mul + 8 add
    ...get(KK), op.eqz, op.brIf, 1,
    ...get(BP), ...simd(V128_LOAD, ...memarg(2, 0)), ...set(B0),
    ...get(BP), ...simd(V128_LOAD, ...memarg(2, 16)), ...set(B1),
  );
  for (let r = 0; r < 4; r++) {
    code.push(...rowOf(AP, ARS, ARS2, ARS3, r), ...simd(V128_LOAD32_SPLAT, ...memarg(2, 0)), ...set(AV));
    for (let h = 0; h < 2; h++) {
      const acc = ACC + 2 * r + h;
      code.push(...get(acc), ...get(AV), ...get(h === 0 ? B0 : B1), ...simd(F32X4_MUL), ...simd(F32X4_ADD), ...set(acc));
    }
  }
  code.push(
    ...get(AP), ...get(ACS), op.add, ...set(AP),
    ...get(BP), ...get(LDB), op.add, ...set(BP),
    ...get(KK), ...c32(1), op.sub, ...set(KK),
    op.br, 0,
    ...op.end, ...op.end, // kk
  );
  for (let r = 0; r < 4; r++) {
    for (let h = 0; h < 2; h++) code.push(...rowOf(CP, LDC, LDC2, LDC3, r), ...get(ACC + 2 * r + h), ...simd(V128_STORE, ...memarg(2, 16 * h)));
  }
  code.push(
    ...get(CP), ...c32(32), op.add, ...set(CP),
    ...get(BCOL), ...c32(32), op.add, ...set(BCOL),
    ...get(JB), ...c32(1), op.add, ...set(JB),
    op.br, 0,
    ...op.end, ...op.end, // column groups
    ...get(AROW), ...get(ARS), ...c32(2), 0x74, op.add, ...set(AROW),
    ...get(CROW), ...get(LDC), ...c32(2), 0x74, op.add, ...set(CROW),
    ...get(IB), ...c32(1), op.add, ...set(IB),
    op.br, 0,
    ...op.end, ...op.end, // row groups
    ...op.end, // function
  );
  return moduleBytes('gemm32', 11, 13, 11, code);
}

export interface WasmGemm32 {
  /** A Float32Array over the module's memory, at least `floats` long (the memory grows on demand; views taken before a growth are stale). */
  view(floats: number): Float32Array;
  /** See the file header; addresses and strides here are in floats into `view`. */
  gemm(a: number, ars: number, acs: number, b: number, ldb: number, c: number, ldc: number, m4: number, n8: number, k: number, load: boolean): void;
}

/** The compiled kernel, or null where WebAssembly SIMD is unavailable. */
export function createWasmGemm32(): WasmGemm32 | null {
  type Fn = (a: number, ars: number, acs: number, b: number, ldb: number, c: number, ldc: number, m4: number, n8: number, k: number, load: number) => void;
  const m = instantiate<Fn>(gemm32ModuleBytes(), 'gemm32');
  if (!m) return null;
  let f32 = new Float32Array(m.mem.buffer);
  return {
    view(floats: number): Float32Array {
      ensureBytes(m.mem, floats * 4);
      if (f32.buffer !== m.mem.buffer) f32 = new Float32Array(m.mem.buffer);
      return f32;
    },
    gemm(a, ars, acs, b, ldb, c, ldc, m4, n8, k, load) {
      m.fn(4 * a, 4 * ars, 4 * acs, 4 * b, 4 * ldb, 4 * c, 4 * ldc, m4, n8, k, load ? 1 : 0);
    },
  };
}

let shared: WasmGemm32 | null | undefined;

/** The one instance attention32.ts and matmul32.ts share (compiled once, one memory; their calls never overlap), or null without WebAssembly SIMD. */
export function gemm32(): WasmGemm32 | null {
  if (shared === undefined) shared = createWasmGemm32();
  return shared;
}

/** n rounded up to a multiple of m (the tiles' 4 rows and 8 columns). */
export const roundUp = (n: number, m: number): number => Math.ceil(n / m) * m;
