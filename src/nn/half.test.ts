import { describe, expect, it } from 'vitest';
import { Rng } from '../core/rng.ts';
import { bf16BitsToNumber, decodeBf16, decodeF16, f16BitsToNumber, numberToBf16Bits, numberToF16Bits } from './half.ts';

describe('F16', () => {
  it('decodes known bit patterns, subnormals, infinities and NaN', () => {
    const cases: [number, number][] = [
      [0x0000, 0],
      [0x3c00, 1],
      [0xc000, -2],
      [0x3555, 0.333251953125],
      [0x3bff, 0.99951171875],
      [0x7bff, 65504],
      [0x0400, 2 ** -14],
      [0x0001, 2 ** -24],
      [0x03ff, 1023 * 2 ** -24],
      [0x8001, -(2 ** -24)],
      [0x7c00, Infinity],
      [0xfc00, -Infinity],
    ];
    for (const [bits, value] of cases) expect(f16BitsToNumber(bits)).toBe(value);
    expect(Object.is(f16BitsToNumber(0x8000), -0)).toBe(true);
    expect(f16BitsToNumber(0x7e00)).toBeNaN();
    expect(f16BitsToNumber(0xfc01)).toBeNaN();
  });

  it('round-trips every non-NaN bit pattern exactly', () => {
    const wrong: number[] = [];
    for (let h = 0; h < 65536; h++) {
      const x = f16BitsToNumber(h);
      const ok = Number.isNaN(x) ? Number.isNaN(f16BitsToNumber(numberToF16Bits(x))) : numberToF16Bits(x) === h;
      if (!ok) wrong.push(h);
    }
    expect(wrong).toEqual([]);
  });

  it('rounds to nearest with ties to even, overflows to Inf', () => {
    expect(numberToF16Bits(1 / 3)).toBe(0x3555);
    expect(numberToF16Bits(1 + 2 ** -11)).toBe(0x3c00); // tie, 0x3c00 is even
    expect(numberToF16Bits(1 + 3 * 2 ** -11)).toBe(0x3c02); // tie, 0x3c02 is even
    expect(numberToF16Bits(2 ** -25)).toBe(0x0000); // subnormal tie to even (zero)
    expect(numberToF16Bits(3 * 2 ** -25)).toBe(0x0002);
    expect(numberToF16Bits(-(2 ** -26))).toBe(0x8000);
    expect(numberToF16Bits(65519)).toBe(0x7bff);
    expect(numberToF16Bits(65520)).toBe(0x7c00);
    expect(numberToF16Bits(-1e9)).toBe(0xfc00);
    expect(numberToF16Bits(NaN) & 0x7e00).toBe(0x7e00);
  });

  it('picks the nearest representable value for random inputs', () => {
    const rng = new Rng(5, 'f16');
    for (let i = 0; i < 5000; i++) {
      const x = Math.fround((rng.next() - 0.5) * 2 ** rng.int(40) * 2 ** -26);
      const h = numberToF16Bits(x);
      const err = Math.abs(f16BitsToNumber(h) - x);
      // Neighbours in the same sign: one bit pattern up or down must not be strictly closer.
      for (const n of [h - 1, h + 1]) {
        if ((n & 0x7fff) === 0x7fff || (n & 0x8000) !== (h & 0x8000)) continue;
        const v = f16BitsToNumber(n);
        if (Number.isFinite(v)) expect(Math.abs(v - x)).toBeGreaterThanOrEqual(err);
      }
    }
  });

  it('decodes little-endian buffers at unaligned offsets', () => {
    const bytes = new Uint8Array([0xff, 0x00, 0x3c, 0x01, 0x00, 0x00, 0x7c]);
    expect(Array.from(decodeF16(bytes, 1, 3))).toEqual([1, 2 ** -24, Infinity]);
  });
});

describe('BF16', () => {
  it('decodes known bit patterns, subnormals, infinities and NaN', () => {
    const cases: [number, number][] = [
      [0x3f80, 1],
      [0xc000, -2],
      [0x3eab, 0.333984375],
      [0x0080, 2 ** -126],
      [0x0001, 2 ** -133],
      [0x7f7f, 3.3895313892515355e38],
      [0x7f80, Infinity],
      [0xff80, -Infinity],
    ];
    for (const [bits, value] of cases) expect(bf16BitsToNumber(bits)).toBe(value);
    expect(Object.is(bf16BitsToNumber(0x8000), -0)).toBe(true);
    expect(bf16BitsToNumber(0x7fc0)).toBeNaN();
    expect(Array.from(decodeBf16(new Uint8Array([0, 0x80, 0x3f, 0x01, 0x00]), 1, 2))).toEqual([1, 2 ** -133]);
  });

  it('round-trips every non-NaN bit pattern and rounds ties to even', () => {
    const wrong: number[] = [];
    for (let b = 0; b < 65536; b++) {
      const x = bf16BitsToNumber(b);
      if (!Number.isNaN(x) && numberToBf16Bits(x) !== b) wrong.push(b);
    }
    expect(wrong).toEqual([]);
    expect(numberToBf16Bits(1 / 3)).toBe(0x3eab);
    expect(numberToBf16Bits(1 + 2 ** -8)).toBe(0x3f80); // tie, even
    expect(numberToBf16Bits(1 + 3 * 2 ** -8)).toBe(0x3f82); // tie, even
    expect(numberToBf16Bits(3.4e38)).toBe(0x7f80); // past the largest finite BF16
    expect(Number.isNaN(bf16BitsToNumber(numberToBf16Bits(NaN)))).toBe(true);
  });
});
