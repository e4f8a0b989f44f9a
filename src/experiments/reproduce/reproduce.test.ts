/** The reproduction's pure parts: units and their ids, the store's resume rules, claims, the fit's stages, the random-init folder. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readSafetensors } from '../../nn/safetensors.ts';
import { SHIPPED_MODEL_NAME } from '../../models/pretrain/card.ts';
import { judgeClaims } from './claims.ts';
import { chartSpec } from './chart.ts';
import { candidateKey, changedKeys, DEFAULT_CANDIDATE, fitStageUnits, minimalChanges, PAPER_RANDOM_GAPS, stageFits } from './fit.ts';
import { figureUnits } from './plan.ts';
import { randomInitFolder } from './random-init.ts';
import { FIGURES, getFigure } from './registry.ts';
import { parseStore, storeText, unitText } from './store.ts';
import { loadNote } from './tables.ts';
import { planUnits } from './units.ts';
import { SCALES, type ExperimentFigure, type StoredRow, type UnitRecord } from './types.ts';

const figure = (name: string) => getFigure(name) as ExperimentFigure;

function row(policy: string, point: Record<string, number | string>, gap: number, half = 0.02, o: Partial<StoredRow> = {}): StoredRow {
  return {
    experiment: 'x', env: 'energy-mdp', point, policy, tasks: 3, gap, ciLow: gap - half, ciHigh: gap + half, meanReturn: 1 - gap, meanOracleReturn: 1,
    taskGaps: [gap - half / 2, gap, gap + half / 2], unit: 'u', scale: 'quick', ...o,
  };
}

function record(unit: string): UnitRecord {
  return { unit, scale: 'quick', label: unit, seconds: 1, machine: { os: 'x', cpu: 'y', cores: 2, node: 'v20' }, finished: '2026-12-02T00:00:00Z', work: { env: 'energy-mdp', group: 'baselines', evalSteps: 1, trainSteps: 0 } };
}

describe('units', () => {
  it('plans every figure at every scale into specs the pipeline accepts', () => {
    for (const f of FIGURES) for (const scale of SCALES) expect(() => figureUnits(f, scale, [])).not.toThrow();
  });

  it('splits a sweep into one unit per point and policy group, each a one-point spec with that group\'s policies', () => {
    const units = planUnits('mdp-horizon', figure('mdp-horizon').plan('quick'));
    expect(units).toHaveLength(3 * 4);
    expect(new Set(units.map((u) => u.id)).size).toBe(units.length);
    const sft = units.filter((u) => u.group === 'sft');
    expect(sft.map((u) => u.main.spec.sweep?.values)).toEqual([[5], [10], [20]]);
    expect(sft.every((u) => u.main.spec.policies?.join() === 'sft' && u.work.trainSteps > 0)).toBe(true);
    expect(units.find((u) => u.group === 'baselines')!.main.spec.policies).toEqual(['random', 'support-copy', 'ce-planning']);
  });

  it('gives the same content the same id and a changed spec another', () => {
    const a = planUnits('mdp-horizon', figure('mdp-horizon').plan('quick'));
    const b = planUnits('mdp-horizon', figure('mdp-horizon').plan('quick'));
    expect(a.map((u) => u.id)).toEqual(b.map((u) => u.id));
    const plan = figure('mdp-horizon').plan('quick');
    plan.experiments[0]!.spec.testTasks = 21;
    expect(planUnits('mdp-horizon', plan).map((u) => u.id)).not.toContain(a[0]!.id);
  });

  it('changes the ids of icl and sft units, and only theirs, with the language model\'s fingerprint', () => {
    const plan = figure('mdp-horizon').plan('smoke');
    const a = planUnits('mdp-horizon', plan, { lmTag: 'model-1' });
    const b = planUnits('mdp-horizon', plan, { lmTag: 'model-2' });
    a.forEach((u, i) => expect(u.id === b[i]!.id).toBe(u.group !== 'icl' && u.group !== 'sft'));
  });

  it('evaluates transfer specs at the matching point, or at all of theirs when training had one', () => {
    const units = planUnits('ood', figure('ood').plan('paper'));
    const mdpSft = units.filter((u) => u.group === 'sft' && u.main.spec.name === 'ood-mdp-in');
    expect(mdpSft.map((u) => [u.main.spec.sweep?.values, u.transfer[0]!.spec.sweep?.values])).toEqual([[[5], [5]], [[10], [10]], [[20], [20]]]);
    const pomdp = units.find((u) => u.group === 'dpt' && u.main.spec.name === 'ood-pomdp-in')!;
    expect(pomdp.transfer.map((t) => t.spec.sweep?.values)).toEqual([[0.7], [0.5]]);
    expect(pomdp.transfer[0]!.labels).toEqual({ setting: 'POMDP', test: 'q=0.7' });
  });
});

describe('the rows store', () => {
  it('keeps only units with their marker, skips unreadable lines, and rewrites what it keeps', () => {
    const done = unitText([row('random', { horizon: 5 }, 0.5, 0.02, { unit: 'a' })], record('a'));
    const cut = JSON.stringify(row('random', { horizon: 10 }, 0.4, 0.02, { unit: 'b' }));
    const store = parseStore(`${done}${cut}\n{"half a li`);
    expect([...store.units.keys()]).toEqual(['a']);
    expect(store.rows.map((r) => r.unit)).toEqual(['a']);
    expect(store.dropped).toBe(2);
    expect(storeText(store, () => true)).toBe(done);
    expect(storeText(store, () => false)).toBe('');
  });

  it('says a load above the machine\'s cores slowed the units, and a load within them did not', () => {
    const machines = ['linux 6.1, AMD EPYC, 2 cores, Node v20'];
    expect(loadNote({ machines, load: [1.1, 3.4] })).toBe(", load average 1.1–3.4 at the units' ends (above its 2 cores: more threads wanted to run than there were cores, from other jobs or the run's own helpers, so the wall time may be an upper bound)");
    expect(loadNote({ machines, load: [1.1, 2.0] })).toMatch(/within its 2 cores\)$/);
    expect(loadNote({ machines: ['unknown machine'], load: [1, 5] })).toBe(", load average 1.0–5.0 at the units' ends");
    expect(loadNote({ machines })).toBe('');
  });

  it('reads a one-task interval (null in JSON) back as unbounded', () => {
    const r = { ...row('random', {}, 0.5), ciLow: null, ciHigh: null };
    const store = parseStore(`${JSON.stringify(r)}\n${JSON.stringify({ unitDone: record('u') })}\n`);
    expect([store.rows[0]!.ciLow, store.rows[0]!.ciHigh]).toEqual([-Infinity, Infinity]);
  });
});

describe('claims', () => {
  const horizon = (h: number, sft: number, icl: number, random: number): StoredRow[] => [row('sft', { horizon: h }, sft), row('icl', { horizon: h }, icl), row('random', { horizon: h }, random)];

  it('says yes when the order holds with separated intervals at every horizon, partly when at some, and not measured without rows', () => {
    const yes = judgeClaims({ 'mdp-horizon': [...horizon(5, 0.03, 0.16, 0.58), ...horizon(10, 0.15, 0.31, 0.5)] });
    expect(yes[0]!.verdict).toBe('yes');
    expect(yes[1]!.verdict).toBe('yes'); // ICL − SFT grows: 13 → 16 points
    const partly = judgeClaims({ 'mdp-horizon': [...horizon(5, 0.03, 0.16, 0.58), ...horizon(10, 0.4, 0.31, 0.5)] });
    expect(partly[0]!.verdict).toBe('partly');
    expect(partly[0]!.reason).toMatch(/H = 10: order broken/);
    expect(judgeClaims({})[0]!.verdict).toBe('not measured');
  });

  it('judges the same ordering on the figure at the fitted parameter values, from that figure\'s rows only', () => {
    const fitted = (rows: Record<string, StoredRow[]>) => judgeClaims(rows).find((c) => c.figure === 'mdp-horizon-fitted')!;
    const broken = [...horizon(10, 0.4, 0.31, 0.5), ...horizon(20, 0.1, 0.3, 0.5)];
    expect(fitted({ 'mdp-horizon': broken, 'mdp-horizon-fitted': [...horizon(10, 0.03, 0.16, 0.58), ...horizon(20, 0.15, 0.31, 0.5)] }).verdict).toBe('yes');
    const partly = fitted({ 'mdp-horizon-fitted': broken });
    expect([partly.verdict, partly.reason]).toEqual(['partly', 'H = 10: order broken']);
    expect(fitted({ 'mdp-horizon': broken }).verdict).toBe('not measured');
  });

  it('counts SFT against DPT at every shared point', () => {
    const sftDpt = judgeClaims({ a: [row('sft', { q: 1 }, 0.1), row('dpt', { q: 1 }, 0.3), row('sft', { q: 0.5 }, 0.3), row('dpt', { q: 0.5 }, 0.1)] }).find((c) => c.claim === 'SFT beats DPT')!;
    expect(sftDpt.verdict).toBe('partly');
    expect(sftDpt.ours).toMatch(/SFT lower at 1 of 2 points \(1 separated\); DPT lower and separated at 1/);
    // One separated SFT win against two separated DPT wins is not a partial reproduction.
    const mostlyDpt = judgeClaims({ a: [row('sft', { q: 1 }, 0.1), row('dpt', { q: 1 }, 0.3), row('sft', { q: 0.7 }, 0.3), row('dpt', { q: 0.7 }, 0.1), row('sft', { q: 0.5 }, 0.3), row('dpt', { q: 0.5 }, 0.1)] }).find((c) => c.claim === 'SFT beats DPT')!;
    expect(mostlyDpt.verdict).toBe('no');
    expect(mostlyDpt.reason).toBe('the DPT is better with separated intervals at 2 of 3 points');
  });
});

describe('the fit', () => {
  it('scores candidates by RMSE against the paper and puts DESIGN §2\'s defaults among the finalists', () => {
    const stage1 = fitStageUnits('smoke', 1, []);
    expect(stage1).toHaveLength(4);
    expect(fitStageUnits('smoke', 1, []).map((u) => u.id)).toEqual(stage1.map((u) => u.id));
    const rows = stage1.flatMap((u, i) =>
      [0, 1, 2].map((h) => row('random', { stage: 1, candidate: String(u.main.labels.candidate), horizon: [5, 10, 20][h]! }, PAPER_RANDOM_GAPS[h]! + 0.01 * i, 0.02, { unit: u.id })),
    );
    const fits = stageFits(rows, 1);
    expect(fits[0]!.key).toBe(stage1[0]!.main.labels.candidate);
    expect(fits[0]!.rmse).toBeCloseTo(0, 12);
    expect(fits[0]!.inside).toBe(3);
    expect(fits[3]!.rmse).toBeCloseTo(0.03, 12);
    const finals = fitStageUnits('smoke', 3, rows);
    expect(finals.map((u) => u.main.labels.candidate)).toContain(candidateKey(DEFAULT_CANDIDATE));
    expect(finals.every((u) => u.main.spec.seed === 1)).toBe(true);
  });

  it('changes the defaults toward a candidate in every one and every two of the parameters where they differ', () => {
    const best = { ...DEFAULT_CANDIDATE, cost: 1, horizons: 3, levels: 6 };
    const changes = minimalChanges(best);
    expect(changes.map((c) => changedKeys(c).join('+'))).toEqual(['levels', 'levels+cost', 'levels+horizons', 'cost', 'cost+horizons', 'horizons']);
    expect(changes.every((c) => changedKeys(c).every((k) => c[k] === best[k]))).toBe(true);
  });

  it('describes the defaults as DESIGN §2 has them', () => {
    const u = fitStageUnits('smoke', 3, []).find((x) => x.main.labels.candidate === candidateKey(DEFAULT_CANDIDATE))!;
    expect(u.main.spec.params).toEqual({ levels: 10, cost: 0.1, gamma: 1, init: 'uniform' });
    expect(u.main.spec.distribution).toEqual({ pMin: 0.3, pMax: 0.9 });
    expect(u.main.spec.sweep?.values).toEqual([5, 10, 20]);
  });
});

describe('the random-initialisation arm', () => {
  it('has the shipped model\'s config and tokenizer and different, deterministic weights', () => {
    const dir = `public/models/${SHIPPED_MODEL_NAME}`;
    const read = (f: string) => readFileSync(`${dir}/${f}`, 'utf8');
    const src = { config: read('config.json'), tokenizer: read('tokenizer.json'), tokenizerConfig: read('tokenizer_config.json'), pretrain: read('pretrain.json') };
    const a = randomInitFolder(src);
    expect(a.get('config.json')).toBe(src.config);
    // Byte comparison: toEqual on 600 kB of floats takes seconds.
    expect(Buffer.compare(a.get('model.safetensors') as Uint8Array, randomInitFolder(src).get('model.safetensors') as Uint8Array)).toBe(0);
    const init = readSafetensors(a.get('model.safetensors') as Uint8Array).tensors;
    const shipped = readSafetensors(new Uint8Array(readFileSync(`${dir}/model.safetensors`))).tensors;
    expect([...init.keys()].sort()).toEqual([...shipped.keys()].sort());
    const q = (t: typeof init) => {
      const d = t.get('model.layers.0.self_attn.q_proj.weight')!.data as Float32Array;
      return Buffer.from(d.buffer, d.byteOffset, d.byteLength);
    };
    expect(Buffer.compare(q(init), q(shipped))).not.toBe(0);
  });
});

describe('charts', () => {
  it('draws points against x, level lines for rows without x, and panels by the facet field', () => {
    const spec = chartSpec(
      [{ x: 8, y: 20, lo: 10, hi: 30, color: 'sft', facet: 5 }, { y: 50, color: 'random', facet: 5 }],
      { x: 'trainTasks', xTitle: 'training tasks', facet: 'horizon', title: 't', yTitle: 'gap' },
    ) as unknown as { facet: unknown; spec: { layer: { transform: { filter: string }[] }[] }; data: { values: { kind: string }[] } };
    expect(spec.facet).toEqual({ column: { field: 'facet', type: 'ordinal', title: 'horizon', sort: [5] } });
    expect(spec.spec.layer.map((l) => l.transform[0]!.filter)).toEqual(["datum.kind === 'point'", "datum.kind === 'point'", "datum.kind === 'level'"]);
    expect(spec.data.values.map((v) => v.kind)).toEqual(['point', 'level']);
  });
});
