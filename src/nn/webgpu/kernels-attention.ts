/**
 * Causal attention with grouped KV heads, flash-attention style, in WGSL.
 *
 * Forward: one 64-lane workgroup per query row (b, h, t). Keys go by in blocks of 64: lane j
 * scores key j of the block, the block's max and sum come from workgroup reductions, and the
 * running output (lane d owns features d, d+64, d+128, d+192, hence headDim ≤ 256) is rescaled
 * by exp(m_old − m_new) as in online softmax. Only the row log-sum-exp is saved.
 *
 * Backward, with no float atomics (WGSL has none) and so three passes:
 *   rowDot  Σ_d dout·out per query row (the softmax Jacobian's shared term);
 *   dq      per query row, like the forward: ds_j = p_j (dout·v_j − rowDot)·scale, dq += Σ ds_j k_j;
 *   dk, dv  per key row (b, kvHead, j): walks the queries of every head in its group that see j.
 * Each gradient element is owned by one workgroup, so "+=" needs no synchronisation.
 *
 * Layouts as cpu/attention.ts: q, out [B, T, H, D]; k, v [B, S, Hkv, D]; lse, rowDot [B, H, T].
 */
import type { Kernel } from './device.ts';
import { EW, reduceWgsl } from './kernels-elementwise.ts';

export const MAX_HEAD_DIM = 256;

const PARAMS: Kernel['params'] = [
  ['rows', 'u32'], ['seq', 'u32'], ['kvSeq', 'u32'], ['heads', 'u32'], ['kvHeads', 'u32'], ['headDim', 'u32'], ['posOffset', 'u32'], ['group', 'u32'], ['scale', 'f32'],
];

const ROW_ENTRY = `@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let r = flatGroup(wid, nwg);
  if (r >= p.rows) { return; } // uniform: depends only on the workgroup id
  let D = p.headDim;`;

/** Query row r = (b·H + h)·T + t, the lse layout. */
const QUERY_ROW = `
  let t = r % p.seq;
  let h = (r / p.seq) % p.heads;
  let b = r / (p.seq * p.heads);
  let kh = h / p.group;
  let qo = ((b * p.seq + t) * p.heads + h) * D;
  let last = p.posOffset + t; // keys 0..last are visible`;

export const attentionForwardKernel: Kernel = {
  name: 'attentionForward',
  params: PARAMS,
  buffers: [['q', 'read', 'f32'], ['k', 'read', 'f32'], ['v', 'read', 'f32'], ['out', 'rw', 'f32'], ['lse', 'rw', 'f32']],
  main: /* wgsl */ `${reduceWgsl(64)}
var<workgroup> qs: array<f32, ${MAX_HEAD_DIM}>;
var<workgroup> pb: array<f32, 64>;
${ROW_ENTRY}${QUERY_ROW}
  for (var d = lid; d < D; d = d + 64u) { qs[d] = q[qo + d]; }
  workgroupBarrier();
  var m = -3.402823e38;
  var l = 0.0;
  var acc = array<f32, 4>(0.0, 0.0, 0.0, 0.0);
  for (var j0 = 0u; j0 <= last; j0 = j0 + 64u) {
    let j = j0 + lid;
    var s = -3.402823e38;
    if (j <= last) {
      let ko = ((b * p.kvSeq + j) * p.kvHeads + kh) * D;
      var dot = 0.0;
      for (var d = 0u; d < D; d = d + 1u) { dot = dot + qs[d] * k[ko + d]; }
      s = dot * p.scale;
    }
    let mNew = max(m, reduceMax(lid, s));
    let pj = select(0.0, exp(s - mNew), j <= last);
    pb[lid] = pj;
    let corr = exp(m - mNew);
    l = l * corr + reduceSum(lid, pj); // the reduction's barriers also publish pb
    m = mNew;
    let cnt = min(64u, last + 1u - j0);
    for (var c = 0u; c < 4u; c = c + 1u) {
      let d = lid + c * 64u;
      if (d < D) {
        var a = acc[c] * corr;
        for (var jj = 0u; jj < cnt; jj = jj + 1u) { a = a + pb[jj] * v[((b * p.kvSeq + j0 + jj) * p.kvHeads + kh) * D + d]; }
        acc[c] = a;
      }
    }
    workgroupBarrier(); // pb is rewritten by the next block
  }
  for (var c = 0u; c < 4u; c = c + 1u) {
    let d = lid + c * 64u;
    if (d < D) { out[qo + d] = acc[c] / l; }
  }
  if (lid == 0u) { lse[r] = m + log(l); }
}`,
};

/** rowDot[r] = Σ_d dout·out for query row r, one invocation per row. */
export const attentionRowDotKernel: Kernel = {
  name: 'attentionRowDot',
  params: [['n', 'u32'], ['seq', 'u32'], ['heads', 'u32'], ['headDim', 'u32']],
  buffers: [['dout', 'read', 'f32'], ['out', 'read', 'f32'], ['rowDot', 'rw', 'f32']],
  main: /* wgsl */ `
@compute @workgroup_size(${EW})
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let r = flatGroup(wid, nwg) * ${EW}u + lid;
  if (r >= p.n) { return; }
  let t = r % p.seq;
  let h = (r / p.seq) % p.heads;
  let b = r / (p.seq * p.heads);
  let qo = ((b * p.seq + t) * p.heads + h) * p.headDim;
  var s = 0.0;
  for (var d = 0u; d < p.headDim; d = d + 1u) { s = s + dout[qo + d] * out[qo + d]; }
  rowDot[r] = s;
}`,
};

export const attentionDqKernel: Kernel = {
  name: 'attentionDq',
  params: PARAMS,
  buffers: [['q', 'read', 'f32'], ['k', 'read', 'f32'], ['v', 'read', 'f32'], ['dout', 'read', 'f32'], ['lse', 'read', 'f32'], ['rowDot', 'read', 'f32'], ['dq', 'rw', 'f32']],
  main: /* wgsl */ `
var<workgroup> qs: array<f32, ${MAX_HEAD_DIM}>;
var<workgroup> dos: array<f32, ${MAX_HEAD_DIM}>;
var<workgroup> ds: array<f32, 64>;
${ROW_ENTRY}${QUERY_ROW}
  for (var d = lid; d < D; d = d + 64u) { qs[d] = q[qo + d]; dos[d] = dout[qo + d]; }
  workgroupBarrier();
  let l = lse[r];
  let rd = rowDot[r];
  var acc = array<f32, 4>(0.0, 0.0, 0.0, 0.0);
  for (var j0 = 0u; j0 <= last; j0 = j0 + 64u) {
    let j = j0 + lid;
    var g = 0.0;
    if (j <= last) {
      let ko = ((b * p.kvSeq + j) * p.kvHeads + kh) * D;
      var dot = 0.0;
      var dp = 0.0;
      for (var d = 0u; d < D; d = d + 1u) { dot = dot + qs[d] * k[ko + d]; dp = dp + dos[d] * v[ko + d]; }
      g = exp(dot * p.scale - l) * (dp - rd) * p.scale;
    }
    ds[lid] = g;
    workgroupBarrier();
    let cnt = min(64u, last + 1u - j0);
    for (var c = 0u; c < 4u; c = c + 1u) {
      let d = lid + c * 64u;
      if (d < D) {
        var a = acc[c];
        for (var jj = 0u; jj < cnt; jj = jj + 1u) { a = a + ds[jj] * k[((b * p.kvSeq + j0 + jj) * p.kvHeads + kh) * D + d]; }
        acc[c] = a;
      }
    }
    workgroupBarrier();
  }
  for (var c = 0u; c < 4u; c = c + 1u) {
    let d = lid + c * 64u;
    if (d < D) { dq[qo + d] = dq[qo + d] + acc[c]; }
  }
}`,
};

/** One workgroup per key row r = (b·Hkv + kh)·S + j. */
export const attentionDkvKernel: Kernel = {
  name: 'attentionDkv',
  params: PARAMS,
  buffers: [['q', 'read', 'f32'], ['k', 'read', 'f32'], ['v', 'read', 'f32'], ['dout', 'read', 'f32'], ['lse', 'read', 'f32'], ['rowDot', 'read', 'f32'], ['dk', 'rw', 'f32'], ['dv', 'rw', 'f32']],
  main: /* wgsl */ `
var<workgroup> ks: array<f32, ${MAX_HEAD_DIM}>;
var<workgroup> vs: array<f32, ${MAX_HEAD_DIM}>;
var<workgroup> pb: array<f32, 64>;
var<workgroup> ds: array<f32, 64>;
${ROW_ENTRY}
  let j = r % p.kvSeq;
  let kh = (r / p.kvSeq) % p.kvHeads;
  let b = r / (p.kvSeq * p.kvHeads);
  let ko = ((b * p.kvSeq + j) * p.kvHeads + kh) * D;
  for (var d = lid; d < D; d = d + 64u) { ks[d] = k[ko + d]; vs[d] = v[ko + d]; }
  workgroupBarrier();
  // Query t sees key j when posOffset + t >= j.
  let t0 = select(0u, j - p.posOffset, j > p.posOffset);
  var dka = array<f32, 4>(0.0, 0.0, 0.0, 0.0);
  var dva = array<f32, 4>(0.0, 0.0, 0.0, 0.0);
  for (var gh = 0u; gh < p.group; gh = gh + 1u) {
    let h = kh * p.group + gh;
    for (var tb = t0; tb < p.seq; tb = tb + 64u) {
      let t = tb + lid;
      var pj = 0.0;
      var g = 0.0;
      if (t < p.seq) {
        let qo = ((b * p.seq + t) * p.heads + h) * D;
        let li = (b * p.heads + h) * p.seq + t;
        var dot = 0.0;
        var dp = 0.0;
        for (var d = 0u; d < D; d = d + 1u) { dot = dot + q[qo + d] * ks[d]; dp = dp + dout[qo + d] * vs[d]; }
        pj = exp(dot * p.scale - lse[li]);
        g = pj * (dp - rowDot[li]) * p.scale;
      }
      pb[lid] = pj;
      ds[lid] = g;
      workgroupBarrier();
      let cnt = min(64u, p.seq - tb);
      for (var c = 0u; c < 4u; c = c + 1u) {
        let d = lid + c * 64u;
        if (d < D) {
          var ak = dka[c];
          var av = dva[c];
          for (var tt = 0u; tt < cnt; tt = tt + 1u) {
            let qo = ((b * p.seq + tb + tt) * p.heads + h) * D + d;
            ak = ak + ds[tt] * q[qo];
            av = av + pb[tt] * dout[qo];
          }
          dka[c] = ak;
          dva[c] = av;
        }
      }
      workgroupBarrier();
    }
  }
  for (var c = 0u; c < 4u; c = c + 1u) {
    let d = lid + c * 64u;
    if (d < D) {
      dk[ko + d] = dk[ko + d] + dka[c];
      dv[ko + d] = dv[ko + d] + dva[c];
    }
  }
}`,
};
