/**
 * NF4 ("4-bit NormalFloat") weight quantization as in QLoRA (Dettmers et al. 2023) and
 * bitsandbytes `quantize_4bit(quant_type="nf4", blocksize=64)`, for the frozen base weights of
 * QLoRA training.
 *
 * Hand-written because there is no JavaScript NF4 library; bitsandbytes is CUDA/C++ only.
 *
 * Layout (identical in tools/make-fixtures.py, which produces the golden NF4 fixtures):
 * - The weight is row-major [rows, cols] (a Linear's [out, in]), flattened; blocks are 64
 *   consecutive elements of that flat order, so a block may straddle rows, exactly as in
 *   bitsandbytes. The last block may be shorter.
 * - One absmax per block, stored as f32. bitsandbytes' optional double quantization (8-bit
 *   absmax with a second-level scale, 4.127 bits/weight) is NOT done: it saves 0.37 bits/weight
 *   but adds a lossy step that makes golden comparisons harder. Cost: 4 + 32/64 = 4.5 bits/weight.
 * - Codes are packed two per byte: element 2k in the HIGH nibble, element 2k+1 in the LOW nibble
 *   (bitsandbytes' kQuantizeBlockwise order). An odd element count leaves the last low nibble 0.
 * - Quantization: n = fround(w / absmax) (correctly rounded f32 division), then the code is the
 *   number of midpoints m_c = (T[c] + T[c+1]) / 2 (computed in f64 from the f32 table) with
 *   n > m_c — nearest code value, ties to the lower code, as in bitsandbytes' dQuantizeNF4.
 *   (bitsandbytes multiplies by a GPU-approximate reciprocal instead, so its codes can differ
 *   from ours for values within an ulp of a midpoint; ours are reproducible on any machine.)
 *   A block whose absmax is 0 gets code 7 (the exact 0.0) everywhere.
 * - Dequantization: w' = fround(T[code] · absmax) (one f32 product).
 */

/**
 * The 16 NF4 code values, exactly bitsandbytes' table (functional.py get_4bit_type('nf4') and
 * the NF4 lookup in csrc/kernels.cu): quantiles of N(0, 1) normalised to [-1, 1], with an exact
 * zero. The decimal literals are those f32 values printed in full.
 */
export const NF4_CODE_VALUES: Float32Array = Float32Array.from([
  -1.0, -0.6961928009986877, -0.5250730514526367, -0.39491748809814453, -0.28444138169288635, -0.18477343022823334,
  -0.09105003625154495, 0.0, 0.07958029955625534, 0.16093020141124725, 0.24611230194568634, 0.33791524171829224,
  0.44070982933044434, 0.5626170039176941, 0.7229568362236023, 1.0,
]);

export const NF4_BLOCK_SIZE = 64;

/** The code of 0.0, used for all-zero blocks. */
const ZERO_CODE = 7;

const MIDPOINTS: Float64Array = Float64Array.from({ length: 15 }, (_, c) => (NF4_CODE_VALUES[c]! + NF4_CODE_VALUES[c + 1]!) / 2);

export interface Nf4Weight {
  /** Output features (rows of the [out, in] weight). */
  readonly rows: number;
  /** Input features. */
  readonly cols: number;
  /** ceil(rows·cols / 2) bytes; element 2k in the high nibble, 2k+1 in the low nibble. */
  readonly codes: Uint8Array;
  /** ceil(rows·cols / 64) f32 block scales. */
  readonly absmax: Float32Array;
}

/** Nearest code index for a value already divided by its block's absmax (so in [-1, 1]). */
export function nf4Code(normalized: number): number {
  let code = 0;
  // Linear scan over 15 midpoints: branch-predictable and simpler to mirror in Python than a
  // hand-unrolled binary tree like bitsandbytes'.
  while (code < 15 && normalized > MIDPOINTS[code]!) code++;
  return code;
}

function checkDims(rows: number, cols: number): void {
  if (!Number.isSafeInteger(rows) || !Number.isSafeInteger(cols) || rows <= 0 || cols <= 0) {
    throw new Error(`nf4: rows and cols must be positive integers, got ${rows} × ${cols}`);
  }
}

/** Quantize a row-major [rows, cols] weight. Non-finite weights are refused. */
export function quantizeNf4(weight: ArrayLike<number>, rows: number, cols: number): Nf4Weight {
  checkDims(rows, cols);
  const total = rows * cols;
  if (weight.length !== total) throw new Error(`nf4: weight has ${weight.length} values, ${rows} × ${cols} needs ${total}`);
  const blocks = Math.ceil(total / NF4_BLOCK_SIZE);
  const codes = new Uint8Array(Math.ceil(total / 2));
  const absmax = new Float32Array(blocks);
  for (let b = 0; b < blocks; b++) {
    const start = b * NF4_BLOCK_SIZE;
    const end = Math.min(start + NF4_BLOCK_SIZE, total);
    let m = 0;
    for (let i = start; i < end; i++) {
      const w = Math.fround(weight[i]!);
      if (!Number.isFinite(w)) throw new Error(`nf4: weight element ${i} is ${weight[i]}; only finite weights can be quantized`);
      m = Math.max(m, Math.abs(w));
    }
    absmax[b] = m;
    for (let i = start; i < end; i++) {
      const code = m === 0 ? ZERO_CODE : nf4Code(Math.fround(Math.fround(weight[i]!) / m));
      codes[i >> 1]! |= (i & 1) === 0 ? code << 4 : code;
    }
  }
  return { rows, cols, codes, absmax };
}

/** Dequantize elements [start, end) of the flat weight into `out` at `outOffset`. */
function dequantizeRange(q: Nf4Weight, start: number, end: number, out: Float32Array, outOffset: number): void {
  let i = start;
  while (i < end) {
    // One block segment at a time so the scale is read once per segment.
    const blockEnd = Math.min(end, (Math.floor(i / NF4_BLOCK_SIZE) + 1) * NF4_BLOCK_SIZE);
    const scale = q.absmax[Math.floor(i / NF4_BLOCK_SIZE)]!;
    for (; i < blockEnd; i++) {
      const byte = q.codes[i >> 1]!;
      const code = (i & 1) === 0 ? byte >> 4 : byte & 0x0f;
      out[outOffset + i - start] = NF4_CODE_VALUES[code]! * scale; // the Float32Array store is the fround
    }
  }
}

/** The whole dequantized [rows, cols] weight as f32. */
export function dequantizeNf4(q: Nf4Weight): Float32Array {
  const out = new Float32Array(q.rows * q.cols);
  dequantizeRange(q, 0, q.rows * q.cols, out, 0);
  return out;
}

/** Bytes held by the quantized weight (codes + absmax). */
export function nf4ByteLength(q: Nf4Weight): number {
  return q.codes.byteLength + q.absmax.byteLength;
}

/**
 * y = x Wᵀ for x [n, cols] (row-major) and the quantized W [rows, cols]: y is [n, rows]. W is
 * dequantized one row at a time into a scratch of `cols` floats, never whole. Sums run in f64 in
 * index order, so the result equals dequantizeNf4 followed by a plain f64-accumulating matmul.
 */
export function nf4MatmulTransposed(x: Float32Array, n: number, q: Nf4Weight, out?: Float32Array): Float32Array {
  const { rows, cols } = q;
  if (!Number.isSafeInteger(n) || n < 0 || x.length !== n * cols) {
    throw new Error(`nf4MatmulTransposed: x has ${x.length} values, expected n × cols = ${n} × ${cols}`);
  }
  const y = out ?? new Float32Array(n * rows);
  if (y.length !== n * rows) throw new Error(`nf4MatmulTransposed: out has ${y.length} values, expected ${n} × ${rows}`);
  const row = new Float32Array(cols);
  for (let o = 0; o < rows; o++) {
    dequantizeRange(q, o * cols, (o + 1) * cols, row, 0);
    for (let r = 0; r < n; r++) {
      const base = r * cols;
      let sum = 0;
      for (let k = 0; k < cols; k++) sum += x[base + k]! * row[k]!;
      y[r * rows + o] = sum;
    }
  }
  return y;
}
