/**
 * The CPU backend's two kernel sets, and the exp that tells them apart.
 * - 'reference': Math.exp everywhere and the f64 attention kernel. Pretraining keeps it
 *   (models/pretrain: pretrainBackend, unless a recipe asks for --kernels fast), so recorded recipes keep reproducing their weights byte for byte.
 * - 'fast' (the default): `fastExp` in the softmaxes (attention, cross-entropy) and SiLU,
 *   attention's f32x4 training path (attention32.ts) and, on f32 storage, the f32x4 matmul
 *   (matmul32.ts; f32 sums where 'reference' sums in f64). fastExp is as accurate as Math.exp
 *   (≤ 1e-15 relative, tested) but rounds differently in the last bits, and costs ≈ 6 ns against
 *   ≈ 13 ns here (docs/benchmarks.md).
 */
export const CPU_KERNEL_SETS = ['reference', 'fast'] as const;
export type CpuKernels = (typeof CPU_KERNEL_SETS)[number];

// exp(x) = 2^(k/64) · e^r with k = round(64x/ln 2), |r| ≤ ln 2/128: e^r by its Taylor series to
// r^5 (truncation < 1e-16; the rest is rounding, ≤ 5e-16 measured), 2^(k/64) from two tables.
const INV_STEP = 64 / Math.LN2;
// ln 2 / 64 in two parts (fdlibm's split of ln 2, scaled by 2^-6): the high part has trailing
// zeros so that k · STEP_HI is exact, the low part carries ln 2 to ≈ 1e-27.
const STEP_HI = 6.93147180369123816490e-01 / 64;
const STEP_LO = 1.90821492927058770002e-10 / 64;
const ROUND = 6755399441055744; // 1.5 · 2^52: adding and subtracting it rounds a double to an integer
const FRACTION = Float64Array.from({ length: 64 }, (_, j) => 2 ** (j / 64));
const EXPONENT_BIAS = 1100;
const EXPONENT = Float64Array.from({ length: EXPONENT_BIAS + 1025 }, (_, i) => 2 ** (i - EXPONENT_BIAS));

/** e^x for x ≤ 709 (attention exponentiates score − max ≤ 0); 0 at and below −745 (Math.exp: 0 below −745.1). */
export function fastExp(x: number): number {
  if (!(x > -745)) return x === x ? 0 : NaN;
  const kd = x * INV_STEP + ROUND - ROUND;
  const k = kd | 0;
  const r = x - kd * STEP_HI - kd * STEP_LO;
  const r2 = r * r;
  const p = 1 + r + r2 * (0.5 + r * (1 / 6) + r2 * (1 / 24 + r * (1 / 120)));
  return p * FRACTION[k & 63]! * EXPONENT[(k >> 6) + EXPONENT_BIAS]!;
}
