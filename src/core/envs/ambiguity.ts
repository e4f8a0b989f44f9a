/** APOMDP ambiguity sets (DESIGN §2.3). Placeholder: implemented with the APOMDP solver. */
import type { Rng } from '../rng.ts';
import type { EnergyParams, PomdpModel } from '../types.ts';

/** Models 2..K: Dirichlet(κ·row) perturbations of the nominal model, accepted when max row KL ≤ ρ. */
export function sampleAmbiguitySet(nominal: PomdpModel, params: EnergyParams, rng: Rng): PomdpModel[] {
  void nominal;
  void rng;
  if (params.K <= 1) return [];
  throw new Error('sampleAmbiguitySet: not implemented yet');
}
