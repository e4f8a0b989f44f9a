// Every differentiable op's backward against float64 central finite differences (gradcheck.ts
// explains the two tolerances). Shapes are small and deliberately odd; attention covers grouped
// KV heads (4/2, 3/1, 6/2) and plain multi-head (2/2).
import { describe, expect, it } from 'vitest';
import { Rng } from '../core/rng.ts';
import { F32_RTOL, F64_RTOL, gradCheck, randomData, type GradCase } from './gradcheck.ts';
import { add, causalAttention, crossEntropy, embedding, linear, loraLinear, rmsnorm, rope, swiglu } from './ops.ts';

function input(rng: Rng, shape: number[], scale = 1, requiresGrad = true): { shape: number[]; data: Float64Array; requiresGrad: boolean } {
  return { shape, data: randomData(rng, shape.reduce((a, b) => a * b, 1), scale), requiresGrad };
}

function check(c: GradCase, seed: number): void {
  const r = gradCheck(c, seed);
  expect(r.checked).toBeGreaterThan(0);
  expect(r.maxAbs).toBeGreaterThan(1e-3); // the check is not vacuous
  expect(r.err64).toBeLessThan(F64_RTOL);
  expect(r.err32).toBeLessThan(F32_RTOL);
}

describe('op gradients vs finite differences', () => {
  it('embedding (repeated ids scatter-add)', () => {
    const rng = new Rng(1);
    check({
      inputs: [input(rng, [7, 5])],
      forward: (tape, [table]) => embedding(tape, tape.backend.uploadIndices([3, 1, 3, 6, 0, 3]), table!),
    }, 1);
  });

  it('add, including a tensor added to itself', () => {
    const rng = new Rng(2);
    check({
      inputs: [input(rng, [3, 5]), input(rng, [3, 5])],
      forward: (tape, [a, b]) => add(tape, add(tape, a!, b!), a!),
    }, 2);
  });

  it('rmsnorm (input and weight)', () => {
    const rng = new Rng(3);
    check({
      inputs: [input(rng, [3, 7]), input(rng, [7])],
      forward: (tape, [x, w]) => rmsnorm(tape, x!, w!, 1e-5),
    }, 3);
  });

  for (const posOffset of [0, 5]) {
    it(`rope (posOffset ${posOffset})`, () => {
      const rng = new Rng(4, posOffset);
      check({
        inputs: [input(rng, [2 * 3, 3 * 6])],
        forward: (tape, [x]) => rope(tape, x!, { batch: 2, seq: 3, heads: 3, headDim: 6, theta: 10000, posOffset }),
      }, 4);
    });
  }

  const attentionCases = [
    { batch: 2, seq: 5, numHeads: 4, numKvHeads: 2, headDim: 3 },
    { batch: 1, seq: 7, numHeads: 3, numKvHeads: 1, headDim: 4 },
    { batch: 1, seq: 3, numHeads: 2, numKvHeads: 2, headDim: 5 },
    { batch: 3, seq: 4, numHeads: 6, numKvHeads: 2, headDim: 2 },
  ];
  for (const c of attentionCases) {
    it(`causalAttention B=${c.batch} T=${c.seq} H=${c.numHeads} Hkv=${c.numKvHeads} D=${c.headDim}`, () => {
      const rng = new Rng(5, c.numHeads, c.seq);
      const rows = c.batch * c.seq;
      check({
        inputs: [input(rng, [rows, c.numHeads * c.headDim]), input(rng, [rows, c.numKvHeads * c.headDim]), input(rng, [rows, c.numKvHeads * c.headDim])],
        forward: (tape, [q, k, v]) => causalAttention(tape, q!, k!, v!, c),
      }, 5);
    });
  }

  it('swiglu', () => {
    const rng = new Rng(6);
    check({
      inputs: [input(rng, [3, 7], 2), input(rng, [3, 7])],
      forward: (tape, [g, u]) => swiglu(tape, g!, u!),
    }, 6);
  });

  it('linear (HF layout [out, in])', () => {
    const rng = new Rng(7);
    check({
      inputs: [input(rng, [5, 7]), input(rng, [3, 7])],
      forward: (tape, [x, w]) => linear(tape, x!, w!),
    }, 7);
  });

  for (const dropout of [0, 0.3]) {
    for (const frozen of [true, false]) {
      it(`loraLinear dropout=${dropout} ${frozen ? 'frozen W' : 'trainable W'}`, () => {
        const rng = new Rng(8, dropout, String(frozen));
        check({
          inputs: [input(rng, [5, 7]), input(rng, [6, 7], 1, !frozen), input(rng, [3, 7]), input(rng, [6, 3])],
          forward: (tape, [x, w, a, b]) => loraLinear(tape, x!, w!, a!, b!, { alpha: 6, dropout, seed: 99 }),
        }, 8);
      });
    }
  }

  for (const denominator of [undefined, 10]) {
    it(`crossEntropy with mask (denominator ${denominator ?? 'mask sum'})`, () => {
      const rng = new Rng(9);
      const rows = 6;
      const vocab = 5;
      check({
        inputs: [input(rng, [rows, vocab], 2)],
        forward: (tape, [logits]) => {
          const targets = tape.backend.uploadIndices([0, 4, 2, 2, 1, 3]);
          const mask = tape.backend.upload([1, 0, 1, 0.5, 1, 0]);
          return crossEntropy(tape, logits!, targets, mask, { denominator });
        },
      }, 9);
    });
  }

  it('a composed chain: rmsnorm → linear → rope → attention → swiglu', () => {
    const rng = new Rng(10);
    const cfg = { batch: 1, seq: 5, numHeads: 2, numKvHeads: 1, headDim: 4 };
    check({
      inputs: [input(rng, [5, 6]), input(rng, [6]), input(rng, [8, 6], 0.5), input(rng, [4, 6], 0.5), input(rng, [4, 6], 0.5)],
      forward: (tape, [x, w, wq, wk, wv]) => {
        const h = rmsnorm(tape, x!, w!, 1e-6);
        const ro = { batch: 1, seq: 5, headDim: 4, theta: 10000 };
        const q = rope(tape, linear(tape, h, wq!), { ...ro, heads: 2 });
        const k = rope(tape, linear(tape, h, wk!), { ...ro, heads: 1 });
        const a = causalAttention(tape, q, k, linear(tape, h, wv!), cfg);
        return swiglu(tape, a, a);
      },
    }, 10);
  });
});
