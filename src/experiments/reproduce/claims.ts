/**
 * The paper's claims (issue 11), each judged on the stored rows: the paper's number, ours with
 * its 95 % interval, and reproduced yes / partly / no with a one-line reason, or "not measured"
 * when the rows it needs are not there yet. "Separated" means the two 95 % intervals do not overlap.
 */
import { tInterval95 } from '../../core/metrics.ts';
import { gapCell, pct } from './tables.ts';
import type { StoredRow } from './types.ts';

export type Verdict = 'yes' | 'partly' | 'no' | 'not measured';

export interface ClaimResult {
  claim: string;
  figure: string;
  paper: string;
  ours: string;
  verdict: Verdict;
  reason: string;
}

type Rows = Record<string, readonly StoredRow[]>;
type Match = Record<string, number | string>;

function find(rows: readonly StoredRow[] | undefined, policy: string, match: Match = {}, experiment?: string): StoredRow | undefined {
  return rows?.find((r) => r.policy === policy && (experiment === undefined || r.experiment === experiment) && Object.entries(match).every(([k, v]) => r.point[k] === v));
}

const below = (a: StoredRow, b: StoredRow): boolean => a.ciHigh < b.ciLow;
const values = (rows: readonly StoredRow[] | undefined, field: string, experiment?: string): number[] =>
  [...new Set((rows ?? []).filter((r) => experiment === undefined || r.experiment === experiment).map((r) => r.point[field]).filter((v): v is number => typeof v === 'number'))].sort((a, b) => a - b);

function verdictOf(hits: number, total: number): Verdict {
  return total === 0 ? 'not measured' : hits === total ? 'yes' : hits > 0 ? 'partly' : 'no';
}

function missing(claim: string, figure: string, paper: string): ClaimResult {
  return { claim, figure, paper, ours: '—', verdict: 'not measured', reason: `rows missing: run \`reproduce --only ${figure}\`` };
}

/** On DESIGN §2's defaults (mdp-horizon), or on the fit's best candidate (mdp-horizon-fitted). */
function ordering(rows: Rows, figure = 'mdp-horizon'): ClaimResult {
  const claim = figure === 'mdp-horizon' ? 'SFT < ICL < random (MDP, every horizon)' : 'SFT < ICL < random (MDP at the fitted parameter values, every horizon)';
  const paper = 'SFT 3 / 15 / 15 %, ICL 15.9 / 31.1 / 43.2 %, random 57.6 / 49.6 / 46.4 %';
  const r = rows[figure];
  const hs = values(r, 'horizon').filter((h) => find(r, 'sft', { horizon: h }) && find(r, 'icl', { horizon: h }) && find(r, 'random', { horizon: h }));
  if (hs.length === 0) return missing(claim, figure, paper);
  const failing: string[] = [];
  let hits = 0;
  const ours = hs.map((h) => {
    const [s, i, rd] = (['sft', 'icl', 'random'] as const).map((p) => find(r, p, { horizon: h })!);
    if (below(s!, i!) && below(i!, rd!)) hits++;
    else failing.push(`H = ${h}: ${s!.gap < i!.gap && i!.gap < rd!.gap ? 'order holds, intervals overlap' : 'order broken'}`);
    return `H = ${h}: ${pct(s!.gap)} / ${pct(i!.gap)} / ${pct(rd!.gap)} %`;
  });
  return { claim, figure, paper, ours: `SFT / ICL / random — ${ours.join('; ')}`, verdict: verdictOf(hits, hs.length), reason: failing.join('; ') || 'separated at every horizon' };
}

function paired(a: StoredRow, b: StoredRow): { mean: number; low: number; high: number } {
  return tInterval95(a.taskGaps.map((g, i) => g - (b.taskGaps[i] ?? NaN)));
}

function gainGrows(rows: Rows): ClaimResult {
  const claim = 'SFT\'s gain over ICL grows with the horizon';
  const paper = 'ICL − SFT: 12.9 / 16.1 / 28.2 points';
  const r = rows['mdp-horizon'];
  const hs = values(r, 'horizon').filter((h) => find(r, 'sft', { horizon: h }) && find(r, 'icl', { horizon: h }));
  if (hs.length < 2) return missing(claim, 'mdp-horizon', paper);
  const d = hs.map((h) => paired(find(r, 'icl', { horizon: h })!, find(r, 'sft', { horizon: h })!));
  let hits = 0;
  for (let i = 1; i < d.length; i++) if (d[i]!.mean > d[i - 1]!.mean) hits++;
  return {
    claim, figure: 'mdp-horizon', paper,
    ours: d.map((x, i) => `H = ${hs[i]}: ${pct(x.mean)} [${pct(x.low)}, ${pct(x.high)}]`).join('; '),
    verdict: verdictOf(hits, d.length - 1), reason: hits === d.length - 1 ? 'grows at every step (paired differences over the same test tasks)' : `grows at ${hits} of ${d.length - 1} steps`,
  };
}

function trend(rows: readonly StoredRow[] | undefined, policies: readonly string[], field: string, from: number, to: number, rising: boolean, fixed: Match = {}): { text: string[]; hits: number; total: number } {
  const text: string[] = [];
  let hits = 0;
  let total = 0;
  for (const p of policies) {
    const a = find(rows, p, { ...fixed, [field]: from });
    const b = find(rows, p, { ...fixed, [field]: to });
    if (!a || !b) continue;
    total++;
    if (rising ? below(a, b) : below(b, a)) hits++;
    text.push(`${p} ${gapCell(a)} → ${gapCell(b)}`);
  }
  return { text, hits, total };
}

function qClaim(rows: Rows): ClaimResult {
  const claim = 'Gaps grow as observations get noisier (q falls)';
  const paper = 'SFT ≈ 10 % vs DPT ≈ 25 % at mid q; gaps grow as q falls';
  const qs = values(rows['pomdp-q'], 'q');
  if (qs.length < 2) return missing(claim, 'pomdp-q', paper);
  const t = trend(rows['pomdp-q'], ['sft', 'dpt', 'icl'], 'q', qs[qs.length - 1]!, qs[0]!, true);
  if (t.total === 0) return missing(claim, 'pomdp-q', paper);
  return { claim, figure: 'pomdp-q', paper, ours: `q = ${qs[qs.length - 1]} → ${qs[0]}: ${t.text.join('; ')}`, verdict: verdictOf(t.hits, t.total), reason: `separated rise for ${t.hits} of ${t.total} learned policies` };
}

function reversal(rows: Rows): ClaimResult {
  const claim = 'K × α reversal: larger K helps α = 0, hurts α = 1';
  const paper = 'α = 1: DPT 26 → 37 %, SFT 15 → 22 %; α = 0 falls with K; α = 0.5 about flat';
  const r = rows['apomdp-k-alpha'];
  const ks = values(r, 'K');
  if (ks.length < 2) return missing(claim, 'apomdp-k-alpha', paper);
  const [lo, hi] = [ks[0]!, ks[ks.length - 1]!];
  const optimistic = trend(r, ['sft', 'dpt'], 'K', lo, hi, false, { alpha: 0 });
  const pessimistic = trend(r, ['sft', 'dpt'], 'K', lo, hi, true, { alpha: 1 });
  const total = optimistic.total + pessimistic.total;
  if (total === 0) return missing(claim, 'apomdp-k-alpha', paper);
  return {
    claim, figure: 'apomdp-k-alpha', paper,
    ours: `K = ${lo} → ${hi}; α = 0: ${optimistic.text.join('; ')}; α = 1: ${pessimistic.text.join('; ')}`,
    verdict: verdictOf(optimistic.hits + pessimistic.hits, total), reason: `${optimistic.hits + pessimistic.hits} of ${total} (policy, α) pairs move the paper's way with separated intervals`,
  };
}

function sftBeatsDpt(rows: Rows): ClaimResult {
  const claim = 'SFT beats DPT';
  const paper = 'SFT below DPT everywhere (MDP 3 / 15 / 15 vs 7 / 26 / 43 %; ≈ 10 points in POMDP and APOMDP)';
  let total = 0;
  let lower = 0;
  let separated = 0;
  let dptSeparated = 0;
  for (const [figure, list] of Object.entries(rows)) {
    if (figure === 'theory' || figure === 'fit') continue;
    for (const s of list.filter((x) => x.policy === 'sft')) {
      const d = list.find((x) => x.policy === 'dpt' && x.experiment === s.experiment && JSON.stringify(x.point) === JSON.stringify(s.point));
      if (!d) continue;
      total++;
      if (s.gap < d.gap) lower++;
      if (below(s, d)) separated++;
      if (below(d, s)) dptSeparated++;
    }
  }
  if (total === 0) return missing(claim, 'mdp-horizon', paper);
  return {
    claim, figure: 'all', paper,
    ours: `SFT lower at ${lower} of ${total} points (${separated} separated); DPT lower and separated at ${dptSeparated}`,
    // "partly" only while SFT's separated wins are at least as many as the DPT's: one SFT win
    // among eighteen DPT wins is a "no", not a partial reproduction.
    verdict: separated === total ? 'yes' : separated > 0 && separated >= dptSeparated ? 'partly' : 'no',
    reason: dptSeparated > separated ? `the DPT is better with separated intervals at ${dptSeparated} of ${total} points` : dptSeparated > 0 ? 'the DPT is better at some points with separated intervals' : 'see the figures',
  };
}

function supportClaim(rows: Rows): ClaimResult {
  const claim = 'Oracle support beats random support (SFT, shortest horizon)';
  const paper = 'SFT ≈ 3–5 % with oracle support, ≈ 20 % with random support';
  const r = rows['support-quality'];
  const h = values(r, 'horizon')[0];
  const a = h === undefined ? undefined : find(r, 'sft', { horizon: h, support: 'oracle' });
  const b = h === undefined ? undefined : find(r, 'sft', { horizon: h, support: 'random' });
  if (!a || !b) return missing(claim, 'support-quality', paper);
  return { claim, figure: 'support-quality', paper, ours: `H = ${h}: oracle ${gapCell(a)}, random ${gapCell(b)}`, verdict: below(a, b) ? 'yes' : a.gap < b.gap ? 'partly' : 'no', reason: below(a, b) ? 'separated' : a.gap < b.gap ? 'lower, intervals overlap' : 'random support is no worse' };
}

function darkroomClaim(rows: Rows): ClaimResult {
  const claim = 'SFT ≈ 95 % of the oracle on the darkroom';
  const paper = 'oracle ≈ 92, SFT ≈ 87 (94.6 %), random ≈ 0';
  const s = find(rows.darkroom, 'sft');
  if (!s) return missing(claim, 'darkroom', paper);
  // 1 − gap is the mean over goals of R^π / R*, with the gap's interval mirrored.
  const share = 1 - s.gap;
  return {
    claim, figure: 'darkroom', paper,
    ours: `oracle ${s.meanOracleReturn.toFixed(1)}, SFT ${s.meanReturn.toFixed(1)}: ${pct(share)} % of the oracle [${pct(1 - s.ciHigh)}, ${pct(1 - s.ciLow)}]`,
    verdict: share >= 0.9 ? 'yes' : share >= 0.5 ? 'partly' : 'no', reason: share >= 0.9 ? 'at least 90 %' : 'below 90 % of the oracle',
  };
}

function trainTasksClaim(rows: Rows): ClaimResult {
  const claim = 'Gaps shrink as the number of training tasks grows';
  const paper = 'mid horizon ≈ 30 % → 15 % from 100 to 3,200 tasks';
  const r = rows['mdp-train-tasks'];
  const ns = values(r, 'trainTasks');
  if (ns.length < 2) return missing(claim, 'mdp-train-tasks', paper);
  const text: string[] = [];
  let hits = 0;
  let total = 0;
  for (const h of values(r, 'horizon')) {
    const t = trend(r, ['sft', 'dpt'], 'trainTasks', ns[0]!, ns[ns.length - 1]!, false, { horizon: h });
    hits += t.hits;
    total += t.total;
    text.push(`H = ${h}: ${t.text.join('; ')}`);
  }
  return { claim, figure: 'mdp-train-tasks', paper, ours: `${ns[0]} → ${ns[ns.length - 1]} tasks; ${text.join(' — ')}`, verdict: verdictOf(hits, total), reason: `${hits} of ${total} (policy, horizon) pairs fall with separated intervals` };
}

function oodClaim(rows: Rows): ClaimResult {
  const claim = 'SFT stays good out of distribution (MDP, tested on p ~ U(0.05, 0.3))';
  const paper = 'SFT 0 / 6 / 7 %';
  const out = (rows.ood ?? []).filter((x) => x.experiment === 'ood-mdp-out' && x.policy === 'sft');
  if (out.length === 0) return missing(claim, 'ood', paper);
  const hits = out.filter((x) => x.ciHigh <= 0.15).length;
  return { claim, figure: 'ood', paper, ours: out.map((x) => `H = ${x.point.horizon}: ${gapCell(x)}`).join('; '), verdict: verdictOf(hits, out.length), reason: hits === out.length ? 'interval below 15 % at every horizon' : 'above 15 % at some horizon' };
}

/** Beyond the paper (its reviewers' question): SFT from the pretrained model against SFT from its initial weights. */
function pretrainingClaim(rows: Rows): ClaimResult {
  const claim = 'Beyond the paper: pretraining helps SFT (same adapter, data and steps)';
  const paper = 'not measured in the paper (the reviewers\' open question)';
  const r = rows['pretraining-contribution'];
  const hs = values(r, 'horizon').filter((h) => find(r, 'sft', { horizon: h, base: 'pretrained' }) && find(r, 'sft', { horizon: h, base: 'random init' }));
  if (hs.length === 0) return missing(claim, 'pretraining-contribution', paper);
  let hits = 0;
  const ours = hs.map((h) => {
    const a = find(r, 'sft', { horizon: h, base: 'pretrained' })!;
    const b = find(r, 'sft', { horizon: h, base: 'random init' })!;
    if (below(a, b)) hits++;
    return `H = ${h}: pretrained ${gapCell(a)}, random init ${gapCell(b)}`;
  });
  return { claim, figure: 'pretraining-contribution', paper, ours: ours.join('; '), verdict: verdictOf(hits, hs.length), reason: `the pretrained base is better with separated intervals at ${hits} of ${hs.length} horizons` };
}

export function judgeClaims(rows: Rows): ClaimResult[] {
  return [ordering(rows), gainGrows(rows), trainTasksClaim(rows), qClaim(rows), reversal(rows), sftBeatsDpt(rows), oodClaim(rows), supportClaim(rows), darkroomClaim(rows), pretrainingClaim(rows), ordering(rows, 'mdp-horizon-fitted')];
}
