/**
 * A warning for rows whose intervals rest on few test tasks: with 2 tasks the 95 % Student-t
 * interval is ±12.7 standard errors, so a quick sweep shows intervals of hundreds of points that
 * look like a bug rather than a sample size. Below SMALL_SAMPLE tasks the Sweep tab says why.
 */
import { tCritical95 } from '../../core/metrics.ts';
import type { ResultRow } from '../../experiments/types.ts';

/** From 10 test tasks on, t is below 2.27 and the interval is within 16 % of the normal one. */
export const SMALL_SAMPLE = 10;

export function smallSampleWarning(rows: readonly ResultRow[]): string | null {
  if (rows.length === 0) return null;
  const n = Math.min(...rows.map((r) => r.tasks));
  if (n >= SMALL_SAMPLE) return null;
  if (n < 2) return `Only ${n} test task: there is no interval (the spread of one value is unknown). Use ${SMALL_SAMPLE} or more test tasks to compare policies.`;
  return `Only ${n} test tasks: the 95 % intervals are ±${tCritical95(n).toFixed(1)} standard errors wide (Student-t with ${n - 1} degree${n === 2 ? '' : 's'} of freedom), so they overlap unless policies differ a lot. Use ${SMALL_SAMPLE} or more test tasks to compare policies.`;
}
