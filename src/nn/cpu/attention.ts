/**
 * CPU causal attention with grouped KV heads (GQA), flash-attention style: the forward keeps
 * only each row's log-sum-exp, the backward recomputes the probabilities from it. One query row
 * at a time, so the scratch is O(kvSeq) however long the sequence.
 *
 * Layouts: q, out [B, T, H, D]; k, v [B, S, Hkv, D]; lse [B, H, T]. Query t is at absolute
 * position posOffset + t and sees keys 0..posOffset + t.
 */
import type { AttentionParams } from '../backend.ts';
import type { Floats } from './storage.ts';

let scores = new Float64Array(64);

function check(p: AttentionParams): number {
  const { numHeads, numKvHeads, seq, kvSeq, posOffset } = p;
  if (numHeads % numKvHeads !== 0) throw new Error(`attention: numHeads ${numHeads} is not a multiple of numKvHeads ${numKvHeads}`);
  if (posOffset + seq > kvSeq) throw new Error(`attention: posOffset ${posOffset} + seq ${seq} exceeds kvSeq ${kvSeq}`);
  if (scores.length < kvSeq) scores = new Float64Array(kvSeq);
  return numHeads / numKvHeads;
}

export function attentionForward(q: Floats, k: Floats, v: Floats, out: Floats, lse: Floats, p: AttentionParams): void {
  const group = check(p);
  const { batch, seq, kvSeq, numHeads: H, numKvHeads: Hkv, headDim: D, posOffset } = p;
  const scale = 1 / Math.sqrt(D);
  const s = scores;
  for (let b = 0; b < batch; b++) {
    for (let h = 0; h < H; h++) {
      const kh = Math.floor(h / group);
      for (let t = 0; t < seq; t++) {
        const qo = ((b * seq + t) * H + h) * D;
        const last = posOffset + t;
        let mx = -Infinity;
        for (let j = 0; j <= last; j++) {
          const ko = ((b * kvSeq + j) * Hkv + kh) * D;
          let dot = 0;
          for (let d = 0; d < D; d++) dot += q[qo + d]! * k[ko + d]!;
          s[j] = dot * scale;
          if (s[j]! > mx) mx = s[j]!;
        }
        let sum = 0;
        for (let j = 0; j <= last; j++) {
          s[j] = Math.exp(s[j]! - mx);
          sum += s[j]!;
        }
        lse[(b * H + h) * seq + t] = mx + Math.log(sum);
        for (let d = 0; d < D; d++) out[qo + d] = 0;
        const inv = 1 / sum;
        for (let j = 0; j <= last; j++) {
          const pj = s[j]! * inv;
          const vo = ((b * kvSeq + j) * Hkv + kh) * D;
          for (let d = 0; d < D; d++) out[qo + d] += pj * v[vo + d]!;
        }
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
  const prob = scores;
  for (let b = 0; b < batch; b++) {
    for (let h = 0; h < H; h++) {
      const kh = Math.floor(h / group);
      for (let t = 0; t < seq; t++) {
        const qo = ((b * seq + t) * H + h) * D;
        const last = posOffset + t;
        const l = lse[(b * H + h) * seq + t]!;
        // rowDot = Σ_d dout·out = Σ_j p_j (dout·v_j): the softmax Jacobian's shared term.
        let rowDot = 0;
        for (let d = 0; d < D; d++) rowDot += dout[qo + d]! * out[qo + d]!;
        for (let j = 0; j <= last; j++) {
          const ko = ((b * kvSeq + j) * Hkv + kh) * D;
          let dot = 0;
          for (let d = 0; d < D; d++) dot += q[qo + d]! * k[ko + d]!;
          prob[j] = Math.exp(dot * scale - l);
        }
        for (let j = 0; j <= last; j++) {
          const ko = ((b * kvSeq + j) * Hkv + kh) * D;
          const pj = prob[j]!;
          let dp = 0;
          for (let d = 0; d < D; d++) {
            dp += dout[qo + d]! * v[ko + d]!;
            dv[ko + d] += pj * dout[qo + d]!;
          }
          const ds = pj * (dp - rowDot) * scale;
          for (let d = 0; d < D; d++) {
            dq[qo + d] += ds * k[ko + d]!;
            dk[ko + d] += ds * q[qo + d]!;
          }
        }
      }
    }
  }
}
