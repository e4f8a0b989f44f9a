// The f32x4 training path of the 'fast' attention kernel (attention32.ts) against the row-by-row
// f64 reference, and the routing that picks it (attention.ts).
import { describe, expect, it } from 'vitest';
import { Rng } from '../../core/rng.ts';
import { randomData } from '../gradcheck.ts';
import { attention32Applies, attentionBackward32, attentionForward32 } from './attention32.ts';
import { CpuBackend } from './index.ts';
import { naiveAttention, type NaiveAttentionParams } from './naive-attention.ts';
import { gemm32ModuleBytes } from './wasm-gemm32.ts';

/** Largest |a − b| relative to the largest |b| (so the bound reads as a relative precision). */
function relDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0;
  let m = 0;
  for (let i = 0; i < b.length; i++) {
    d = Math.max(d, Math.abs(a[i]! - b[i]!));
    m = Math.max(m, Math.abs(b[i]!));
  }
  return d / m;
}

const f32 = (x: Float64Array) => Float64Array.from(Float32Array.from(x)); // inputs as the f32 kernel sees them

const SHAPES: NaiveAttentionParams[] = [
  // two sequences, GQA, three query blocks with a ragged last one (150 = 2 · 64 + 22)
  { batch: 2, seq: 150, kvSeq: 150, numHeads: 4, numKvHeads: 2, headDim: 8, posOffset: 0 },
  // the shipped model's head size, queries after a KV prefix, a length no tile divides
  { batch: 1, seq: 70, kvSeq: 151, numHeads: 3, numKvHeads: 1, headDim: 16, posOffset: 81 },
  // one query against a cache
  { batch: 1, seq: 1, kvSeq: 37, numHeads: 2, numKvHeads: 2, headDim: 8, posOffset: 36 },
];

function run(p: NaiveAttentionParams) {
  const rng = new Rng(11, p.seq, p.headDim);
  const nq = p.batch * p.seq * p.numHeads * p.headDim;
  const nk = p.batch * p.kvSeq * p.numKvHeads * p.headDim;
  const [q, k, v, dout] = [f32(randomData(rng, nq)), f32(randomData(rng, nk)), f32(randomData(rng, nk)), f32(randomData(rng, nq))];
  const [Q, K, V, dO] = [q, k, v, dout].map((x) => Float32Array.from(x)) as [Float32Array, Float32Array, Float32Array, Float32Array];
  const out = new Float32Array(nq);
  const lse = new Float32Array(p.batch * p.numHeads * p.seq);
  attentionForward32(Q, K, V, out, lse, { ...p, forBackward: true });
  // The backward adds into its gradients: start them from 1 to check it adds rather than stores.
  const [dq, dk, dv] = [new Float32Array(nq).fill(1), new Float32Array(nk).fill(1), new Float32Array(nk).fill(1)];
  attentionBackward32(dO, Q, K, V, out, lse, dq, dk, dv, p);
  const minus1 = (x: Float32Array) => Float64Array.from(x, (y) => y - 1);
  return { got: { out, dq: minus1(dq), dk: minus1(dk), dv: minus1(dv) }, want: naiveAttention(q, k, v, dout, p), inputs: { Q, K, V, dO } };
}

describe('attention, f32x4 training path', () => {
  it('forward and backward equal the f64 reference to f32 precision, across blocks, sequences, GQA, a KV offset and one-query decoding', () => {
    for (const p of SHAPES) {
      const { got, want } = run(p);
      // f32 sums over ≤ 151 keys of O(1) terms: ≈ √151 · 6e-8 ≈ 7e-7 relative; measured ≤ 5.5e-7
      // here (≤ 1.6e-6 at 1,024 tokens). A wrong index or an unzeroed pad is O(1).
      for (const key of ['out', 'dq', 'dk', 'dv'] as const) expect(relDiff(got[key], want[key]), `${key} at ${JSON.stringify(p)}`).toBeLessThan(2e-6);
    }
  });

  it('is what the CPU backend runs when a backward follows on f32 storage, and only then', () => {
    const p = SHAPES[1]!;
    const { got, inputs } = run(p);
    const be = new CpuBackend();
    const [Q, K, V, O, L] = [be.upload(inputs.Q), be.upload(inputs.K), be.upload(inputs.V), be.alloc(inputs.Q.length), be.alloc(p.seq * p.numHeads)];
    be.attentionForward(Q, K, V, O, L, { ...p, forBackward: true });
    expect(Float32Array.from(be.view(O))).toEqual(got.out);
    be.attentionForward(Q, K, V, O, L, p); // inference: the f64 kernel, which rounds differently
    expect(Float32Array.from(be.view(O))).not.toEqual(got.out);
    expect(attention32Applies(p, new Float32Array(1))).toBe(true);
    expect(attention32Applies(p, new Float64Array(1))).toBe(false); // gradient checks keep f64
    expect(attention32Applies({ ...p, headDim: 6 }, new Float32Array(1))).toBe(false);
  });

  it('the SIMD module stays under the 4 KiB that Chrome compiles synchronously on a page\'s main thread', () => {
    expect(gemm32ModuleBytes().length).toBeLessThan(4096);
  });
});
