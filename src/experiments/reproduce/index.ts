/** The reproduction of the paper's figures (issue 11): registry, units, store, charts, report. */
export * from './types.ts';
export { FIGURES, figureNames, getFigure } from './registry.ts';
export { figureUnits, unitId, unitLabel, unitWork, type AnyUnit } from './plan.ts';
export { runUnit, type UnitEnvironment } from './run-unit.ts';
export { hash64, type PlanOptions } from './units.ts';
export { theoryRows } from './theory.ts';
export { parseStore, storeText, storedScales, unitText, type FigureStore } from './store.ts';
export { renderChart } from './chart.ts';
export { chartData } from './figure-data.ts';
export { judgeClaims } from './claims.ts';
export { renderResults, type FigureReport } from './report.ts';
export { estimateCost } from './cost.ts';
export { randomInitFolder } from './random-init.ts';
export { RANDOM_INIT_MODEL } from './figures-other.ts';
