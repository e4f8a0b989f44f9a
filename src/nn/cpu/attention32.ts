/**
 * The 'fast' attention kernel's training path (cpu/attention.ts routes here when a backward
 * will follow, the storage is f32 and the head size a multiple of 8): the same flash-style
 * blocks as the f64 kernel, with every product on wasm-gemm32.ts (f32x4 lanes, operands read in
 * place in the module's memory: no packing, no per-block stores from JS). The backward
 * recomputes the probabilities from each row's log-sum-exp: with QKᵀ this cheap, keeping them
 * cost more (allocating and copying T² floats per head: 236 against 72 ms for a forward at
 * 1,536 tokens, 4 heads of 16, while the backward gained only 40 ms). Per call, q, k, v
 * (and out, dout) are copied into the module once, with Kᵀ and Vᵀ per KV head so that both
 * score products read a row-major B. JS keeps the softmax and dS rows (exp in f64 through
 * fastExp), reading and writing the module's memory through a Float32Array view.
 *
 * Sums are f32, so results match the f64 kernels to ≈ 1e-6 relative, not to the last bit
 * (tested against the row-by-row f64 reference); runs stay deterministic (the same shapes take
 * the same path). Why only training: training is where the time goes (docs/benchmarks.md,
 * "SFT training throughput"); inference keeps the f64 kernel, whose KV-cache decoding (one query
 * row against the cache) the tiles would not speed up, and pretraining the 'reference' set.
 *
 * Memory (floats, per call): Q and dO [B, Tp, H, D] (Tp = seq rounded up to 4, zero rows past
 * seq); K, V [B, S, Hkv, D]; Kᵀ, Vᵀ [B, Hkv, D, S8] (S8 = kvSeq rounded up to 8, zero columns
 * past kvSeq); O, dQ [B, Tp, H, D]; dK, dV [B, S8, Hkv, D]; one block of scores and one of dS,
 * [QB, S8] each. Rows of a block past its queries and columns past a row's last key hold 0 in
 * P and dS, so padded rows and keys add nothing.
 */
import type { AttentionParams } from '../backend.ts';
import { fastExp } from './fast-exp.ts';
import type { Floats } from './storage.ts';
import { gemm32 as kernel, roundUp as up, type WasmGemm32 } from './wasm-gemm32.ts';

/** Query rows per block: 32, so that a block's scores and dS (2 · 32 · 2,048 floats) stay in L2 with two threads (64 gave 1.2–1.4× for two threads over one at 1,536 tokens, 32 gave 1.8×). */
const QB = 32;

/** Whether this path can run the call: f32 buffers, a head size the 8-wide tiles divide, WebAssembly SIMD. */
export function attention32Applies(p: AttentionParams, ...bufs: Floats[]): boolean {
  return p.headDim % 8 === 0 && bufs.every((b) => b instanceof Float32Array) && kernel() !== null;
}

interface Layout {
  Tp: number;
  S8: number;
  q: number;
  k: number;
  v: number;
  kt: number;
  vt: number;
  o: number;
  dout: number;
  dq: number;
  dk: number;
  dv: number;
  s: number;
  ds: number;
  end: number;
}

function layout(p: AttentionParams): Layout {
  const { batch, seq, kvSeq, numHeads: H, numKvHeads: Hkv, headDim: D } = p;
  const Tp = up(seq, 4);
  const S8 = up(kvSeq, 8);
  const qSize = batch * Tp * H * D;
  const kvSize = batch * S8 * Hkv * D;
  let at = 0;
  const take = (n: number) => ((at += n), at - n);
  const l = {
    Tp, S8, q: take(qSize), k: take(kvSize), v: take(kvSize), kt: take(kvSize), vt: take(kvSize), o: take(qSize), dout: take(qSize),
    dq: take(qSize), dk: take(kvSize), dv: take(kvSize), s: take(QB * S8), ds: take(QB * S8), end: 0,
  };
  l.end = at;
  return l;
}

/** Copies [B, T, heads, D] rows into the module at `to` with T padded to Tp (pad rows zero). */
function copyIn(src: Floats, mem: Float32Array, to: number, batch: number, T: number, Tp: number, width: number): void {
  for (let b = 0; b < batch; b++) {
    mem.set(src.subarray(b * T * width, (b + 1) * T * width), to + b * Tp * width);
    mem.fill(0, to + (b * Tp + T) * width, to + (b + 1) * Tp * width);
  }
}

/** Kᵀ per (sequence, KV head): [D, S8], zero past kvSeq. */
function transposeIn(src: Floats, mem: Float32Array, to: number, p: AttentionParams, S8: number): void {
  const { batch, kvSeq, numKvHeads: Hkv, headDim: D } = p;
  mem.fill(0, to, to + batch * Hkv * D * S8);
  for (let b = 0; b < batch; b++) {
    for (let g = 0; g < Hkv; g++) {
      const base = to + (b * Hkv + g) * D * S8;
      for (let j = 0; j < kvSeq; j++) {
        const s = ((b * kvSeq + j) * Hkv + g) * D;
        for (let d = 0; d < D; d++) mem[base + d * S8 + j] = src[s + d]!;
      }
    }
  }
}

/** The raw scores of one block into the scratch at l.s (row stride S8): Q_blk Kᵀ over the visible keys, nk rounded up to 8 columns. */
function scores(w: WasmGemm32, l: Layout, p: AttentionParams, b: number, h: number, t0: number, tb: number, nk: number): void {
  const { numHeads: H, numKvHeads: Hkv, headDim: D } = p;
  const g = Math.floor(h / (H / Hkv));
  w.gemm(l.q + ((b * l.Tp + t0) * H + h) * D, H * D, 1, l.kt + (b * Hkv + g) * D * l.S8, l.S8, l.s, l.S8, Math.ceil(tb / 4), up(nk, 8) / 8, D, false);
}

/** The kernel, the call's layout in its memory (grown to fit; earlier views go stale), the softmax scale, and q copied in. */
function begin(p: AttentionParams, q: Floats): { w: WasmGemm32; l: Layout; mem: Float32Array; scale: number } {
  const w = kernel()!;
  const l = layout(p);
  const mem = w.view(l.end);
  copyIn(q, mem, l.q, p.batch, p.seq, l.Tp, p.numHeads * p.headDim);
  return { w, l, mem, scale: 1 / Math.sqrt(p.headDim) };
}

export function attentionForward32(q: Floats, k: Floats, v: Floats, out: Floats, lse: Floats, p: AttentionParams): void {
  const { batch, seq, kvSeq, numHeads: H, numKvHeads: Hkv, headDim: D, posOffset } = p;
  const { w, l, mem, scale } = begin(p, q);
  copyIn(v, mem, l.v, batch, kvSeq, kvSeq, Hkv * D);
  transposeIn(k, mem, l.kt, p, l.S8);
  for (let b = 0; b < batch; b++) {
    for (let h = 0; h < H; h++) {
      const g = Math.floor(h / (H / Hkv));
      for (let t0 = 0; t0 < seq; t0 += QB) {
        const tb = Math.min(QB, seq - t0);
        const nk = posOffset + t0 + tb;
        const n8 = up(nk, 8);
        scores(w, l, p, b, h, t0, tb, nk);
        for (let r = 0; r < up(tb, 4); r++) {
          const o = l.s + r * l.S8;
          if (r >= tb) {
            mem.fill(0, o, o + n8);
            continue;
          }
          const last = posOffset + t0 + r;
          let mx = -Infinity;
          for (let j = 0; j <= last; j++) if (mem[o + j]! > mx) mx = mem[o + j]!;
          let sum = 0;
          for (let j = 0; j <= last; j++) {
            const e = fastExp((mem[o + j]! - mx) * scale);
            mem[o + j] = e;
            sum += e;
          }
          const inv = 1 / sum;
          for (let j = 0; j <= last; j++) mem[o + j] = mem[o + j]! * inv;
          mem.fill(0, o + last + 1, o + n8);
          lse[(b * H + h) * seq + t0 + r] = mx * scale + Math.log(sum);
        }
        w.gemm(l.s, l.S8, 1, l.v + g * D + b * kvSeq * Hkv * D, Hkv * D, l.o + ((b * l.Tp + t0) * H + h) * D, H * D, Math.ceil(tb / 4), D / 8, nk, false);
      }
    }
  }
  for (let b = 0; b < batch; b++) out.set(mem.subarray(l.o + b * l.Tp * H * D, l.o + (b * l.Tp + seq) * H * D), b * seq * H * D);
}

export function attentionBackward32(
  dout: Floats, q: Floats, k: Floats, v: Floats, out: Floats, lse: Floats, dq: Floats, dk: Floats, dv: Floats, p: AttentionParams,
): void {
  const { batch, seq, kvSeq, numHeads: H, numKvHeads: Hkv, headDim: D, posOffset } = p;
  const { w, l, mem, scale } = begin(p, q);
  copyIn(dout, mem, l.dout, batch, seq, l.Tp, H * D);
  copyIn(k, mem, l.k, batch, kvSeq, kvSeq, Hkv * D);
  transposeIn(v, mem, l.vt, p, l.S8);
  transposeIn(k, mem, l.kt, p, l.S8);
  mem.fill(0, l.dq, l.dq + batch * l.Tp * H * D);
  mem.fill(0, l.dk, l.dv + batch * l.S8 * Hkv * D);
  for (let b = 0; b < batch; b++) {
    for (let h = 0; h < H; h++) {
      const g = Math.floor(h / (H / Hkv));
      const kvHead = b * kvSeq * Hkv * D + g * D;
      const gradHead = b * l.S8 * Hkv * D + g * D;
      for (let t0 = 0; t0 < seq; t0 += QB) {
        const tb = Math.min(QB, seq - t0);
        const m4 = Math.ceil(tb / 4);
        const nk = posOffset + t0 + tb;
        const n8 = up(nk, 8);
        const qRow = ((b * l.Tp + t0) * H + h) * D;
        // P, recomputed from the scores and each row's log-sum-exp.
        scores(w, l, p, b, h, t0, tb, nk);
        for (let r = 0; r < tb; r++) {
          const o = l.s + r * l.S8;
          const last = posOffset + t0 + r;
          const lr = lse[(b * H + h) * seq + t0 + r]!;
          for (let j = 0; j <= last; j++) mem[o + j] = fastExp(mem[o + j]! * scale - lr);
          mem.fill(0, o + last + 1, o + n8);
        }
        mem.fill(0, l.s + tb * l.S8, l.s + m4 * 4 * l.S8);
        // dP = dO Vᵀ, then dS = P ⊙ (dP − rowDot) · scale in place.
        w.gemm(l.dout + qRow, H * D, 1, l.vt + (b * Hkv + g) * D * l.S8, l.S8, l.ds, l.S8, m4, n8 / 8, D, false);
        for (let r = 0; r < m4 * 4; r++) {
          const o = r * l.S8;
          if (r >= tb) {
            mem.fill(0, l.ds + o, l.ds + o + n8);
            continue;
          }
          const ro = ((b * seq + t0 + r) * H + h) * D;
          let rowDot = 0;
          for (let d = 0; d < D; d++) rowDot += dout[ro + d]! * out[ro + d]!;
          for (let j = 0; j < n8; j++) mem[l.ds + o + j] = mem[l.s + o + j]! * (mem[l.ds + o + j]! - rowDot) * scale;
        }
        // dQ += dS K, dK += dSᵀ Q, dV += Pᵀ dO.
        w.gemm(l.ds, l.S8, 1, l.k + kvHead, Hkv * D, l.dq + qRow, H * D, m4, D / 8, nk, true);
        w.gemm(l.ds, 1, l.S8, l.q + qRow, H * D, l.dk + gradHead, Hkv * D, Math.ceil(nk / 4), D / 8, tb, true);
        w.gemm(l.s, 1, l.S8, l.dout + qRow, H * D, l.dv + gradHead, Hkv * D, Math.ceil(nk / 4), D / 8, tb, true);
      }
    }
  }
  for (let b = 0; b < batch; b++) {
    addFrom(dq, b * seq * H * D, mem, l.dq + b * l.Tp * H * D, seq * H * D);
    addFrom(dk, b * kvSeq * Hkv * D, mem, l.dk + b * l.S8 * Hkv * D, kvSeq * Hkv * D);
    addFrom(dv, b * kvSeq * Hkv * D, mem, l.dv + b * l.S8 * Hkv * D, kvSeq * Hkv * D);
  }
}

function addFrom(dst: Floats, d0: number, mem: Float32Array, s0: number, n: number): void {
  for (let i = 0; i < n; i++) dst[d0 + i] = dst[d0 + i]! + mem[s0 + i]!;
}
