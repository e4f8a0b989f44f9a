/**
 * NF4 dequantization in WGSL (the layout is documented at Backend.nf4Dequantize): one
 * invocation per weight. The 16 code values are baked into the shader from nf4.ts, written as
 * JS prints them (the shortest decimal that round-trips the f32), so WGSL parses the very same
 * f32s; code·absmax is one correctly rounded f32 multiply, like the CPU's fround of the exact
 * product, so the two backends agree bit for bit.
 */
import { NF4_BLOCK_SIZE, NF4_CODE_VALUES } from '../nf4.ts';
import type { Kernel } from './device.ts';
import { EW } from './kernels-elementwise.ts';

const table = Array.from(NF4_CODE_VALUES, (v) => (Number.isInteger(v) ? v.toFixed(1) : String(v))).join(', ');

export const nf4DequantizeKernel: Kernel = {
  name: 'nf4Dequantize',
  params: [['n', 'u32']],
  buffers: [['codes', 'read', 'u32'], ['absmax', 'read', 'f32'], ['out', 'rw', 'f32']],
  main: /* wgsl */ `
const NF4 = array<f32, 16>(${table});
@compute @workgroup_size(${EW})
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let e = flatGroup(wid, nwg) * ${EW}u + lid;
  if (e >= p.n) { return; }
  let code = (codes[e >> 3u] >> (8u * ((e >> 1u) & 3u) + select(0u, 4u, (e & 1u) == 0u))) & 15u;
  out[e] = NF4[code] * absmax[e / ${NF4_BLOCK_SIZE}u];
}`,
};
