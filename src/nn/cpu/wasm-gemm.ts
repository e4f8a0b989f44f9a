/**
 * The matmul's inner loop nest as a WebAssembly SIMD function (f64x2), for the packed panels of
 * matmul.ts. Why WebAssembly: JS has no SIMD, and scalar JS tops out near 3–4 GFLOP/s here
 * (docs/benchmarks.md, "Engine (CPU)"); f64x2 does two multiply-adds per instruction and keeps the
 * engine's f64 accumulation, so results are bit-identical to the scalar kernel (same products,
 * same summation order, no fused multiply-add in WebAssembly).
 *
 * The bytes are emitted by wasm-bytes.ts (why: there). 645 bytes; a test keeps it under 4 KiB. Where
 * WebAssembly SIMD is missing (very old browsers) `createWasmGemm` returns null and matmul.ts
 * runs its scalar kernel.
 *
 * gemm(pa, pb, pc, mPanels, nPanels, kc, ldk, load): for every A panel ib (4 rows, interleaved:
 * pa + (ib·ldk + kk)·32 bytes holds rows 0..3 at column kk) and B panel jb (the same for 4
 * columns), the 4×4 block Σ_{kk < kc} a·b, row-major as 16 f64 at pc + (ib·nPanels + jb)·128
 * bytes; with load ≠ 0 the sums continue from the block already there. Calling it per k-block
 * (pa, pb advanced by the block's start) thus adds the same products in the same order as one
 * call over all of k: k-blocking for the cache without changing a single rounding.
 */
import {
  c32, ensureBytes, F64X2_ADD, F64X2_MUL, F64X2_SPLAT, get, instantiate, memarg as wasmMemarg, moduleBytes, op, set, simd, V128_CONST, V128_LOAD, V128_STORE,
} from './wasm-bytes.ts';

const memarg = (offset: number): number[] => wasmMemarg(3, offset); // align 2^3: a hint only

/** The module's bytes (exported for the size test). */
export function gemmModuleBytes(): Uint8Array<ArrayBuffer> {
  // params 0..7: pa, pb, pc, mPanels, nPanels, kc, ldk, load; i32 locals 8..13: ib, jb, kk, a, b, c;
  // v128 locals 14..21: the 4×4 block as 8 f64x2 (row r, columns 0–1 and 2–3); 22, 23: b01, b23; 24: a splat.
  const [PA, PB, PC, MP, NP, KC, LDK, LOAD, IB, JB, KK, A, B, C] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13];
  const ACC = 14;
  const B01 = 22;
  const B23 = 23;
  const AV = 24;
  const code: number[] = [
    ...get(PC), ...set(C),
    ...c32(0), ...set(IB),
    ...op.block, ...op.loop, // rows of panels
    ...get(IB), ...get(MP), op.geU, op.brIf, 1,
    ...c32(0), ...set(JB),
    ...op.block, ...op.loop, // columns of panels
    ...get(JB), ...get(NP), op.geU, op.brIf, 1,
    // a = pa + ib·ldk·32, b = pb + jb·ldk·32
    ...get(PA), ...get(IB), ...get(LDK), op.mul, ...c32(32), op.mul, op.add, ...set(A),
    ...get(PB), ...get(JB), ...get(LDK), op.mul, ...c32(32), op.mul, op.add, ...set(B),
    // The block starts from the sums of the previous k-block (load ≠ 0) or from zero.
    ...get(LOAD), ...op.ifElse,
  ];
  for (let i = 0; i < 8; i++) code.push(...get(C), ...simd(V128_LOAD, ...memarg(16 * i)), ...set(ACC + i));
  code.push(op.else);
  for (let i = 0; i < 8; i++) code.push(...simd(V128_CONST, ...new Array<number>(16).fill(0)), ...set(ACC + i));
  code.push(...op.end);
  // One kk step: 2 loads of B, 4 splats of A, 8 mul + 8 add. (Unrolling by 2 measured no faster.)
  code.push(
    ...get(KC), ...set(KK),
    ...op.block, ...op.loop, // kk
    ...get(KK), op.eqz, op.brIf, 1,
    ...get(B), ...simd(V128_LOAD, ...memarg(0)), ...set(B01),
    ...get(B), ...simd(V128_LOAD, ...memarg(16)), ...set(B23),
  );
  for (let r = 0; r < 4; r++) {
    code.push(...get(A), op.f64load, ...memarg(8 * r), ...simd(F64X2_SPLAT), ...set(AV));
    for (let h = 0; h < 2; h++) {
      const acc = ACC + 2 * r + h;
      code.push(...get(acc), ...get(AV), ...get(h === 0 ? B01 : B23), ...simd(F64X2_MUL), ...simd(F64X2_ADD), ...set(acc));
    }
  }
  code.push(
    ...get(A), ...c32(32), op.add, ...set(A),
    ...get(B), ...c32(32), op.add, ...set(B),
    ...get(KK), ...c32(1), op.sub, ...set(KK),
    op.br, 0,
    ...op.end, ...op.end, // kk
  );
  for (let i = 0; i < 8; i++) code.push(...get(C), ...get(ACC + i), ...simd(V128_STORE, ...memarg(16 * i)));
  code.push(
    ...get(C), ...c32(128), op.add, ...set(C),
    ...get(JB), ...c32(1), op.add, ...set(JB),
    op.br, 0,
    ...op.end, ...op.end, // columns
    ...get(IB), ...c32(1), op.add, ...set(IB),
    op.br, 0,
    ...op.end, ...op.end, // rows
    ...op.end, // function
  );
  return moduleBytes('gemm', 8, 6, 11, code);
}

export interface WasmGemm {
  /** A Float64Array over the module's memory, at least `doubles` long (the memory grows on demand). */
  view(doubles: number): Float64Array;
  /** See the file header; offsets are in doubles into `view`. */
  gemm(pa: number, pb: number, pc: number, mPanels: number, nPanels: number, kc: number, ldk: number, load: boolean): void;
}

/** The compiled kernel, or null where WebAssembly (SIMD) is unavailable. */
export function createWasmGemm(): WasmGemm | null {
  const m = instantiate<(pa: number, pb: number, pc: number, mp: number, np: number, kc: number, ldk: number, load: number) => void>(gemmModuleBytes(), 'gemm');
  if (!m) return null;
  let f64 = new Float64Array(m.mem.buffer);
  return {
    view(doubles: number): Float64Array {
      ensureBytes(m.mem, doubles * 8);
      if (f64.buffer !== m.mem.buffer) f64 = new Float64Array(m.mem.buffer);
      return f64;
    },
    gemm(pa, pb, pc, mp, np, kc, ldk, load) {
      m.fn(pa * 8, pb * 8, pc * 8, mp, np, kc, ldk, load ? 1 : 0);
    },
  };
}
