/**
 * Kernel cases for the parity page: named random inputs (sizes), index inputs ([count, vocab]),
 * the call, and which buffers to compare afterwards. Outputs start random, so the accumulating
 * kernels are checked for "+=" too. Shapes are tiny (SwiftShader runs ~0.2 GFLOP/s) but cross
 * every boundary of the kernels: 64-wide matmul tiles, 64-key attention blocks, 64-lane rows,
 * 256-lane reduction groups, grouped KV heads and KV-cache offsets.
 */
import type { AttentionParams, Backend, Buf, IndexBuf } from '../../src/nn/backend.ts';

export interface KernelCase {
  name: string;
  inputs: Record<string, number>;
  /** Inputs made positive (0.5 + |x|), e.g. rstd. */
  positive?: string[];
  indices?: Record<string, [number, number]>;
  outputs: string[];
  run(be: Backend, b: Record<string, Buf>, ix: Record<string, IndexBuf>): void;
}

const cases: KernelCase[] = [
  { name: 'fill', inputs: { y: 100 }, outputs: ['y'], run: (be, b) => be.fill(b.y!, 0.37) },
  { name: 'copy', inputs: { x: 100, y: 100 }, outputs: ['y'], run: (be, b) => be.copy(b.x!, b.y!) },
  { name: 'addInPlace', inputs: { x: 130, y: 130 }, outputs: ['y'], run: (be, b) => be.addInPlace(b.y!, b.x!, -0.7) },
  { name: 'scale', inputs: { y: 130 }, outputs: ['y'], run: (be, b) => be.scale(b.y!, 1.3) },
  { name: 'mul', inputs: { a: 130, c: 130, y: 130 }, outputs: ['y'], run: (be, b) => be.mul(b.a!, b.c!, b.y!) },
  { name: 'mul accumulate', inputs: { a: 130, c: 130, y: 130 }, outputs: ['y'], run: (be, b) => be.mul(b.a!, b.c!, b.y!, true) },
  { name: 'dropoutMask', inputs: { y: 1000 }, outputs: ['y'], run: (be, b) => be.dropoutMask(b.y!, 12345, 0.3) },
  { name: 'swigluForward', inputs: { g: 130, u: 130, y: 130 }, outputs: ['y'], run: (be, b) => be.swigluForward(b.g!, b.u!, b.y!) },
  {
    name: 'swigluBackward',
    inputs: { d: 130, g: 130, u: 130, dg: 130, du: 130 },
    outputs: ['dg', 'du'],
    run: (be, b) => be.swigluBackward(b.d!, b.g!, b.u!, b.dg!, b.du!),
  },
  { name: 'sumSquares', inputs: { x: 70_000, y: 1 }, outputs: ['y'], run: (be, b) => be.sumSquares(b.x!, b.y!) },
  { name: 'sumSquares accumulate', inputs: { x: 300, y: 1 }, outputs: ['y'], run: (be, b) => be.sumSquares(b.x!, b.y!, true) },
  {
    name: 'adamwStep',
    inputs: { p: 500, g: 500, m: 500, v: 500 },
    positive: ['v'],
    outputs: ['p', 'm', 'v'],
    run: (be, b) => be.adamwStep(b.p!, b.g!, b.m!, b.v!, { lr: 1e-2, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01, step: 3, gradScale: 0.5 }),
  },
];

// Matmul: both tile-crossing and sub-tile shapes, every layout, plain and accumulating.
for (const [m, n, k] of [[37, 70, 45], [5, 3, 7], [65, 2, 129]] as const) {
  for (const transA of [false, true]) {
    for (const transB of [false, true]) {
      for (const accumulate of [false, true]) {
        cases.push({
          name: `matmul ${m}x${n}x${k}${transA ? ' tA' : ''}${transB ? ' tB' : ''}${accumulate ? ' acc' : ''}`,
          inputs: { a: m * k, b: k * n, c: m * n },
          outputs: ['c'],
          run: (be, b) => be.matmul(b.a!, b.b!, b.c!, { m, n, k, transA, transB, accumulate, alpha: accumulate ? -0.5 : 1 }),
        });
      }
    }
  }
}

for (const [rows, dim] of [[7, 45], [3, 130]] as const) {
  cases.push(
    { name: `rmsnormForward ${rows}x${dim}`, inputs: { x: rows * dim, w: dim, y: rows * dim, r: rows }, outputs: ['y', 'r'], run: (be, b) => be.rmsnormForward(b.x!, b.w!, b.y!, b.r!, { rows, dim, eps: 1e-5 }) },
    {
      name: `rmsnormBackward ${rows}x${dim}`,
      inputs: { dy: rows * dim, x: rows * dim, w: dim, r: rows, dx: rows * dim, dw: dim },
      positive: ['r'],
      outputs: ['dx', 'dw'],
      run: (be, b) => be.rmsnormBackward(b.dy!, b.x!, b.w!, b.r!, b.dx!, b.dw!, { rows, dim, eps: 1e-5 }),
    },
  );
}

const rope = { batch: 2, seq: 5, heads: 3, headDim: 8, theta: 10000, posOffset: 3 };
const ropeSize = 2 * 5 * 3 * 8;
cases.push(
  { name: 'ropeForward', inputs: { x: ropeSize, y: ropeSize }, outputs: ['y'], run: (be, b) => be.ropeForward(b.x!, b.y!, rope) },
  { name: 'ropeBackward', inputs: { x: ropeSize, y: ropeSize }, outputs: ['y'], run: (be, b) => be.ropeBackward(b.x!, b.y!, rope) },
  { name: 'ropeForward long positions', inputs: { x: 4 * 16, y: 4 * 16 }, outputs: ['y'], run: (be, b) => be.ropeForward(b.x!, b.y!, { batch: 1, seq: 4, heads: 1, headDim: 16, theta: 500000, posOffset: 1000 }) },
);

const attn: [string, AttentionParams][] = [
  ['GQA 4/2 with KV-cache offset', { batch: 2, seq: 5, kvSeq: 7, numHeads: 4, numKvHeads: 2, headDim: 8, posOffset: 2 }],
  ['70 keys (two blocks), 3/1 heads', { batch: 1, seq: 70, kvSeq: 70, numHeads: 3, numKvHeads: 1, headDim: 16, posOffset: 0 }],
  ['headDim 80 (two lanes per feature)', { batch: 1, seq: 6, kvSeq: 6, numHeads: 2, numKvHeads: 2, headDim: 80, posOffset: 0 }],
];
for (const [label, p] of attn) {
  const qs = p.batch * p.seq * p.numHeads * p.headDim;
  const ks = p.batch * p.kvSeq * p.numKvHeads * p.headDim;
  const ls = p.batch * p.numHeads * p.seq;
  cases.push(
    { name: `attentionForward ${label}`, inputs: { q: qs, k: ks, v: ks, o: qs, l: ls }, outputs: ['o', 'l'], run: (be, b) => be.attentionForward(b.q!, b.k!, b.v!, b.o!, b.l!, p) },
    {
      // The backward runs on each backend's own forward (its out and lse), as in training.
      name: `attentionBackward ${label}`,
      inputs: { q: qs, k: ks, v: ks, o: qs, l: ls, d: qs, dq: qs, dk: ks, dv: ks },
      outputs: ['dq', 'dk', 'dv'],
      run: (be, b) => {
        be.attentionForward(b.q!, b.k!, b.v!, b.o!, b.l!, p);
        be.attentionBackward(b.d!, b.q!, b.k!, b.v!, b.o!, b.l!, b.dq!, b.dk!, b.dv!, p);
      },
    },
  );
}

cases.push(
  { name: 'embeddingForward', inputs: { t: 11 * 6, y: 20 * 6 }, indices: { ids: [20, 11] }, outputs: ['y'], run: (be, b, ix) => be.embeddingForward(ix.ids!, b.t!, b.y!, 6) },
  // 20 ids over 5 rows: every row repeats, so the scatter-add's accumulation is exercised.
  { name: 'embeddingBackward', inputs: { d: 20 * 6, t: 5 * 6 }, indices: { ids: [20, 5] }, outputs: ['t'], run: (be, b, ix) => be.embeddingBackward(ix.ids!, b.d!, b.t!, 6) },
);

for (const denominator of [0, 5]) {
  const rows = 9;
  const vocab = 70;
  const setMask = (be: Backend, m: Buf): void => be.write(m, [1, 0, 1, 0.5, 1, 1, 0, 2, 1]);
  cases.push(
    {
      name: `crossEntropyForward denominator ${denominator}`,
      inputs: { z: rows * vocab, m: rows, loss: 1, l: rows },
      indices: { t: [rows, vocab] },
      outputs: ['loss', 'l'],
      run: (be, b, ix) => {
        setMask(be, b.m!);
        be.crossEntropyForward(b.z!, ix.t!, b.m!, b.loss!, b.l!, { rows, vocab, denominator });
      },
    },
    {
      name: `crossEntropyBackward denominator ${denominator}`,
      inputs: { z: rows * vocab, m: rows, loss: 1, l: rows, dl: 1, dz: rows * vocab },
      indices: { t: [rows, vocab] },
      outputs: ['dz'],
      run: (be, b, ix) => {
        setMask(be, b.m!);
        const p = { rows, vocab, denominator };
        be.crossEntropyForward(b.z!, ix.t!, b.m!, b.loss!, b.l!, p);
        be.crossEntropyBackward(b.z!, ix.t!, b.m!, b.l!, b.dl!, b.dz!, p);
      },
    },
  );
}

// NF4: random code words (every nibble value occurs) and scales; 150 weights = 2 blocks + a tail.
cases.push({
  name: 'nf4Dequantize',
  inputs: { s: 3, y: 150 },
  indices: { codes: [19, 0xffffffff] },
  outputs: ['y'],
  run: (be, b, ix) => be.nf4Dequantize!(ix.codes!, b.s!, b.y!),
});

export const KERNEL_CASES: readonly KernelCase[] = cases;
