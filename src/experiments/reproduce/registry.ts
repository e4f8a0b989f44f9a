/** The reproduction's figures, in the order results.md shows them (issue 11's list, then the fit and the headline figure at the fitted values). */
import { apomdpKAlpha, mdpHorizon, mdpHorizonFitted, mdpTrainTasks, ood, pomdpQ, supportQuality } from './figures-energy.ts';
import { darkroom, fit, pretrainingContribution, theory } from './figures-other.ts';
import type { Figure } from './types.ts';

export const FIGURES: readonly Figure[] = [mdpHorizon, mdpTrainTasks, pomdpQ, apomdpKAlpha, ood, supportQuality, darkroom, theory, pretrainingContribution, fit, mdpHorizonFitted];

export function figureNames(): string[] {
  return FIGURES.map((f) => f.name);
}

export function getFigure(name: string): Figure | undefined {
  return FIGURES.find((f) => f.name === name);
}
