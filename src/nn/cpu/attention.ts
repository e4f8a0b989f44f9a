/**
 * CPU causal attention with grouped KV heads (GQA), flash-attention style: the forward keeps
 * only each row's log-sum-exp, the backward recomputes the probabilities from it.
 *
 * Per (sequence, head) and block of QB query rows, the products run through the packed matmul
 * (matmul.ts `gemm`, on strided views of the head's slice, so nothing is transposed or copied
 * first): S = scale·Q Kᵀ over the keys the block can see, the causal softmax row by row, then
 * O = P V; the backward recomputes P and does dP = dO Vᵀ, dS = P ⊙ (dP − rowDot)·scale,
 * dQ += dS K, dK += dSᵀ Q, dV += Pᵀ dO. Scratch is O(QB · kvSeq) doubles however long the
 * sequence. Within a block, keys past a row's position get probability 0 (the masked half of
 * the diagonal block is multiplied but contributes nothing). Everything is summed in f64 and
 * rounded once per store (the previous one-row-at-a-time loops rounded dq/dk/dv and the output
 * after every key; docs/benchmarks.md, "Engine (CPU)", has both).
 *
 * Two kernel sets (`new CpuBackend({ kernels })`, fast-exp.ts), because pretraining must keep
 * reproducing the shipped weights byte for byte while fine-tuning should be as fast as the CPU allows:
 * - 'reference': the above, with Math.exp; pretraining uses it (models/pretrain), so recorded
 *   recipes keep reproducing the weights they made.
 * - 'fast' (the default): on f32 storage with a head size the tiles divide, a forward that a
 *   backward will follow (`p.forBackward`, i.e. training) and every backward run attention32.ts
 *   (f32x4). Otherwise (inference, f64 gradient checks) this file, with exp by fastExp (≈ 2×
 *   cheaper than V8's Math.exp here) and, when a backward will follow and they fit a budget, the
 *   probabilities kept from the forward, so the backward skips one of its five products and all
 *   its exps. docs/benchmarks.md ("SFT training throughput") has the before and after.
 *
 * Layouts: q, out [B, T, H, D]; k, v [B, S, Hkv, D]; lse [B, H, T]. Query t is at absolute
 * position posOffset + t and sees keys 0..posOffset + t.
 */
import type { AttentionParams } from '../backend.ts';
import { type CpuKernels, fastExp } from './fast-exp.ts';
import { attention32Applies, attentionBackward32, attentionForward32 } from './attention32.ts';
import { gemm } from './matmul.ts';
import type { Floats } from './storage.ts';

/** Query rows per block. */
const QB = 64;

let sBuf = new Float64Array(0);
let dBuf = new Float64Array(0);

/**
 * Probabilities kept from a forward for its backward ('fast' kernel), by the lse buffer they
 * belong to (each forward sets or clears its lse's entry, so an entry always matches the values
 * in that lse). Whether a call keeps them depends only on its shape (at most SAVED_MAX_BYTES), never
 * on what other calls hold, so the same run always takes the same path and gives the same bytes
 * (kept and recomputed probabilities differ in the last bits). A WeakMap, so an entry whose
 * backward never comes goes with its buffer.
 */
const SAVED_MAX_BYTES = 64 * 2 ** 20;
const saved = new WeakMap<Floats, Float64Array>();

/** Σ over the query blocks of (rows · visible keys), per (sequence, head): the saved probabilities' size. */
function blockArea(seq: number, posOffset: number): number {
  let area = 0;
  for (let t0 = 0; t0 < seq; t0 += QB) {
    const tb = Math.min(QB, seq - t0);
    area += tb * (posOffset + t0 + tb);
  }
  return area;
}

function check(p: AttentionParams): number {
  const { numHeads, numKvHeads, seq, kvSeq, posOffset } = p;
  if (numHeads % numKvHeads !== 0) throw new Error(`attention: numHeads ${numHeads} is not a multiple of numKvHeads ${numKvHeads}`);
  if (posOffset + seq > kvSeq) throw new Error(`attention: posOffset ${posOffset} + seq ${seq} exceeds kvSeq ${kvSeq}`);
  const need = Math.min(QB, seq) * kvSeq;
  if (sBuf.length < need) {
    sBuf = new Float64Array(need);
    dBuf = new Float64Array(need);
  }
  return numHeads / numKvHeads;
}

export function attentionForward(q: Floats, k: Floats, v: Floats, out: Floats, lse: Floats, p: AttentionParams, kernel: CpuKernels = 'fast'): void {
  const group = check(p);
  if (kernel === 'fast' && p.forBackward === true && attention32Applies(p, q, k, v, out, lse)) {
    saved.delete(lse);
    attentionForward32(q, k, v, out, lse, p);
    return;
  }
  const { batch, seq, kvSeq, numHeads: H, numKvHeads: Hkv, headDim: D, posOffset } = p;
  const scale = 1 / Math.sqrt(D);
  const fast = kernel === 'fast';
  const area = batch * H * blockArea(seq, posOffset);
  saved.delete(lse);
  // Kept probabilities are computed in place in the array that keeps them (no copy).
  const keep = fast && p.forBackward === true && area * 8 <= SAVED_MAX_BYTES ? new Float64Array(area) : null;
  let kept = 0;
  for (let b = 0; b < batch; b++) {
    for (let h = 0; h < H; h++) {
      const kvBase = (b * kvSeq * Hkv + Math.floor(h / group)) * D;
      for (let t0 = 0; t0 < seq; t0 += QB) {
        const tb = Math.min(QB, seq - t0);
        const nk = posOffset + t0 + tb; // keys visible to the block's last row
        const qBase = ((b * seq + t0) * H + h) * D;
        const S = keep ?? sBuf;
        const s0 = keep ? kept : 0;
        gemm({ X: q, x0: qBase, rs: H * D, cs: 1 }, { X: k, x0: kvBase, rs: 1, cs: Hkv * D }, S, s0, nk, tb, nk, D, scale, false);
        for (let r = 0; r < tb; r++) {
          const last = posOffset + t0 + r;
          lse[(b * H + h) * seq + t0 + r] = softmaxRow(S, s0 + r * nk, last, nk, fast);
        }
        gemm({ X: S, x0: s0, rs: nk, cs: 1 }, { X: v, x0: kvBase, rs: Hkv * D, cs: 1 }, out, qBase, H * D, tb, D, nk, 1, false);
        if (keep) kept += tb * nk;
      }
    }
  }
  if (keep) saved.set(lse, keep);
}

/**
 * Row o.. of S (scores of keys 0..last; nk wide) → probabilities in place, zero past last;
 * returns the log-sum-exp. The kernel test inside the loop is the same every iteration (the
 * branch predictor takes it for free).
 */
function softmaxRow(S: Float64Array, o: number, last: number, nk: number, fast: boolean): number {
  let mx = -Infinity;
  for (let j = 0; j <= last; j++) if (S[o + j]! > mx) mx = S[o + j]!;
  let sum = 0;
  for (let j = 0; j <= last; j++) {
    const e = fast ? fastExp(S[o + j]! - mx) : Math.exp(S[o + j]! - mx);
    S[o + j] = e;
    sum += e;
  }
  const inv = 1 / sum;
  for (let j = 0; j <= last; j++) S[o + j] = S[o + j]! * inv;
  for (let j = last + 1; j < nk; j++) S[o + j] = 0;
  return mx + Math.log(sum);
}

export function attentionBackward(
  dout: Floats, q: Floats, k: Floats, v: Floats, out: Floats, lse: Floats,
  dq: Floats, dk: Floats, dv: Floats, p: AttentionParams, kernel: CpuKernels = 'fast',
): void {
  const group = check(p);
  if (kernel === 'fast' && attention32Applies(p, dout, q, k, v, out, lse, dq, dk, dv)) {
    attentionBackward32(dout, q, k, v, out, lse, dq, dk, dv, p);
    return;
  }
  const { batch, seq, kvSeq, numHeads: H, numKvHeads: Hkv, headDim: D, posOffset } = p;
  const scale = 1 / Math.sqrt(D);
  const fast = kernel === 'fast';
  const keep = saved.get(lse) ?? null;
  saved.delete(lse);
  if (keep && keep.length !== batch * H * blockArea(seq, posOffset)) throw new Error('attention: the saved probabilities do not match this backward\'s shape');
  let kept = 0;
  const dS = dBuf;
  for (let b = 0; b < batch; b++) {
    for (let h = 0; h < H; h++) {
      const kvBase = (b * kvSeq * Hkv + Math.floor(h / group)) * D;
      for (let t0 = 0; t0 < seq; t0 += QB) {
        const tb = Math.min(QB, seq - t0);
        const nk = posOffset + t0 + tb;
        const qBase = ((b * seq + t0) * H + h) * D;
        const qv = { X: q, x0: qBase, rs: H * D, cs: 1 };
        const dov = { X: dout, x0: qBase, rs: H * D, cs: 1 };
        // P: kept from the forward, or recomputed from the scores and the row's log-sum-exp.
        const P = keep ?? sBuf;
        const p0 = keep ? kept : 0;
        if (!keep) gemm(qv, { X: k, x0: kvBase, rs: 1, cs: Hkv * D }, P, 0, nk, tb, nk, D, scale, false);
        gemm(dov, { X: v, x0: kvBase, rs: 1, cs: Hkv * D }, dS, 0, nk, tb, nk, D, 1, false);
        for (let r = 0; r < tb; r++) {
          const last = posOffset + t0 + r;
          const o = r * nk;
          // rowDot = Σ_d dout·out = Σ_j p_j (dout·v_j): the softmax Jacobian's shared term.
          const ro = qBase + r * H * D;
          let rowDot = 0;
          for (let d = 0; d < D; d++) rowDot += dout[ro + d]! * out[ro + d]!;
          if (!keep) {
            const l = lse[(b * H + h) * seq + t0 + r]!;
            for (let j = 0; j <= last; j++) P[o + j] = fast ? fastExp(P[o + j]! - l) : Math.exp(P[o + j]! - l);
            for (let j = last + 1; j < nk; j++) P[o + j] = 0;
          }
          for (let j = 0; j <= last; j++) dS[o + j] = P[p0 + o + j]! * (dS[o + j]! - rowDot) * scale;
          for (let j = last + 1; j < nk; j++) dS[o + j] = 0;
        }
        gemm({ X: dS, x0: 0, rs: nk, cs: 1 }, { X: k, x0: kvBase, rs: Hkv * D, cs: 1 }, dq, qBase, H * D, tb, D, nk, 1, true);
        gemm({ X: dS, x0: 0, rs: 1, cs: nk }, qv, dk, kvBase, Hkv * D, nk, D, tb, 1, true);
        gemm({ X: P, x0: p0, rs: 1, cs: nk }, dov, dv, kvBase, Hkv * D, nk, D, tb, 1, true);
        if (keep) kept += tb * nk;
      }
    }
  }
}
