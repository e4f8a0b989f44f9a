/** Display helpers shared by the panels. */
import type { EnvName } from '../core/types.ts';

const ENERGY_ACTIONS = ['charge', 'charge′', 'work'];
const DARKROOM_ACTIONS = ['right', 'left', 'up', 'down', 'stay'];

export function actionName(env: EnvName, a: number): string {
  const names = env === 'darkroom' ? DARKROOM_ACTIONS : ENERGY_ACTIONS;
  return names[a] ?? `action ${a}`;
}

export function fmt(x: number | undefined, digits = 3): string {
  if (x === undefined || !Number.isFinite(x)) return '—';
  return x.toFixed(digits);
}

export function pct(x: number, digits = 1): string {
  return `${(x * 100).toFixed(digits)} %`;
}

export function duration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '—';
  if (seconds < 60) return `${Math.ceil(seconds)} s`;
  const m = Math.floor(seconds / 60);
  return `${m} min ${Math.round(seconds - 60 * m)} s`;
}
