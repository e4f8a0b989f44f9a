/**
 * The energy environments of DESIGN §2.1–2.3 as finite POMDP models.
 * Actions: 0 = charge, 1 = charge (exact duplicate), 2 = work.
 */
import type { EnergyEnvName, EnergyParams, EnergyTask, PomdpModel } from '../types.ts';

export const CHARGE = 0;
export const CHARGE_DUPLICATE = 1;
export const WORK = 2;
export const ENERGY_ACTIONS = 3;
export const ENERGY_ACTION_CLASSES: number[][] = [[CHARGE, CHARGE_DUPLICATE], [WORK]];

/** Nominal transition matrices [a][s][s'] for success probability p. */
export function energyTransition(levels: number, p: number): Float64Array {
  const E = levels - 1;
  const t = new Float64Array(ENERGY_ACTIONS * levels * levels);
  for (let a = 0; a < ENERGY_ACTIONS; a++) {
    for (let e = 0; e < levels; e++) {
      const row = (a * levels + e) * levels;
      const target = a === WORK ? Math.max(e - 1, 0) : Math.min(e + 1, E);
      t[row + target]! += p;
      t[row + e]! += 1 - p;
    }
  }
  return t;
}

/** Emission [s][o]: the true level with probability q, else one of the other E levels uniformly. */
export function energyEmission(levels: number, q: number): Float64Array {
  const z = new Float64Array(levels * levels);
  const other = levels > 1 ? (1 - q) / (levels - 1) : 0;
  for (let e = 0; e < levels; e++) {
    for (let o = 0; o < levels; o++) z[e * levels + o] = o === e ? (levels > 1 ? q : 1) : other;
  }
  return z;
}

/** reward[s * 3 + a]: charge costs `cost`, work earns e/E. */
export function energyReward(levels: number, cost: number): Float64Array {
  const E = levels - 1;
  const r = new Float64Array(levels * ENERGY_ACTIONS);
  for (let e = 0; e < levels; e++) {
    r[e * ENERGY_ACTIONS + CHARGE] = -cost;
    r[e * ENERGY_ACTIONS + CHARGE_DUPLICATE] = -cost;
    r[e * ENERGY_ACTIONS + WORK] = E > 0 ? e / E : 0;
  }
  return r;
}

export function energyInit(levels: number, init: 'uniform' | number): Float64Array {
  const b = new Float64Array(levels);
  if (init === 'uniform') b.fill(1 / levels);
  else b[init] = 1;
  return b;
}

/**
 * Builds a task from resolved params. `extraModels` are the APOMDP's models 2..K
 * (sampled by the caller from a seeded stream); the nominal model always comes first.
 */
export function makeEnergyTask(env: EnergyEnvName, params: EnergyParams, extraModels: PomdpModel[] = []): EnergyTask {
  const { levels } = params;
  const nominal: PomdpModel = {
    transition: energyTransition(levels, params.p),
    emission: energyEmission(levels, env === 'energy-mdp' ? 1 : params.q),
  };
  return {
    kind: 'energy',
    env,
    params,
    nStates: levels,
    nActions: ENERGY_ACTIONS,
    nObs: levels,
    reward: energyReward(levels, params.cost),
    init: energyInit(levels, params.init),
    actionClasses: ENERGY_ACTION_CLASSES.map((c) => [...c]),
    models: [nominal, ...extraModels],
  };
}
