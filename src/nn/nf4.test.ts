import { describe, expect, it } from 'vitest';
import { Rng } from '../core/rng.ts';
import { NF4_BLOCK_SIZE, NF4_CODE_VALUES, dequantizeNf4, nf4ByteLength, nf4Code, nf4MatmulTransposed, quantizeNf4 } from './nf4.ts';

function randomWeight(rng: Rng, count: number, scale = 0.05): Float32Array {
  return Float32Array.from({ length: count }, () => rng.normal() * scale);
}

describe('NF4 table', () => {
  it('holds exactly the bitsandbytes code values', () => {
    const bnb = [
      -1.0, -0.6961928009986877, -0.5250730514526367, -0.39491748809814453, -0.28444138169288635, -0.18477343022823334,
      -0.09105003625154495, 0.0, 0.07958029955625534, 0.16093020141124725, 0.24611230194568634, 0.33791524171829224,
      0.44070982933044434, 0.5626170039176941, 0.7229568362236023, 1.0,
    ];
    expect(Array.from(NF4_CODE_VALUES)).toEqual(bnb.map(Math.fround));
    // The literals are f32 values printed in full, so nothing is lost by storing them as f32.
    expect(bnb.every((v) => Math.fround(v) === v)).toBe(true);
    expect(NF4_BLOCK_SIZE).toBe(64);
  });

  it('maps each code value to its own code and midpoints to the lower code', () => {
    for (let c = 0; c < 16; c++) expect(nf4Code(NF4_CODE_VALUES[c]!)).toBe(c);
    for (let c = 0; c < 15; c++) {
      const mid = (NF4_CODE_VALUES[c]! + NF4_CODE_VALUES[c + 1]!) / 2;
      expect(nf4Code(mid)).toBe(c);
      expect(nf4Code(mid + 1e-9)).toBe(c + 1);
    }
  });
});

describe('NF4 quantization', () => {
  it('packs element 2k in the high nibble and 2k+1 in the low nibble', () => {
    // Block absmax 1: values are the code values themselves.
    const w = [1, -1, 0, NF4_CODE_VALUES[8]!, NF4_CODE_VALUES[14]!];
    const q = quantizeNf4(w, 1, 5);
    expect(Array.from(q.codes)).toEqual([0xf0, 0x78, 0xe0]);
    expect(Array.from(q.absmax)).toEqual([1]);
    expect(Array.from(dequantizeNf4(q))).toEqual(w.map(Math.fround));
  });

  it('keeps every element within half the largest code gap × its block absmax', () => {
    const rng = new Rng(3, 'nf4-error');
    const rows = 37;
    const cols = 45; // 1665 elements: blocks straddle rows and the last block is partial
    const w = randomWeight(rng, rows * cols);
    w[100] = 0.9; // an outlier makes its block coarse
    const q = quantizeNf4(w, rows, cols);
    expect(q.absmax.length).toBe(Math.ceil((rows * cols) / 64));
    const d = dequantizeNf4(q);
    let largestGap = 0;
    for (let c = 0; c < 15; c++) largestGap = Math.max(largestGap, NF4_CODE_VALUES[c + 1]! - NF4_CODE_VALUES[c]!);
    for (let i = 0; i < w.length; i++) {
      const scale = q.absmax[Math.floor(i / 64)]!;
      // Tighter: the error is at most half the gap around the element's own normalized value.
      const n = w[i]! / scale;
      let c = 0;
      while (c < 14 && n > NF4_CODE_VALUES[c + 1]!) c++;
      const ownGap = NF4_CODE_VALUES[c + 1]! - NF4_CODE_VALUES[c]!;
      const err = Math.abs(d[i]! - w[i]!);
      const slack = 1e-6 * scale;
      expect(err).toBeLessThanOrEqual((largestGap / 2) * scale + slack);
      expect(err).toBeLessThanOrEqual((ownGap / 2) * scale + slack);
    }
    // Block absmax is represented exactly.
    expect(d[100]).toBe(Math.fround(0.9));
  });

  it('round-trips values already on the grid exactly', () => {
    const rng = new Rng(4, 'nf4-grid');
    const w = new Float32Array(3 * 64 + 10);
    const scales = [0.013, 2.5, 1e-4, 7];
    for (let i = 0; i < w.length; i++) {
      const b = Math.floor(i / 64);
      // Element 0 of each block carries ±absmax so the block's absmax is the chosen scale.
      const code = i % 64 === 0 ? (rng.next() < 0.5 ? 0 : 15) : rng.int(16);
      w[i] = NF4_CODE_VALUES[code]! * Math.fround(scales[b]!);
    }
    const q = quantizeNf4(w, 2, w.length / 2);
    expect(Array.from(dequantizeNf4(q))).toEqual(Array.from(w));
  });

  it('quantizes an all-zero block to exact zeros and refuses non-finite weights', () => {
    const w = new Float32Array(128);
    w.fill(0.5, 64);
    const d = dequantizeNf4(quantizeNf4(w, 2, 64));
    expect(Array.from(d.subarray(0, 64)).every((v) => v === 0)).toBe(true);
    expect(Array.from(d.subarray(64)).every((v) => v === 0.5)).toBe(true);
    expect(() => quantizeNf4([1, NaN], 1, 2)).toThrow(/finite/);
    expect(() => quantizeNf4([1, 2, 3], 2, 2)).toThrow(/needs 4/);
  });

  it('stores a 1M-weight matrix in ≈ 4.5 bits per weight, ≈ 3.5× smaller than f16', () => {
    const rows = 1024;
    const cols = 1024;
    const q = quantizeNf4(randomWeight(new Rng(6, 'nf4-memory'), rows * cols), rows, cols);
    const bytes = nf4ByteLength(q);
    expect(bytes).toBe(q.codes.byteLength + q.absmax.byteLength);
    expect((bytes * 8) / (rows * cols)).toBeCloseTo(4.5, 6);
    const f16Bytes = rows * cols * 2;
    expect(f16Bytes / bytes).toBeGreaterThan(3.5);
    expect(f16Bytes / bytes).toBeLessThan(3.6);
  });
});

describe('nf4MatmulTransposed', () => {
  it('equals dequantize-then-matmul', () => {
    const rng = new Rng(8, 'nf4-matmul');
    const n = 5;
    const rows = 24;
    const cols = 37;
    const q = quantizeNf4(randomWeight(rng, rows * cols), rows, cols);
    const x = randomWeight(rng, n * cols, 1);
    const w = dequantizeNf4(q);
    const expected = new Float32Array(n * rows);
    for (let r = 0; r < n; r++) {
      for (let o = 0; o < rows; o++) {
        let sum = 0;
        for (let k = 0; k < cols; k++) sum += x[r * cols + k]! * w[o * cols + k]!;
        expected[r * rows + o] = sum;
      }
    }
    expect(Array.from(nf4MatmulTransposed(x, n, q))).toEqual(Array.from(expected));
    const out = new Float32Array(n * rows);
    expect(nf4MatmulTransposed(x, n, q, out)).toBe(out);
    expect(Array.from(out)).toEqual(Array.from(expected));
    expect(() => nf4MatmulTransposed(x, n + 1, q)).toThrow(/expected n × cols/);
  });
});
