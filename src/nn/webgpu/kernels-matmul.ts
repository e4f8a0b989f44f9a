/**
 * Tiled matrix multiply, out (m×n) (+)= alpha · op(A) · op(B), f32.
 *
 * A workgroup of 16×16 invocations computes a 64×64 output tile, each invocation a 4×4 block
 * held in registers; op(A) and op(B) stream through workgroup memory in slabs of 16 along k.
 * Transposes are strides in the uniforms (A(i, kk) = a[i·aI + kk·aK], B(kk, j) = b[kk·bK + j·bJ]),
 * so one pipeline serves all four layouts. The slab loader walks along whichever index is
 * contiguous in memory, so neighbouring invocations read neighbouring words in every layout.
 * Sums are f32 (the CPU sums in f64): relative error grows like √k·2⁻²⁴, ~1e-6 at k = 1000.
 */
import type { Kernel } from './device.ts';

export const TILE = 64;

export const matmulKernel: Kernel = {
  name: 'matmul',
  params: [['m', 'u32'], ['n', 'u32'], ['k', 'u32'], ['aI', 'u32'], ['aK', 'u32'], ['bK', 'u32'], ['bJ', 'u32'], ['alpha', 'f32'], ['acc', 'u32']],
  buffers: [['a', 'read', 'f32'], ['b', 'read', 'f32'], ['c', 'rw', 'f32']],
  main: /* wgsl */ `
const TS: u32 = 64u;
const BK: u32 = 16u;
var<workgroup> As: array<f32, 1024>; // [BK][TS]: As[kk * TS + i]
var<workgroup> Bs: array<f32, 1024>; // [BK][TS]: Bs[kk * TS + j]

@compute @workgroup_size(16, 16)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) l: vec3u, @builtin(local_invocation_index) lid: u32) {
  let row0 = wid.y * TS;
  let col0 = wid.x * TS;
  let tr = l.y * 4u;
  let tc = l.x * 4u;
  var acc0 = vec4f(0.0);
  var acc1 = vec4f(0.0);
  var acc2 = vec4f(0.0);
  var acc3 = vec4f(0.0);
  let aAlongK = p.aK == 1u;
  let bAlongK = p.bK == 1u;
  for (var k0 = 0u; k0 < p.k; k0 = k0 + BK) {
    for (var e = lid; e < 1024u; e = e + 256u) {
      // Element e of the slab: consecutive e walk the contiguous direction of each operand.
      let akk = select(e / TS, e % BK, aAlongK);
      let ai = select(e % TS, e / BK, aAlongK);
      let gi = row0 + ai;
      let gka = k0 + akk;
      var av = 0.0;
      if (gi < p.m && gka < p.k) { av = a[gi * p.aI + gka * p.aK]; }
      As[akk * TS + ai] = av;
      let bkk = select(e / TS, e % BK, bAlongK);
      let bj = select(e % TS, e / BK, bAlongK);
      let gj = col0 + bj;
      let gkb = k0 + bkk;
      var bv = 0.0;
      if (gj < p.n && gkb < p.k) { bv = b[gkb * p.bK + gj * p.bJ]; }
      Bs[bkk * TS + bj] = bv;
    }
    workgroupBarrier();
    for (var kk = 0u; kk < BK; kk = kk + 1u) {
      let ao = kk * TS + tr;
      let bo = kk * TS + tc;
      let bv = vec4f(Bs[bo], Bs[bo + 1u], Bs[bo + 2u], Bs[bo + 3u]);
      acc0 = acc0 + As[ao] * bv;
      acc1 = acc1 + As[ao + 1u] * bv;
      acc2 = acc2 + As[ao + 2u] * bv;
      acc3 = acc3 + As[ao + 3u] * bv;
    }
    workgroupBarrier();
  }
  store(row0 + tr, col0 + tc, acc0);
  store(row0 + tr + 1u, col0 + tc, acc1);
  store(row0 + tr + 2u, col0 + tc, acc2);
  store(row0 + tr + 3u, col0 + tc, acc3);
}

fn store(i: u32, j0: u32, v: vec4f) {
  if (i >= p.m) { return; }
  for (var q = 0u; q < 4u; q = q + 1u) {
    let j = j0 + q;
    if (j < p.n) {
      let o = i * p.n + j;
      let x = p.alpha * v[q];
      if (p.acc != 0u) { c[o] = c[o] + x; } else { c[o] = x; }
    }
  }
}`,
};
