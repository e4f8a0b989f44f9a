/**
 * IEEE binary16 (F16) and bfloat16 (BF16) conversions to and from 32-bit floats.
 *
 * Hand-written because the platform has none that we can rely on: `Float16Array` and
 * `Math.f16round` exist only in recent engines (not Node 20, not every browser we target), and
 * bfloat16 has no platform support at all. Model weights on the Hub are mostly BF16 or F16, so
 * the decoding must be exact, including subnormals, infinities and NaN.
 *
 * Encoding rounds to nearest, ties to even, from the value first rounded to f32 — the same double
 * rounding PyTorch does for `double_tensor.to(torch.float16 / torch.bfloat16)`, so fixtures written
 * by either side agree bit for bit.
 */

const scratchF32 = new Float32Array(1);
const scratchU32 = new Uint32Array(scratchF32.buffer);

/** The bit pattern of `x` rounded to f32. */
export function f32Bits(x: number): number {
  scratchF32[0] = x;
  return scratchU32[0]!;
}

/** The f32 whose bit pattern is `bits`. */
export function f32FromBits(bits: number): number {
  scratchU32[0] = bits >>> 0;
  return scratchF32[0]!;
}

/** f32 bit pattern of the F16 value with bits `h` (NaN payloads and signs are kept). */
function f16ToF32BitsUncached(h: number): number {
  const sign = (h & 0x8000) << 16;
  const exp = (h >>> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0x1f) return (sign | 0x7f800000 | (mant << 13)) >>> 0;
  if (exp !== 0) return (sign | ((exp - 15 + 127) << 23) | (mant << 13)) >>> 0;
  if (mant === 0) return sign >>> 0;
  // Subnormal: mant · 2^-24 is exact in f32 (which has a far wider exponent range).
  return (sign | f32Bits(mant * 2 ** -24)) >>> 0;
}

let f16Table: Uint32Array | null = null;

/** All 65536 F16 values as f32 bit patterns (256 KiB, built on first use): decoding is one lookup. */
function f16ToF32Table(): Uint32Array {
  if (f16Table === null) {
    f16Table = new Uint32Array(65536);
    for (let h = 0; h < 65536; h++) f16Table[h] = f16ToF32BitsUncached(h);
  }
  return f16Table;
}

export function f16BitsToNumber(h: number): number {
  return f32FromBits(f16ToF32Table()[h & 0xffff]!);
}

export function bf16BitsToNumber(b: number): number {
  return f32FromBits((b & 0xffff) << 16);
}

function roundHalfEven(v: number): number {
  const f = Math.floor(v);
  const d = v - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

/** F16 bit pattern nearest to `x` (via f32, ties to even; overflow gives ±Inf, NaN a quiet NaN). */
export function numberToF16Bits(x: number): number {
  const bits = f32Bits(x);
  const sign = (bits >>> 16) & 0x8000;
  const exp32 = (bits >>> 23) & 0xff;
  const mant32 = bits & 0x7fffff;
  if (exp32 === 0xff) return mant32 === 0 ? sign | 0x7c00 : sign | 0x7e00 | (mant32 >>> 13);
  const a = Math.abs(f32FromBits(bits));
  // 65520 is halfway between the largest F16 (65504) and 2^16; the tie rounds to the even 2^16 → Inf.
  if (a >= 65520) return sign | 0x7c00;
  if (a < 2 ** -14) {
    // Subnormal range: count units of 2^-24. A result of 1024 is correctly the smallest normal.
    return sign | roundHalfEven(a * 2 ** 24);
  }
  let e = exp32 - 127;
  let mant = roundHalfEven((a / 2 ** e - 1) * 1024);
  if (mant === 1024) {
    mant = 0;
    e += 1;
  }
  return sign | ((e + 15) << 10) | mant;
}

/** BF16 bit pattern nearest to `x` (via f32, ties to even; NaN stays a quiet NaN). */
export function numberToBf16Bits(x: number): number {
  const bits = f32Bits(x);
  if ((bits & 0x7f800000) === 0x7f800000 && (bits & 0x7fffff) !== 0) return ((bits >>> 16) | 0x40) & 0xffff;
  // Adding 0x7fff plus the lowest kept bit rounds to nearest even; a carry into the exponent
  // correctly turns the largest finite values into Inf.
  return ((bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16) & 0xffff;
}

/** Decode `count` little-endian F16 values starting at `byteOffset` of `bytes`. */
export function decodeF16(bytes: Uint8Array, byteOffset: number, count: number): Float32Array {
  const table = f16ToF32Table();
  const out = new Float32Array(count);
  const outBits = new Uint32Array(out.buffer);
  const view = new DataView(bytes.buffer, bytes.byteOffset + byteOffset, count * 2);
  for (let i = 0; i < count; i++) outBits[i] = table[view.getUint16(2 * i, true)]!;
  return out;
}

/** Decode `count` little-endian BF16 values starting at `byteOffset` of `bytes`. */
export function decodeBf16(bytes: Uint8Array, byteOffset: number, count: number): Float32Array {
  const out = new Float32Array(count);
  const outBits = new Uint32Array(out.buffer);
  const view = new DataView(bytes.buffer, bytes.byteOffset + byteOffset, count * 2);
  for (let i = 0; i < count; i++) outBits[i] = view.getUint16(2 * i, true) << 16;
  return out;
}
