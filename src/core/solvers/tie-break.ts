/**
 * The oracle's seeded tie-breaking (DESIGN §3): among action classes whose value is within
 * `tol` of the best, pick one uniformly, then pick uniformly among its duplicate actions
 * (charge and charge'), so oracle data shows both duplicates.
 */
import type { Rng } from '../rng.ts';

export const TIE_TOLERANCE = 1e-9;

export function bestClasses(qByClass: ArrayLike<number>, tol = TIE_TOLERANCE): number[] {
  let best = -Infinity;
  for (let c = 0; c < qByClass.length; c++) best = Math.max(best, qByClass[c]!);
  const out: number[] = [];
  for (let c = 0; c < qByClass.length; c++) if (qByClass[c]! >= best - tol * Math.max(1, Math.abs(best))) out.push(c);
  return out;
}

export function pickAction(qByClass: ArrayLike<number>, actionClasses: number[][], rng: Rng): number {
  const classes = bestClasses(qByClass);
  const cls = actionClasses[classes[classes.length === 1 ? 0 : rng.int(classes.length)]!]!;
  return cls.length === 1 ? cls[0]! : cls[rng.int(cls.length)]!;
}
