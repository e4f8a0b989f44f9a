// AdamW, the schedule and clipping against hand-computed values, and gradient accumulation
// (micro-batches of 1 = one batch of 2) on the toy decoder.
import { describe, expect, it } from 'vitest';
import { Rng } from '../core/rng.ts';
import { CpuBackend } from './cpu/index.ts';
import { randomData } from './gradcheck.ts';
import { crossEntropy, nextTokenTargets } from './ops.ts';
import { AdamW, clipGradNorm, globalGradNorm, scheduledLr, trainStep, warmupSteps } from './optim.ts';
import { Tape } from './tape.ts';
import { parameter } from './tensor.ts';
import { initToyModel, toyForward } from './toy-decoder.ts';

describe('AdamW', () => {
  it('matches torch.optim.AdamW on two steps (values from a scalar Python transcription of its update; no torch here)', () => {
    const be = new CpuBackend();
    const p = parameter(be, [3], [1, -2, 0.5]);
    p.grad = be.upload([0.5, -0.1, 0]);
    const opt = new AdamW(be, [p], { weightDecay: 0.01 });
    // Step 1: bias correction makes the update lr·g/(|g| + eps) (sign-like), plus decay p·lr·wd.
    opt.update(0.1);
    const s1 = be.view(p.buf);
    expect(s1[0]).toBeCloseTo(0.899000002, 6);
    expect(s1[1]).toBeCloseTo(-1.89800001, 6);
    expect(s1[2]).toBeCloseTo(0.4995, 6); // zero gradient: only the decoupled decay acts
    be.write(p.grad, [0.5, 0.2, 1]);
    opt.update(0.1);
    const s2 = be.view(p.buf);
    expect(s2[0]).toBeCloseTo(0.798101004, 6);
    expect(s2[1]).toBeCloseTo(-1.93271236, 6);
    expect(s2[2]).toBeCloseTo(0.424586819, 6);
    expect(opt.step).toBe(2);
  });

  it('skips parameters without a gradient and refuses frozen ones', () => {
    const be = new CpuBackend();
    const p = parameter(be, [2], [1, 2]);
    new AdamW(be, [p]).update(0.1);
    expect(Array.from(be.view(p.buf))).toEqual([1, 2]);
    expect(() => new AdamW(be, [parameter(be, [1], [1], false)])).toThrow(/requires a gradient/);
  });
});

describe('the one learning-rate schedule', () => {
  const hf = (step: number, total: number, ratio: number): number => scheduledLr({ peak: 1, totalSteps: total, warmupSteps: warmupSteps(ratio, total) }, step);

  it('follows transformers get_cosine_schedule_with_warmup (SFT, DPT)', () => {
    // 100 steps, ratio 0.04 → 4 warmup steps, then half a cosine over 96.
    const f = (s: number): number => hf(s, 100, 0.04);
    expect([f(0), f(1), f(2), f(4)]).toEqual([0, 0.25, 0.5, 1]);
    expect(f(28)).toBeCloseTo(0.8535533906, 9); // a quarter through: (1 + cos π/4)/2
    expect(f(52)).toBeCloseTo(0.5, 12);
    expect(f(100)).toBeCloseTo(0, 12);
    expect(hf(0, 10, 0.05)).toBe(0); // ceil(0.5) = 1 warmup step
    expect(hf(1, 10, 0.05)).toBe(1);
    expect(hf(0, 10, 0)).toBe(1);
  });

  it('warms up from the first step and ends at the floor for pretraining', () => {
    const p = (step: number): number => scheduledLr({ peak: 2, totalSteps: 104, warmupSteps: 3, minRatio: 0.1, warmupFromFirstStep: true }, step);
    expect([p(0), p(1), p(2)]).toEqual([0.5, 1, 1.5]);
    expect(p(3)).toBe(2);
    expect(p(3 + 50.5)).toBeCloseTo(2 * (0.1 + 0.9 * 0.5), 12); // half way down the cosine
    expect(p(104)).toBeCloseTo(0.2, 12);
    expect(p(500)).toBeCloseTo(0.2, 12);
  });
});

describe('gradient clipping', () => {
  it('scales to the max norm when above it and leaves gradients alone below it', async () => {
    const be = new CpuBackend();
    const a = parameter(be, [2]);
    const b = parameter(be, [1]);
    a.grad = be.upload([3, 4]);
    b.grad = be.upload([12]);
    expect(await globalGradNorm(be, [a, b])).toBeCloseTo(13, 6);
    expect(await clipGradNorm(be, [a, b], 20)).toBeCloseTo(13, 6);
    expect(Array.from(be.view(b.grad))).toEqual([12]);
    expect(await clipGradNorm(be, [a, b], 6.5)).toBeCloseTo(13, 6);
    expect(await globalGradNorm(be, [a, b])).toBeCloseTo(6.5, 5);
    expect(be.view(a.grad)[1]).toBeCloseTo(2, 5);
  });
});

describe('gradient accumulation', () => {
  it('two micro-batches of one sequence give the gradients of one batch of two, even with unequal target counts', async () => {
    const cfg = { vocab: 9, dim: 12, layers: 2, heads: 3, kvHeads: 1, hidden: 16, rank: 3, alpha: 6, dropout: 0, theta: 10000, eps: 1e-5 };
    const seq = 6;
    const rng = new Rng(5);
    const rows = [Array.from({ length: seq }, () => rng.int(cfg.vocab)), Array.from({ length: seq }, () => rng.int(cfg.vocab))];
    const masks = [[0, 1, 1, 1, 1, 1], [0, 0, 0, 1, 1, 0]]; // 5 and 2 counted targets
    const setup = (): { be: CpuBackend; model: ReturnType<typeof initToyModel>; opt: AdamW; tape: Tape } => {
      const be = new CpuBackend();
      const model = initToyModel(be, cfg, 6);
      // B = 0 at init would make every A gradient 0; give B values so both are tested.
      const r = new Rng(7);
      for (const t of model.adapters) if (t.shape[1] === cfg.rank) be.write(t.buf, randomData(r, t.size, 0.3));
      return { be, model, opt: new AdamW(be, model.adapters), tape: new Tape(be) };
    };
    const full = setup();
    const t2 = nextTokenTargets(rows, masks);
    const ids2 = full.be.uploadIndices(rows.flat());
    const tg2 = full.be.uploadIndices(t2.targets);
    const mk2 = full.be.upload(t2.mask);
    const r2 = await trainStep(full.tape, full.opt, [{ count: 7 }], (tp, _m, d) => crossEntropy(tp, toyForward(tp, full.model, ids2, 2, seq, 0), tg2, mk2, { denominator: d }), { lr: 0 });

    const acc = setup();
    const micro = [0, 1].map((b) => {
      const t = nextTokenTargets([rows[b]!], [masks[b]!]);
      return { count: masks[b]!.slice(1).reduce((x, y) => x + y, 0), ids: acc.be.uploadIndices(rows[b]!), targets: acc.be.uploadIndices(t.targets), mask: acc.be.upload(t.mask) };
    });
    const r1 = await trainStep(acc.tape, acc.opt, micro, (tp, mb, d) => crossEntropy(tp, toyForward(tp, acc.model, mb.ids, 1, seq, 0), mb.targets, mb.mask, { denominator: d }), { lr: 0 });

    expect(r1.loss).toBeCloseTo(r2.loss, 5);
    expect(r1.gradNorm).toBeGreaterThan(1e-3);
    expect(r1.gradNorm).toBeCloseTo(r2.gradNorm, 5);
    full.model.adapters.forEach((p, i) => {
      const g2 = full.be.view(p.grad!);
      const g1 = acc.be.view(acc.model.adapters[i]!.grad!);
      for (let j = 0; j < g1.length; j++) expect(Math.abs(g1[j]! - g2[j]!)).toBeLessThan(1e-6 + 1e-4 * Math.abs(g2[j]!));
    });
  });
});
