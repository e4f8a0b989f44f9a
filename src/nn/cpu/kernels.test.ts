// CPU kernels against plain float64 references and against each other (KV-cache offsets,
// grouped heads vs repeated heads). Gradients are tested in ops.test.ts.
import { describe, expect, it } from 'vitest';
import { Rng } from '../../core/rng.ts';
import { hashU32 } from '../backend.ts';
import { randomData } from '../gradcheck.ts';
import { fastExp } from './fast-exp.ts';
import { CpuBackend } from './index.ts';
import { naiveAttention } from './naive-attention.ts';
import { matmulKernel, setMatmulKernel } from './matmul.ts';
import { gemmModuleBytes } from './wasm-gemm.ts';

const be = new CpuBackend();

function naiveMatmul(a: Float64Array, b: Float64Array, m: number, n: number, k: number, transA: boolean, transB: boolean): Float64Array {
  const c = new Float64Array(m * n);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let kk = 0; kk < k; kk++) s += (transA ? a[kk * m + i]! : a[i * k + kk]!) * (transB ? b[j * k + kk]! : b[kk * n + j]!);
      c[i * n + j] = s;
    }
  return c;
}

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i]! - b[i]!));
  return d;
}

describe('matmul', () => {
  // Sizes cross the 4×4 register blocks (edges in m and n) and the packed-B chunks (32768/(4k)
  // panels, i.e. 8 panels = 32 columns at k = 1000).
  // On f32 storage the 'fast' backend runs matmul32.ts (f32x4, f32 sums), 'reference' matmul.ts (f64 sums).
  const shapes = [[1, 1, 1], [5, 3, 7], [7, 300, 9], [9, 70, 1000], [4, 2, 4], [13, 11, 6]] as const;
  for (const [kernels, be] of [['fast', new CpuBackend()], ['reference', new CpuBackend({ kernels: 'reference' })]] as const) {
    for (const [m, n, k] of shapes) {
      for (const transA of [false, true]) {
        for (const transB of [false, true]) {
          it(`m=${m} n=${n} k=${k} transA=${transA} transB=${transB} (${kernels})`, () => {
            const rng = new Rng(1, m, n, k);
            const a = randomData(rng, m * k);
            const b = randomData(rng, k * n);
            const c0 = randomData(rng, m * n);
            const want = naiveMatmul(a, b, m, n, k, transA, transB);
            const out = be.upload(c0);
            be.matmul(be.upload(a), be.upload(b), out, { m, n, k, transA, transB });
            // f32 inputs and outputs (and, on fast, f32 sums): errors grow like √k · 2^-24 per term.
            const tol = 1e-6 * Math.sqrt(k) * 4;
            expect(maxDiff(be.view(out), want)).toBeLessThan(tol);
            be.matmul(be.upload(a), be.upload(b), out, { m, n, k, transA, transB, accumulate: true, alpha: -0.5 });
            expect(maxDiff(be.view(out), want.map((x) => 0.5 * x))).toBeLessThan(tol);
          });
        }
      }
    }
  }

  it('rejects buffers that are too small', () => {
    expect(() => be.matmul(be.alloc(3), be.alloc(4), be.alloc(4), { m: 2, n: 2, k: 2 })).toThrow(/too small/);
  });

  it('the SIMD module stays under the 4 KiB that Chrome compiles synchronously on a page\'s main thread', () => {
    expect(gemmModuleBytes().length).toBeLessThan(4096);
  });

  it('runs the WebAssembly SIMD kernel in Node, bit-identical to the scalar one (f32 and f64 storage)', () => {
    expect(matmulKernel()).toBe('wasm');
    for (const precision of ['f32', 'f64'] as const) {
      const b64 = new CpuBackend({ precision });
      for (const [m, n, k] of [[9, 70, 1000], [13, 11, 6], [256, 36, 40]] as const) {
        for (const [transA, transB] of [[false, false], [false, true], [true, false], [true, true]] as const) {
          const rng = new Rng(2, m, n, k);
          const a = b64.upload(randomData(rng, m * k));
          const b = b64.upload(randomData(rng, k * n));
          const c0 = randomData(rng, m * n);
          const run = (kind: 'wasm' | 'js'): Float32Array | Float64Array => {
            expect(setMatmulKernel(kind)).toBe(kind);
            const out = b64.upload(c0);
            b64.matmul(a, b, out, { m, n, k, transA, transB, accumulate: true, alpha: 0.75 });
            return b64.view(out);
          };
          try {
            expect(run('wasm')).toEqual(run('js'));
          } finally {
            setMatmulKernel('wasm');
          }
        }
      }
    }
  });
});

describe('dropout mask', () => {
  it('is deterministic per seed, keeps about 1 − p, and scales kept entries by 1/(1 − p)', () => {
    const n = 20000;
    const a = be.alloc(n);
    const b = be.alloc(n);
    be.dropoutMask(a, 7, 0.1);
    be.dropoutMask(b, 7, 0.1);
    expect(Array.from(be.view(a))).toEqual(Array.from(be.view(b)));
    const kept = be.view(a).filter((x) => x !== 0);
    expect(kept.length / n).toBeGreaterThan(0.89);
    expect(kept.length / n).toBeLessThan(0.91);
    expect(kept.every((x) => Math.abs(x - 1 / 0.9) < 1e-6)).toBe(true);
    be.dropoutMask(b, 8, 0.1);
    expect(maxDiff(be.view(a), be.view(b))).toBeGreaterThan(0);
  });

  it('hash values are pinned (a WGSL port must reproduce them bit for bit)', () => {
    expect([hashU32(0, 0), hashU32(0, 1), hashU32(42, 7), hashU32(0xffffffff, 123456)]).toEqual([2236709435, 72149576, 2430215608, 881201530]);
  });
});

function attention(q: Float64Array, k: Float64Array, v: Float64Array, p: { batch: number; seq: number; kvSeq: number; numHeads: number; numKvHeads: number; headDim: number; posOffset: number }): Float32Array {
  const out = be.alloc(q.length);
  be.attentionForward(be.upload(q), be.upload(k), be.upload(v), out, be.alloc(p.batch * p.numHeads * p.seq), p);
  return Float32Array.from(be.view(out));
}

describe('attention and rope', () => {
  // Both kernels, with the probabilities kept for the backward (fast only) and recomputed.
  for (const [kind, forBackward] of [['reference', false], ['fast', false], ['fast', true]] as const) {
    it(`forward and backward equal a row-by-row reference across query blocks, with GQA and a KV offset (f64, ${kind}${forBackward ? ', probabilities kept' : ''})`, () => {
      const b64 = new CpuBackend({ precision: 'f64', kernels: kind });
        for (const p0 of [
          { batch: 2, seq: 150, kvSeq: 150, numHeads: 4, numKvHeads: 2, headDim: 6, posOffset: 0 },
          { batch: 1, seq: 70, kvSeq: 150, numHeads: 3, numKvHeads: 1, headDim: 5, posOffset: 80 },
        ]) {
          const p = { ...p0, forBackward };
          const rng = new Rng(5, p.seq, p.numHeads);
          const nq = p.batch * p.seq * p.numHeads * p.headDim;
          const nk = p.batch * p.kvSeq * p.numKvHeads * p.headDim;
          const [q, k, v, dout] = [randomData(rng, nq), randomData(rng, nk), randomData(rng, nk), randomData(rng, nq)];
          const want = naiveAttention(q, k, v, dout, p);
          const [Q, K, V, O, L] = [b64.upload(q), b64.upload(k), b64.upload(v), b64.alloc(nq), b64.alloc(p.batch * p.numHeads * p.seq)];
          b64.attentionForward(Q, K, V, O, L, p);
          const [dQ, dK, dV] = [b64.alloc(nq), b64.alloc(nk), b64.alloc(nk)];
          b64.attentionBackward(b64.upload(dout), Q, K, V, O, L, dQ, dK, dV, p);
          expect(maxDiff(b64.view(O), want.out)).toBeLessThan(1e-12);
          expect(maxDiff(b64.view(dQ), want.dq)).toBeLessThan(1e-12);
          expect(maxDiff(b64.view(dK), want.dk)).toBeLessThan(1e-12);
          expect(maxDiff(b64.view(dV), want.dv)).toBeLessThan(1e-12);
        }
    });
  }

  it('a backward uses the probabilities of the latest forward into its lse buffer, never older kept ones', () => {
    const b64 = new CpuBackend({ precision: 'f64' });
    expect(b64.kernels).toBe('fast');
    const p = { batch: 1, seq: 40, kvSeq: 40, numHeads: 2, numKvHeads: 2, headDim: 4, posOffset: 0 };
    const n = 40 * 2 * 4;
    const rng = new Rng(9);
    const [q1, q2, k, v, dout] = [randomData(rng, n), randomData(rng, n), randomData(rng, n), randomData(rng, n), randomData(rng, n)];
    const want = naiveAttention(q2, k, v, dout, p);
    const [K, V, O, L] = [b64.upload(k), b64.upload(v), b64.alloc(n), b64.alloc(2 * 40)];
    b64.attentionForward(b64.upload(q1), K, V, O, L, { ...p, forBackward: true }); // kept, then abandoned
    const Q2 = b64.upload(q2);
    b64.attentionForward(Q2, K, V, O, L, p); // the same lse buffer, nothing kept
    const [dQ, dK, dV] = [b64.alloc(n), b64.alloc(n), b64.alloc(n)];
    b64.attentionBackward(b64.upload(dout), Q2, K, V, O, L, dQ, dK, dV, p);
    expect(maxDiff(b64.view(dQ), want.dq)).toBeLessThan(1e-12);
    expect(maxDiff(b64.view(dV), want.dv)).toBeLessThan(1e-12);
  });

  it('fastExp matches Math.exp to 1e-15 relative from −708 to 709 (normal results), to 1e-300 below, and at the edges', () => {
    let worst = 0;
    for (let i = 0; i <= 200_000; i++) {
      const x = -708 + (1417 * i) / 200_000 + 1e-7 * Math.sin(i);
      const want = Math.exp(x);
      worst = Math.max(worst, Math.abs(fastExp(x) - want) / want);
    }
    expect(worst).toBeLessThan(1e-15);
    for (let x = -760; x < -708; x += 0.37) expect(Math.abs(fastExp(x) - Math.exp(x))).toBeLessThan(1e-300);
    expect(fastExp(0)).toBe(1);
    expect(fastExp(-Infinity)).toBe(0);
    expect(fastExp(-800)).toBe(0);
    expect(fastExp(Number.NaN)).toBeNaN();
  });

  it('grouped KV heads equal multi-head attention with each KV head repeated (HF repeat_kv)', () => {
    const rng = new Rng(2);
    const [B, T, H, Hkv, D] = [2, 5, 6, 2, 3];
    const q = randomData(rng, B * T * H * D);
    const k = randomData(rng, B * T * Hkv * D);
    const v = randomData(rng, B * T * Hkv * D);
    const rep = (x: Float64Array): Float64Array => {
      const y = new Float64Array(B * T * H * D);
      for (let r = 0; r < B * T; r++) for (let h = 0; h < H; h++) for (let d = 0; d < D; d++) y[(r * H + h) * D + d] = x[(r * Hkv + Math.floor(h / (H / Hkv))) * D + d]!;
      return y;
    };
    const p = { batch: B, seq: T, kvSeq: T, numHeads: H, headDim: D, posOffset: 0 };
    expect(maxDiff(attention(q, k, v, { ...p, numKvHeads: Hkv }), attention(q, rep(k), rep(v), { ...p, numKvHeads: H }))).toBeLessThan(1e-6);
  });

  it('decoding the last tokens against a KV cache equals the full causal pass', () => {
    const rng = new Rng(3);
    const [T, H, Hkv, D, tail] = [7, 4, 2, 4, 3];
    const q = randomData(rng, T * H * D);
    const k = randomData(rng, T * Hkv * D);
    const v = randomData(rng, T * Hkv * D);
    const full = attention(q, k, v, { batch: 1, seq: T, kvSeq: T, numHeads: H, numKvHeads: Hkv, headDim: D, posOffset: 0 });
    const part = attention(q.slice((T - tail) * H * D), k, v, { batch: 1, seq: tail, kvSeq: T, numHeads: H, numKvHeads: Hkv, headDim: D, posOffset: T - tail });
    expect(maxDiff(part, full.slice((T - tail) * H * D))).toBeLessThan(1e-6);
  });

  it('the first query attends only to the first key', () => {
    const rng = new Rng(4);
    const v = randomData(rng, 3 * 2);
    const out = attention(randomData(rng, 3 * 2), randomData(rng, 3 * 2), v, { batch: 1, seq: 3, kvSeq: 3, numHeads: 1, numKvHeads: 1, headDim: 2, posOffset: 0 });
    expect(maxDiff(out.slice(0, 2), v.slice(0, 2))).toBeLessThan(1e-6);
  });

  it('rope with a position offset equals the tail of a longer pass, preserves norms, and is the identity at position 0', () => {
    const rng = new Rng(5);
    const [T, H, D] = [6, 2, 8];
    const x = randomData(rng, T * H * D);
    const run = (data: Float64Array, seq: number, posOffset: number): Float32Array => {
      const y = be.alloc(data.length);
      be.ropeForward(be.upload(data), y, { batch: 1, seq, heads: H, headDim: D, theta: 10000, posOffset });
      return Float32Array.from(be.view(y));
    };
    const full = run(x, T, 0);
    expect(maxDiff(run(x.slice(2 * H * D), T - 2, 2), full.slice(2 * H * D))).toBeLessThan(1e-6);
    expect(maxDiff(full.slice(0, H * D), x.slice(0, H * D))).toBeLessThan(1e-6);
    const norm = (a: ArrayLike<number>): number => Math.sqrt(Array.from(a).reduce((s, z) => s + z * z, 0));
    expect(Math.abs(norm(full) - norm(x))).toBeLessThan(1e-4);
  });

  it('rope rotates pair (i, i + D/2) by position · theta^(-2i/D) (rotate-half convention)', () => {
    const D = 4;
    const x = [1, 0, 0, 0]; // x1 = e0, x2 = 0 → (cos, sin) lands in slots 0 and 2
    const y = be.alloc(D);
    be.ropeForward(be.upload(x), y, { batch: 1, seq: 1, heads: 1, headDim: D, theta: 10000, posOffset: 3 });
    const got = Array.from(be.view(y));
    expect(got[0]).toBeCloseTo(Math.cos(3), 6);
    expect(got[2]).toBeCloseTo(Math.sin(3), 6);
    expect(got[1]).toBe(0);
    expect(got[3]).toBe(0);
  });
});

describe('embedding and cross-entropy', () => {
  it('embedding gathers rows and rejects ids outside the vocabulary', () => {
    const table = be.upload([0, 1, 10, 11, 20, 21]);
    const out = be.alloc(4);
    be.embeddingForward(be.uploadIndices([2, 0]), table, out, 2);
    expect(Array.from(be.view(out))).toEqual([20, 21, 0, 1]);
    expect(() => be.embeddingForward(be.uploadIndices([3]), table, be.alloc(2), 2)).toThrow(/outside the vocabulary/);
  });

  it('cross-entropy of uniform logits is log V; an all-zero mask gives 0, not NaN', () => {
    const loss = be.alloc(1);
    const p = { rows: 2, vocab: 4, denominator: 0 };
    be.crossEntropyForward(be.alloc(8), be.uploadIndices([1, 3]), be.upload([1, 1]), loss, be.alloc(2), p);
    expect(be.view(loss)[0]).toBeCloseTo(Math.log(4), 6);
    be.crossEntropyForward(be.alloc(8), be.uploadIndices([1, 3]), be.upload([0, 0]), loss, be.alloc(2), p);
    expect(be.view(loss)[0]).toBe(0);
  });
});
