/**
 * WGSL kernels of the per-token Llama layers: RMSNorm, RoPE, embedding, cross-entropy.
 * Row reductions use one 64-lane workgroup per row (cpu/layers.ts sums in f64; here f32 tree
 * sums, which are usually *more* accurate than a sequential f32 sum).
 */
import type { Kernel } from './device.ts';
import { EW, reduceWgsl } from './kernels-elementwise.ts';

const ROW_ENTRY = `@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let r = flatGroup(wid, nwg);
  if (r >= p.rows) { return; } // uniform: depends only on the workgroup id`;

const EW_ENTRY = `@compute @workgroup_size(${EW})
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let e = flatGroup(wid, nwg) * ${EW}u + lid;
  if (e >= p.n) { return; }`;

export const rmsnormForwardKernel: Kernel = {
  name: 'rmsnormForward',
  params: [['rows', 'u32'], ['dim', 'u32'], ['eps', 'f32']],
  buffers: [['x', 'read', 'f32'], ['w', 'read', 'f32'], ['y', 'rw', 'f32'], ['rstd', 'rw', 'f32']],
  main: /* wgsl */ `${reduceWgsl(64)}
${ROW_ENTRY}
  let o = r * p.dim;
  var s = 0.0;
  for (var j = lid; j < p.dim; j = j + 64u) { let v = x[o + j]; s = s + v * v; }
  let rs = 1.0 / sqrt(reduceSum(lid, s) / f32(p.dim) + p.eps);
  if (lid == 0u) { rstd[r] = rs; }
  for (var j = lid; j < p.dim; j = j + 64u) { y[o + j] = x[o + j] * rs * w[j]; }
}`,
};

/** dx += rstd·(dy∘w − x·rstd²·mean(dy∘w∘x)), one workgroup per row. */
export const rmsnormBackwardDxKernel: Kernel = {
  name: 'rmsnormBackwardDx',
  params: [['rows', 'u32'], ['dim', 'u32']],
  buffers: [['dy', 'read', 'f32'], ['x', 'read', 'f32'], ['w', 'read', 'f32'], ['rstd', 'read', 'f32'], ['dx', 'rw', 'f32']],
  main: /* wgsl */ `${reduceWgsl(64)}
${ROW_ENTRY}
  let o = r * p.dim;
  let rs = rstd[r];
  var s = 0.0;
  for (var j = lid; j < p.dim; j = j + 64u) { s = s + dy[o + j] * w[j] * x[o + j]; }
  let c = rs * rs * reduceSum(lid, s) / f32(p.dim);
  for (var j = lid; j < p.dim; j = j + 64u) { dx[o + j] = dx[o + j] + rs * (dy[o + j] * w[j] - x[o + j] * c); }
}`,
};

/** dw[j] += Σ_r dy·x·rstd: one invocation per feature walks the rows (no atomics needed). */
export const rmsnormBackwardDwKernel: Kernel = {
  name: 'rmsnormBackwardDw',
  params: [['n', 'u32'], ['rows', 'u32']],
  buffers: [['dy', 'read', 'f32'], ['x', 'read', 'f32'], ['rstd', 'read', 'f32'], ['dw', 'rw', 'f32']],
  main: /* wgsl */ `${EW_ENTRY}
  var s = 0.0;
  for (var r = 0u; r < p.rows; r = r + 1u) { let o = r * p.n + e; s = s + dy[o] * x[o] * rstd[r]; }
  dw[e] = dw[e] + s;
}`,
};

/**
 * Rotate-half RoPE over pairs (i, i + D/2); one invocation per pair. cos/sin come from a table
 * built on the host ([position][i] → (cos, sin), inv_freq and angle rounded through f32 as in
 * cpu/layers.ts): WGSL only promises sin/cos to 2⁻¹¹ absolute, far from 1e-4 parity.
 * dir = −1 applies the inverse rotation (the backward); acc adds instead of storing.
 */
export const ropeKernel: Kernel = {
  name: 'rope',
  params: [['n', 'u32'], ['seq', 'u32'], ['heads', 'u32'], ['half', 'u32'], ['posOffset', 'u32'], ['dir', 'f32'], ['acc', 'u32']],
  buffers: [['src', 'read', 'f32'], ['table', 'read', 'f32'], ['dst', 'rw', 'f32']],
  main: /* wgsl */ `${EW_ENTRY}
  let i = e % p.half;
  let h = (e / p.half) % p.heads;
  let row = e / (p.half * p.heads);
  let pos = p.posOffset + row % p.seq;
  let te = (pos * p.half + i) * 2u;
  let c = table[te];
  let s = p.dir * table[te + 1u];
  let o = (row * p.heads + h) * 2u * p.half;
  let x1 = src[o + i];
  let x2 = src[o + p.half + i];
  let y1 = x1 * c - x2 * s;
  let y2 = x2 * c + x1 * s;
  if (p.acc != 0u) {
    dst[o + i] = dst[o + i] + y1;
    dst[o + p.half + i] = dst[o + p.half + i] + y2;
  } else {
    dst[o + i] = y1;
    dst[o + p.half + i] = y2;
  }
}`,
};

export const embeddingForwardKernel: Kernel = {
  name: 'embeddingForward',
  params: [['n', 'u32'], ['dim', 'u32']],
  buffers: [['ids', 'read', 'u32'], ['table', 'read', 'f32'], ['out', 'rw', 'f32']],
  main: /* wgsl */ `${EW_ENTRY}
  let r = e / p.dim;
  out[e] = table[ids[r] * p.dim + e % p.dim];
}`,
};

/**
 * Scatter-add without float atomics (WGSL has none): invocation (r, j) works only if row r is
 * the first occurrence of its id, and then sums column j of every later row with that id.
 * O(rows² · dim) in the worst case, independent of the vocabulary: fine for the short batches
 * this engine trains on, and deterministic (the order of the sum is fixed).
 */
export const embeddingBackwardKernel: Kernel = {
  name: 'embeddingBackward',
  params: [['n', 'u32'], ['dim', 'u32'], ['rows', 'u32']],
  buffers: [['ids', 'read', 'u32'], ['dout', 'read', 'f32'], ['dtable', 'rw', 'f32']],
  main: /* wgsl */ `${EW_ENTRY}
  let r = e / p.dim;
  let j = e % p.dim;
  let id = ids[r];
  for (var q = 0u; q < r; q = q + 1u) { if (ids[q] == id) { return; } }
  var s = 0.0;
  for (var q = r; q < p.rows; q = q + 1u) { if (ids[q] == id) { s = s + dout[q * p.dim + j]; } }
  let o = id * p.dim + j;
  dtable[o] = dtable[o] + s;
}`,
};

/** Per row: lse and the row's masked loss mask·(lse − logit[target]) (one workgroup per row). */
export const crossEntropyRowKernel: Kernel = {
  name: 'crossEntropyRow',
  params: [['rows', 'u32'], ['vocab', 'u32']],
  buffers: [['logits', 'read', 'f32'], ['targets', 'read', 'u32'], ['mask', 'read', 'f32'], ['lse', 'rw', 'f32'], ['rowLoss', 'rw', 'f32']],
  main: /* wgsl */ `${reduceWgsl(64)}
${ROW_ENTRY}
  let o = r * p.vocab;
  var mx = -3.402823e38;
  for (var j = lid; j < p.vocab; j = j + 64u) { mx = max(mx, logits[o + j]); }
  mx = reduceMax(lid, mx);
  var s = 0.0;
  for (var j = lid; j < p.vocab; j = j + 64u) { s = s + exp(logits[o + j] - mx); }
  let l = mx + log(reduceSum(lid, s));
  if (lid == 0u) {
    lse[r] = l;
    let m = mask[r];
    rowLoss[r] = select(0.0, m * (l - logits[o + targets[r]]), m != 0.0);
  }
}`,
};

/** The effective denominator: the given one, else Σ mask, else 1 (an all-zero mask gives 0, not NaN). */
const DENOMINATOR = /* wgsl */ `
fn denominator(lid: u32) -> f32 {
  var ms = 0.0;
  for (var r = lid; r < p.rows; r = r + 256u) { ms = ms + mask[r]; }
  ms = reduceSum(lid, ms);
  if (p.denominator > 0.0) { return p.denominator; }
  return select(1.0, ms, ms > 0.0);
}`;

/** loss[0] = Σ rowLoss / denominator, one 256-lane workgroup. */
export const crossEntropyTotalKernel: Kernel = {
  name: 'crossEntropyTotal',
  params: [['rows', 'u32'], ['denominator', 'f32']],
  buffers: [['rowLoss', 'read', 'f32'], ['mask', 'read', 'f32'], ['loss', 'rw', 'f32']],
  main: /* wgsl */ `${reduceWgsl(256)}
${DENOMINATOR}
@compute @workgroup_size(256)
fn main(@builtin(local_invocation_index) lid: u32) {
  var t = 0.0;
  for (var r = lid; r < p.rows; r = r + 256u) { t = t + rowLoss[r]; }
  t = reduceSum(lid, t);
  let d = denominator(lid);
  if (lid == 0u) { loss[0] = t / d; }
}`,
};

/** g[0] = dloss[0] / denominator, for the element-wise backward. */
export const crossEntropyScaleKernel: Kernel = {
  name: 'crossEntropyScale',
  params: [['rows', 'u32'], ['denominator', 'f32']],
  buffers: [['mask', 'read', 'f32'], ['dloss', 'read', 'f32'], ['g', 'rw', 'f32']],
  main: /* wgsl */ `${reduceWgsl(256)}
${DENOMINATOR}
@compute @workgroup_size(256)
fn main(@builtin(local_invocation_index) lid: u32) {
  let d = denominator(lid);
  if (lid == 0u) { g[0] = dloss[0] / d; }
}`,
};

/** dlogits += g·mask·(softmax − onehot), one invocation per logit. */
export const crossEntropyBackwardKernel: Kernel = {
  name: 'crossEntropyBackward',
  params: [['n', 'u32'], ['vocab', 'u32']],
  buffers: [['logits', 'read', 'f32'], ['targets', 'read', 'u32'], ['mask', 'read', 'f32'], ['lse', 'read', 'f32'], ['g', 'read', 'f32'], ['dlogits', 'rw', 'f32']],
  main: /* wgsl */ `${EW_ENTRY}
  let r = e / p.vocab;
  let m = mask[r];
  if (m == 0.0) { return; }
  let c = g[0] * m;
  var v = c * exp(logits[e] - lse[r]);
  if (e % p.vocab == targets[r]) { v = v - c; }
  dlogits[e] = dlogits[e] + v;
}`,
};
