// The NF4 linear path: the backend kernel reproduces nf4.ts's dequantization bit for bit (odd
// sizes, partial blocks), and linear / loraLinear on an NF4 weight equal the same ops on the
// dequantized dense weight, forward and dx, while holding no dense copy beyond one pooled temp.
import { describe, expect, it } from 'vitest';
import { Rng } from '../core/rng.ts';
import { CpuBackend } from './cpu/index.ts';
import { dequantizeNf4, quantizeNf4 } from './nf4.ts';
import { uploadNf4 } from './nf4-linear.ts';
import { crossEntropy, linear, loraLinear } from './ops.ts';
import { Tape } from './tape.ts';
import { parameter, type Tensor } from './tensor.ts';

const normals = (rng: Rng, n: number): number[] => Array.from({ length: n }, () => rng.normal());

describe('NF4 on the backend', () => {
  it.each([[7, 13], [5, 64], [3, 130]])('nf4Dequantize reproduces dequantizeNf4 for [%i, %i]', async (rows, cols) => {
    const be = new CpuBackend();
    const q = quantizeNf4(normals(new Rng(rows, cols), rows * cols), rows, cols);
    const w = uploadNf4(be, q);
    const out = be.alloc(rows * cols);
    be.nf4Dequantize(w.codes, w.absmax, out);
    expect(Array.from(await be.read(out))).toEqual(Array.from(dequantizeNf4(q)));
  });

  it('linear and loraLinear on an NF4 weight equal the dense dequantized weight (forward and dx)', async () => {
    const be = new CpuBackend();
    const rng = new Rng(3, 'nf4-op');
    const [n, inF, outF, r] = [5, 19, 11, 3];
    const q = quantizeNf4(normals(rng, outF * inF), outF, inF);
    const packed = uploadNf4(be, q);
    const dense = parameter(be, [outF, inF], dequantizeNf4(q), false);
    const xData = normals(rng, n * inF);
    const aData = normals(rng, r * inF);
    const bData = normals(rng, outF * r);
    const targets = be.uploadIndices([1, 4, 0, 10, 7]);
    const mask = be.upload([1, 1, 0.5, 1, 1]);
    const run = async (useNf4: boolean, lora: boolean): Promise<{ y: Float32Array; dx: Float32Array; da: Float32Array | null }> => {
      const tape = new Tape(be);
      const x = parameter(be, [n, inF], xData);
      const a = parameter(be, [r, inF], aData);
      const b = parameter(be, [outF, r], bData);
      const w = useNf4 ? packed : dense;
      const y: Tensor = lora ? loraLinear(tape, x, w, a, b, { alpha: 6, dropout: 0, seed: 0 }) : linear(tape, x, w);
      tape.backward(crossEntropy(tape, y, targets, mask)); // any scalar of y will do
      return { y: await be.read(y.buf), dx: await be.read(x.grad!), da: lora ? await be.read(a.grad!) : null };
    };
    for (const lora of [false, true]) {
      const got = await run(true, lora);
      const want = await run(false, lora);
      expect(Array.from(got.y)).toEqual(Array.from(want.y));
      expect(Array.from(got.dx)).toEqual(Array.from(want.dx));
      if (lora) expect(Array.from(got.da!)).toEqual(Array.from(want.da!));
    }
  });

  it('dequantizes into one pooled buffer that every call reuses', () => {
    const be = new CpuBackend();
    const rng = new Rng(4, 'pool');
    const ws = [0, 1, 2].map(() => uploadNf4(be, quantizeNf4(normals(rng, 8 * 16), 8, 16)));
    const tape = new Tape(be);
    tape.gradEnabled = false;
    const x = parameter(be, [2, 16], normals(rng, 32), false);
    for (const w of ws) linear(tape, x, w);
    tape.reset();
    const created = tape.pool.created;
    for (let i = 0; i < 3; i++) {
      for (const w of ws) linear(tape, x, w);
      tape.reset();
    }
    expect(tape.pool.created).toBe(created); // nothing new after the first pass
  });
});
