/**
 * One SVG chart per figure, drawn from its stored rows with Vega-Lite (compiled to Vega, rendered
 * headless by vega's View.toSVG: no browser, no canvas). Gaps in percent with their 95 %
 * intervals as error bars, one colour per policy, panels by the figure's facet field; rows that
 * lack the x field (policies that do not depend on it, e.g. untrained ones in a training-tasks
 * sweep) are drawn as dashed level lines across the panel.
 */
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import type { ChartSpec } from './types.ts';

export interface ChartDatum {
  x?: number | string;
  y: number;
  lo?: number;
  hi?: number;
  color: string;
  dash?: string;
  facet?: number | string;
}

export interface ChartOptions extends ChartSpec {
  title: string;
  yTitle: string;
  colorTitle?: string;
  dashTitle?: string;
  logY?: boolean;
  /** fixed colours by series name (the same policy has the same colour in every figure). */
  colors?: Record<string, string>;
}

/** The policies' colours in every chart. */
export const POLICY_COLORS: Record<string, string> = {
  oracle: '#222222', random: '#9e9e9e', 'support-copy': '#17becf', 'ce-planning': '#9467bd', icl: '#1f77b4', sft: '#d62728', dpt: '#ff7f0e', paper: '#222222',
};

const finite = (v: number | undefined): number | undefined => (v !== undefined && Number.isFinite(v) ? v : undefined);

/**
 * The Vega-Lite spec (exported for tests and for anyone who wants to restyle a chart). The data
 * sits once at the top, each datum marked as a point or a level line, and each layer filters its
 * kind: a faceted chart needs its layers' data inside the facet, which this gives for free.
 */
export function chartSpec(data: readonly ChartDatum[], o: ChartOptions): TopLevelSpec {
  const nominal = data.some((d) => typeof d.x === 'string');
  const values = data.map((d) => ({ ...d, kind: d.x === undefined ? 'level' : 'point', lo: finite(d.lo) ?? d.y, hi: finite(d.hi) ?? d.y }));
  const xScale = o.logX ? { type: 'log' as const } : { zero: false };
  const yScale = o.logY ? { type: 'log' as const } : { zero: true };
  const x = nominal ? { field: 'x', type: 'nominal' as const, title: o.xTitle, sort: null, axis: { labelAngle: 0, labelLimit: 120 } } : { field: 'x', type: 'quantitative' as const, title: o.xTitle, scale: xScale };
  const y = { field: 'y', type: 'quantitative' as const, title: o.yTitle, scale: yScale };
  const names = [...new Set(data.map((d) => d.color))];
  const fixed = o.colors && names.every((n) => o.colors![n] !== undefined) ? { scale: { domain: names, range: names.map((n) => o.colors![n]!) } } : {};
  const color = { field: 'color', type: 'nominal' as const, title: o.colorTitle ?? 'policy', legend: { labelLimit: 400, titleLimit: 400 }, ...fixed };
  // Side by side within a category, unless the category is the series itself (x = policy).
  const offset = nominal && !data.every((d) => d.x === d.color) ? { xOffset: { field: 'color' } } : {};
  const dash = !nominal && data.some((d) => d.dash !== undefined) ? { strokeDash: { field: 'dash', type: 'nominal' as const, title: o.dashTitle ?? '' } } : {};
  const only = (kind: string) => [{ filter: `datum.kind === '${kind}'` }];
  const layer: object[] = [
    { transform: only('point'), mark: nominal ? { type: 'point', filled: true, size: 60 } : { type: 'line', point: true }, encoding: { x, y, color, ...offset, ...dash } },
    { transform: only('point'), mark: { type: 'rule' }, encoding: { x, y: { field: 'lo', type: 'quantitative' }, y2: { field: 'hi' }, color, ...offset, ...(dash ? { detail: { field: 'dash' } } : {}) } },
  ];
  if (values.some((d) => d.kind === 'level')) layer.push({ transform: only('level'), mark: { type: 'rule', strokeDash: [4, 3] }, encoding: { y: { field: 'y', type: 'quantitative' }, color } });
  const faceted = o.facet !== undefined && data.some((d) => d.facet !== undefined);
  const base = { $schema: 'https://vega.github.io/schema/vega-lite/v6.json', title: o.title, data: { values } };
  // One category per policy needs room for its name.
  const inner = { width: nominal && !('xOffset' in offset) ? { step: 80 } : 260, height: 200, layer };
  const spec = faceted ? { ...base, facet: { column: { field: 'facet', type: 'ordinal', title: o.facet, sort: [...new Set(data.map((d) => d.facet))] } }, spec: inner, resolve: { scale: { x: 'independent' } } } : { ...base, ...inner };
  return spec as unknown as TopLevelSpec;
}

/** The chart as SVG text. */
export async function renderChart(data: readonly ChartDatum[], o: ChartOptions): Promise<string> {
  // Errors only: vega-lite warns when its dataflow optimiser stops after 5 passes, which
  // changes nothing in the chart and would interleave with the progress lines.
  const compiled = compile(chartSpec(data, o), { logger: vega.logger(vega.Error) }).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  try {
    return `${await view.toSVG()}\n`;
  } finally {
    view.finalize();
  }
}
