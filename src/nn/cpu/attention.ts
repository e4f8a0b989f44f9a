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
 * Layouts: q, out [B, T, H, D]; k, v [B, S, Hkv, D]; lse [B, H, T]. Query t is at absolute
 * position posOffset + t and sees keys 0..posOffset + t.
 */
import type { AttentionParams } from '../backend.ts';
import { gemm } from './matmul.ts';
import type { Floats } from './storage.ts';

/** Query rows per block. */
const QB = 64;

let sBuf = new Float64Array(0);
let dBuf = new Float64Array(0);

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

export function attentionForward(q: Floats, k: Floats, v: Floats, out: Floats, lse: Floats, p: AttentionParams): void {
  const group = check(p);
  const { batch, seq, kvSeq, numHeads: H, numKvHeads: Hkv, headDim: D, posOffset } = p;
  const scale = 1 / Math.sqrt(D);
  const S = sBuf;
  for (let b = 0; b < batch; b++) {
    for (let h = 0; h < H; h++) {
      const kvBase = (b * kvSeq * Hkv + Math.floor(h / group)) * D;
      for (let t0 = 0; t0 < seq; t0 += QB) {
        const tb = Math.min(QB, seq - t0);
        const nk = posOffset + t0 + tb; // keys visible to the block's last row
        const qBase = ((b * seq + t0) * H + h) * D;
        gemm({ X: q, x0: qBase, rs: H * D, cs: 1 }, { X: k, x0: kvBase, rs: 1, cs: Hkv * D }, S, 0, nk, tb, nk, D, scale, false);
        for (let r = 0; r < tb; r++) {
          const last = posOffset + t0 + r;
          const o = r * nk;
          let mx = -Infinity;
          for (let j = 0; j <= last; j++) if (S[o + j]! > mx) mx = S[o + j]!;
          let sum = 0;
          for (let j = 0; j <= last; j++) {
            const e = Math.exp(S[o + j]! - mx);
            S[o + j] = e;
            sum += e;
          }
          lse[(b * H + h) * seq + t0 + r] = mx + Math.log(sum);
          const inv = 1 / sum;
          for (let j = 0; j <= last; j++) S[o + j] = S[o + j]! * inv;
          for (let j = last + 1; j < nk; j++) S[o + j] = 0;
        }
        gemm({ X: S, x0: 0, rs: nk, cs: 1 }, { X: v, x0: kvBase, rs: Hkv * D, cs: 1 }, out, qBase, H * D, tb, D, nk, 1, false);
      }
    }
  }
}

export function attentionBackward(
  dout: Floats, q: Floats, k: Floats, v: Floats, out: Floats, lse: Floats,
  dq: Floats, dk: Floats, dv: Floats, p: AttentionParams,
): void {
  const group = check(p);
  const { batch, seq, kvSeq, numHeads: H, numKvHeads: Hkv, headDim: D, posOffset } = p;
  const scale = 1 / Math.sqrt(D);
  const P = sBuf;
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
        gemm(qv, { X: k, x0: kvBase, rs: 1, cs: Hkv * D }, P, 0, nk, tb, nk, D, scale, false);
        gemm(dov, { X: v, x0: kvBase, rs: 1, cs: Hkv * D }, dS, 0, nk, tb, nk, D, 1, false);
        for (let r = 0; r < tb; r++) {
          const last = posOffset + t0 + r;
          const o = r * nk;
          const l = lse[(b * H + h) * seq + t0 + r]!;
          // rowDot = Σ_d dout·out = Σ_j p_j (dout·v_j): the softmax Jacobian's shared term.
          const ro = qBase + r * H * D;
          let rowDot = 0;
          for (let d = 0; d < D; d++) rowDot += dout[ro + d]! * out[ro + d]!;
          for (let j = 0; j <= last; j++) {
            const pj = Math.exp(P[o + j]! - l);
            P[o + j] = pj;
            dS[o + j] = pj * (dS[o + j]! - rowDot) * scale;
          }
          for (let j = last + 1; j < nk; j++) {
            P[o + j] = 0;
            dS[o + j] = 0;
          }
        }
        gemm({ X: dS, x0: 0, rs: nk, cs: 1 }, { X: k, x0: kvBase, rs: Hkv * D, cs: 1 }, dq, qBase, H * D, tb, D, nk, 1, true);
        gemm({ X: dS, x0: 0, rs: 1, cs: nk }, qv, dk, kvBase, Hkv * D, nk, D, tb, 1, true);
        gemm({ X: P, x0: 0, rs: 1, cs: nk }, dov, dv, kvBase, Hkv * D, nk, D, tb, 1, true);
      }
    }
  }
}
