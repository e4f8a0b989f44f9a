// The tape and the buffer pool: gradient accumulation into shared tensors, inference mode, and
// no backend allocations after the first training step.
import { describe, expect, it } from 'vitest';
import { Rng } from '../core/rng.ts';
import { CpuBackend } from './cpu/index.ts';
import { add, crossEntropy, linear, nextTokenTargets } from './ops.ts';
import { AdamW, trainStep } from './optim.ts';
import { Tape } from './tape.ts';
import { parameter } from './tensor.ts';
import { initToyModel, toyForward } from './toy-decoder.ts';

describe('tape', () => {
  it('a tensor used twice receives both contributions', () => {
    const be = new CpuBackend();
    const tape = new Tape(be);
    const x = parameter(be, [1, 2], [1, 2]);
    const w = parameter(be, [1, 2], [3, 4]);
    const y = linear(tape, add(tape, x, x), w); // y = 2 x·w
    tape.backward(y);
    expect(Array.from(be.view(x.grad!))).toEqual([6, 8]);
    expect(Array.from(be.view(w.grad!))).toEqual([2, 4]);
    expect(tape.recorded).toEqual([]); // consumed by backward
  });

  it('records nothing with gradients disabled or when nothing requires them', () => {
    const be = new CpuBackend();
    const tape = new Tape(be);
    const x = parameter(be, [1, 2], [1, 2], false);
    const w = parameter(be, [1, 2], [3, 4], false);
    linear(tape, x, w);
    expect(tape.recorded).toEqual([]);
    const wg = parameter(be, [1, 2], [3, 4]);
    tape.gradEnabled = false;
    const y = linear(tape, x, wg);
    expect(tape.recorded).toEqual([]);
    expect(y.requiresGrad).toBe(false);
    expect(() => tape.backward(y)).toThrow(/does not depend/);
  });

  it('leaf gradients accumulate across passes until zeroed', () => {
    const be = new CpuBackend();
    const tape = new Tape(be);
    const x = parameter(be, [1, 1], [2], false);
    const w = parameter(be, [1, 1], [5]);
    for (let i = 0; i < 3; i++) {
      tape.backward(linear(tape, x, w));
      tape.reset();
    }
    expect(be.view(w.grad!)[0]).toBe(6);
  });
});

describe('buffer pool', () => {
  it('a training step allocates nothing on the backend after the first one', async () => {
    const be = new CpuBackend();
    const cfg = { vocab: 10, dim: 12, layers: 2, heads: 3, kvHeads: 1, hidden: 20, rank: 4, alpha: 8, dropout: 0.1, theta: 10000, eps: 1e-5 };
    const model = initToyModel(be, cfg, 3);
    const opt = new AdamW(be, model.adapters);
    const tape = new Tape(be);
    const [batch, seq] = [2, 7];
    const ids = be.uploadIndices(new Uint32Array(batch * seq));
    const targets = be.uploadIndices(new Uint32Array(batch * seq));
    const mask = be.alloc(batch * seq);
    const rng = new Rng(4);
    const counts: number[] = [];
    for (let step = 0; step < 5; step++) {
      const rows = Array.from({ length: batch }, () => Array.from({ length: seq }, () => rng.int(cfg.vocab)));
      const t = nextTokenTargets(rows);
      be.writeIndices(ids, rows.flat());
      be.writeIndices(targets, t.targets);
      be.write(mask, t.mask);
      // Two micro-batches per step, as with gradient accumulation.
      await trainStep(tape, opt, [{ count: 12 }, { count: 12 }], (tp, _mb, d) => crossEntropy(tp, toyForward(tp, model, ids, batch, seq, step), targets, mask, { denominator: d }), { lr: 1e-3, maxGradNorm: 1 });
      counts.push(be.allocations);
    }
    expect(counts[0]).toBeGreaterThan(0);
    expect(new Set(counts).size).toBe(1); // steps 2..5 added no allocation
    // 10 passes (5 steps × 2 micro-batches): the first creates every buffer, the other 9 reuse them all.
    expect(tape.pool.reused).toBe(9 * tape.pool.created);
  });
});
