/**
 * Element-wise WGSL kernels (one invocation per element, 64 per workgroup) and the two-stage
 * sum-of-squares reduction. Same formulas and evaluation order as cpu/elementwise.ts; the
 * differences are f32 arithmetic where the CPU uses JS doubles (≤ a few ulp per element).
 */
import type { Kernel } from './device.ts';

export const EW = 64;

/** An element-wise kernel over `p.n` elements: `body` sees the index `i`. */
function ew(name: string, params: Kernel['params'], buffers: Kernel['buffers'], body: string, helpers = ''): Kernel {
  return {
    name,
    params: [['n', 'u32'], ...params],
    buffers,
    main: /* wgsl */ `${helpers}
@compute @workgroup_size(${EW})
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let i = flatGroup(wid, nwg) * ${EW}u + lid;
  if (i >= p.n) { return; }
  ${body}
}`,
  };
}

export const fillKernel = ew('fill', [['value', 'f32']], [['y', 'rw', 'f32']], 'y[i] = p.value;');
export const copyKernel = ew('copy', [], [['x', 'read', 'f32'], ['y', 'rw', 'f32']], 'y[i] = x[i];');
export const addKernel = ew('addInPlace', [['alpha', 'f32']], [['y', 'rw', 'f32'], ['x', 'read', 'f32']], 'y[i] = y[i] + p.alpha * x[i];');
export const scaleKernel = ew('scale', [['s', 'f32']], [['y', 'rw', 'f32']], 'y[i] = y[i] * p.s;');
export const mulKernel = ew(
  'mul',
  [['acc', 'u32']],
  [['a', 'read', 'f32'], ['b', 'read', 'f32'], ['y', 'rw', 'f32']],
  'let v = a[i] * b[i]; if (p.acc != 0u) { y[i] = y[i] + v; } else { y[i] = v; }',
);

/** hashU32 of backend.ts, bit for bit: WGSL u32 arithmetic wraps like Math.imul. */
export const HASH_WGSL = /* wgsl */ `
fn hashU32(seed: u32, index: u32) -> u32 {
  var x = index * 0x9e3779b9u + seed * 0x85ebca6bu + 0x632be5abu;
  x = x ^ (x >> 16u);
  x = x * 0x7feb352du;
  x = x ^ (x >> 15u);
  x = x * 0x846ca68bu;
  x = x ^ (x >> 16u);
  return x;
}`;

export const dropoutKernel = ew(
  'dropoutMask',
  [['seed', 'u32'], ['threshold', 'u32'], ['keep', 'f32']],
  [['y', 'rw', 'f32']],
  'y[i] = select(0.0, p.keep, hashU32(p.seed, i) >= p.threshold);',
  HASH_WGSL,
);

const SIGMOID = 'fn sigmoid(x: f32) -> f32 { return 1.0 / (1.0 + exp(-x)); }';

export const swigluForwardKernel = ew(
  'swigluForward',
  [],
  [['gate', 'read', 'f32'], ['up', 'read', 'f32'], ['y', 'rw', 'f32']],
  'let g = gate[i]; y[i] = g * sigmoid(g) * up[i];',
  SIGMOID,
);

export const swigluBackwardKernel = ew(
  'swigluBackward',
  [],
  [['dout', 'read', 'f32'], ['gate', 'read', 'f32'], ['up', 'read', 'f32'], ['dgate', 'rw', 'f32'], ['dup', 'rw', 'f32']],
  `let g = gate[i];
  let s = sigmoid(g);
  let d = dout[i];
  dup[i] = dup[i] + d * g * s;
  dgate[i] = dgate[i] + d * up[i] * s * (1.0 + g * (1.0 - s));`,
  SIGMOID,
);

/** The step's scalars (bias corrections, decay) are computed once in f64 on the host. */
export const adamwKernel = ew(
  'adamwStep',
  [['beta1', 'f32'], ['beta2', 'f32'], ['oneMinusBeta1', 'f32'], ['oneMinusBeta2', 'f32'], ['decay', 'f32'], ['stepSize', 'f32'], ['bc2Sqrt', 'f32'], ['eps', 'f32'], ['gradScale', 'f32']],
  [['param', 'rw', 'f32'], ['grad', 'read', 'f32'], ['m', 'rw', 'f32'], ['v', 'rw', 'f32']],
  `let g = grad[i] * p.gradScale;
  let mi = p.beta1 * m[i] + p.oneMinusBeta1 * g;
  let vi = p.beta2 * v[i] + p.oneMinusBeta2 * g * g;
  m[i] = mi;
  v[i] = vi;
  param[i] = param[i] * p.decay - (p.stepSize * mi) / (sqrt(vi) / p.bc2Sqrt + p.eps);`,
);

/** Workgroup tree reductions over 64 or 256 lanes; call in uniform control flow. */
export function reduceWgsl(lanes: number): string {
  return /* wgsl */ `
var<workgroup> red: array<f32, ${lanes}>;
fn reduceSum(lid: u32, v: f32) -> f32 {
  red[lid] = v;
  workgroupBarrier();
  for (var s = ${lanes / 2}u; s > 0u; s = s >> 1u) {
    if (lid < s) { red[lid] = red[lid] + red[lid + s]; }
    workgroupBarrier();
  }
  let r = red[0];
  workgroupBarrier(); // everyone has read red[0] before the next reduction overwrites it
  return r;
}
fn reduceMax(lid: u32, v: f32) -> f32 {
  red[lid] = v;
  workgroupBarrier();
  for (var s = ${lanes / 2}u; s > 0u; s = s >> 1u) {
    if (lid < s) { red[lid] = max(red[lid], red[lid + s]); }
    workgroupBarrier();
  }
  let r = red[0];
  workgroupBarrier();
  return r;
}`;
}

/** Partial sums: workgroup w strides over the input and writes partial[w]. At most SS_GROUPS groups. */
export const SS_GROUPS = 256;
export const sumSquaresPartialKernel: Kernel = {
  name: 'sumSquaresPartial',
  params: [['n', 'u32']],
  buffers: [['x', 'read', 'f32'], ['partial', 'rw', 'f32']],
  main: /* wgsl */ `${reduceWgsl(256)}
@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  var s = 0.0;
  for (var i = wid.x * 256u + lid; i < p.n; i = i + nwg.x * 256u) { let v = x[i]; s = s + v * v; }
  let t = reduceSum(lid, s);
  if (lid == 0u) { partial[wid.x] = t; }
}`,
};

export const sumSquaresFinalKernel: Kernel = {
  name: 'sumSquaresFinal',
  params: [['count', 'u32'], ['acc', 'u32']],
  buffers: [['partial', 'read', 'f32'], ['out', 'rw', 'f32']],
  main: /* wgsl */ `${reduceWgsl(256)}
@compute @workgroup_size(256)
fn main(@builtin(local_invocation_index) lid: u32) {
  let t = reduceSum(lid, select(0.0, partial[min(lid, p.count - 1u)], lid < p.count));
  if (lid == 0u) {
    if (p.acc != 0u) { out[0] = out[0] + t; } else { out[0] = t; }
  }
}`,
};
