/**
 * What a figure has to run at a scale, given what is stored: its units (experiment units from
 * its plan; theory units; the fit's stages, each derived from the rows before it), the ones
 * still missing, and the rows that belong to the current plan (a changed definition leaves its
 * old units out of the tables).
 */
import { fitStageUnits } from './fit.ts';
import { theoryUnits, type TheoryUnit } from './theory.ts';
import { planUnits, type PlanOptions, type Unit } from './units.ts';
import type { Figure, Scale, StoredRow, UnitWork } from './types.ts';

export type AnyUnit = { kind: 'pipeline'; unit: Unit } | { kind: 'theory'; unit: TheoryUnit };

export function unitId(u: AnyUnit): string {
  return u.unit.id;
}

export function unitLabel(u: AnyUnit): string {
  return u.unit.label;
}

export function unitWork(u: AnyUnit): UnitWork {
  // A theory unit counts as one step of work: its rate is then seconds per (N, κ) configuration.
  return u.kind === 'pipeline' ? u.unit.work : { env: 'linear-mdp', group: 'computed', evalSteps: 1, trainSteps: 0 };
}

/**
 * The figure's units at a scale. The fit's later stages depend on earlier rows: `rows` are the
 * rows stored so far, and stages whose inputs are not complete yet are left out (the runner
 * calls this again after each stage).
 */
export function figureUnits(figure: Figure, scale: Scale, rows: readonly StoredRow[], o: PlanOptions = {}): AnyUnit[] {
  if (figure.kind === 'experiment') return planUnits(figure.name, figure.plan(scale), o).map((unit) => ({ kind: 'pipeline', unit }));
  if (figure.kind === 'theory') return theoryUnits(scale).map((unit) => ({ kind: 'theory', unit }));
  const stored = new Set(rows.map((r) => r.unit));
  const out: AnyUnit[] = [];
  for (const stage of [1, 2, 3] as const) {
    const units = fitStageUnits(scale, stage, rows);
    out.push(...units.map((unit): AnyUnit => ({ kind: 'pipeline', unit })));
    if (!units.every((u) => stored.has(u.id))) break;
  }
  return out;
}
