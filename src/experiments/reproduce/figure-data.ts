/** A figure's stored rows → the points of its chart (ChartDatum), per kind of figure. */
import { POLICY_COLORS, type ChartDatum, type ChartOptions } from './chart.ts';
import { candidateKey, DEFAULT_CANDIDATE, PAPER_RANDOM_GAPS, shortCandidate, stageFits } from './fit.ts';
import { policyOrder } from './tables.ts';
import type { Figure, StoredRow } from './types.ts';

/** Gaps in percent, returns as they are. */
function y(r: StoredRow, kind: 'gap' | 'return'): Pick<ChartDatum, 'y' | 'lo' | 'hi'> {
  if (kind === 'return') return { y: r.meanReturn };
  return { y: 100 * r.gap, lo: 100 * r.ciLow, hi: 100 * r.ciHigh };
}

export function chartData(figure: Figure, rows: readonly StoredRow[]): { data: ChartDatum[]; options: ChartOptions } {
  const c = figure.chart;
  const title = `${figure.title}`;
  if (figure.kind === 'theory') {
    // A log axis: an interval reaching 0 or below is drawn down to a tenth of the mean.
    const data = rows
      .filter((r) => Number.isFinite(r.gap) && r.gap > 0)
      .map((r): ChartDatum => ({ x: r.point.n, y: r.gap, lo: Math.max(r.ciLow, r.gap / 10), hi: r.ciHigh, color: `N = ${r.point.N}`, dash: r.policy, facet: r.point.kappa }));
    return { data, options: { ...c, title, yTitle: 'discounted regret R* − R^π', colorTitle: 'training length', dashTitle: 'estimator', logY: true } };
  }
  if (figure.kind === 'fit') {
    const fits = stageFits(rows, 3);
    const shown = new Set([...fits.slice(0, 5), ...fits.filter((f) => f.key === candidateKey(DEFAULT_CANDIDATE))]);
    const at = ['1st (short)', '2nd', '3rd (long)'];
    const data: ChartDatum[] = [];
    for (const f of shown) {
      const name = f.key === candidateKey(DEFAULT_CANDIDATE) ? `defaults: ${shortCandidate(f.candidate)}` : shortCandidate(f.candidate);
      f.gaps.forEach((g, i) => data.push({ x: at[i]!, y: 100 * g.gap, lo: 100 * g.low, hi: 100 * g.high, color: name }));
    }
    PAPER_RANDOM_GAPS.forEach((g, i) => data.push({ x: at[i]!, y: 100 * g, color: 'paper' }));
    return { data, options: { ...c, title, yTitle: 'random policy gap (%)', colorTitle: 'candidate (levels, cost, p range, horizons, γ, initial level)' } };
  }
  const kind = c.y ?? 'gap';
  const data: ChartDatum[] = rows.map((r) => {
    const x = c.x === 'policy' ? r.policy : r.point[c.x];
    return { ...(x !== undefined ? { x } : {}), ...y(r, kind), color: r.policy, ...(c.facet !== undefined && r.point[c.facet] !== undefined ? { facet: r.point[c.facet] } : {}) };
  });
  // Series in the tables' policy order, so legends read the same in every figure.
  data.sort((a, b) => policyOrder(a.color, b.color));
  return { data, options: { ...c, title, yTitle: kind === 'return' ? 'mean return' : 'optimality gap (%)', colors: POLICY_COLORS } };
}
