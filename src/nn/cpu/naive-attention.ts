/**
 * Row-by-row reference attention (forward and backward) in plain f64 loops: what the kernel tests
 * (kernels.test.ts, attention32.test.ts) compare every attention kernel with. Test support only.
 */
import type { AttentionParams } from '../backend.ts';

export type NaiveAttentionParams = Omit<AttentionParams, 'forBackward'>;

export function naiveAttention(q: Float64Array, k: Float64Array, v: Float64Array, dout: Float64Array, p: NaiveAttentionParams): { out: Float64Array; dq: Float64Array; dk: Float64Array; dv: Float64Array } {
  const { batch: B, seq: T, kvSeq: S, numHeads: H, numKvHeads: Hkv, headDim: D, posOffset } = p;
  const out = new Float64Array(q.length), dq = new Float64Array(q.length), dk = new Float64Array(k.length), dv = new Float64Array(v.length);
  const scale = 1 / Math.sqrt(D);
  for (let b = 0; b < B; b++) for (let h = 0; h < H; h++) for (let t = 0; t < T; t++) {
    const kh = Math.floor(h / (H / Hkv)), qo = ((b * T + t) * H + h) * D, last = posOffset + t;
    const ko = (j: number) => ((b * S + j) * Hkv + kh) * D;
    const s = Array.from({ length: last + 1 }, (_, j) => { let x = 0; for (let d = 0; d < D; d++) x += q[qo + d]! * k[ko(j) + d]!; return x * scale; });
    const mx = Math.max(...s), e = s.map((x) => Math.exp(x - mx)), z = e.reduce((a, x) => a + x, 0), pr = e.map((x) => x / z);
    for (let j = 0; j <= last; j++) for (let d = 0; d < D; d++) out[qo + d] += pr[j]! * v[ko(j) + d]!;
    let rowDot = 0;
    for (let d = 0; d < D; d++) rowDot += dout[qo + d]! * out[qo + d]!;
    for (let j = 0; j <= last; j++) {
      let dp = 0;
      for (let d = 0; d < D; d++) { dp += dout[qo + d]! * v[ko(j) + d]!; dv[ko(j) + d] += pr[j]! * dout[qo + d]!; }
      const ds = pr[j]! * (dp - rowDot) * scale;
      for (let d = 0; d < D; d++) { dq[qo + d] += ds * k[ko(j) + d]!; dk[ko(j) + d] += ds * q[qo + d]!; }
    }
  }
  return { out, dq, dk, dv };
}
