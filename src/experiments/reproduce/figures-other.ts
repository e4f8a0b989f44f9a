/**
 * The figures beyond the energy family: the darkroom (issue 11, figure 7), what pretraining
 * contributes (figure 9, beyond the paper), the theory of §1 (figure 8) and the inference of
 * the lost parameter values (the fit). The last two are computed figures: theory.ts and fit.ts.
 */
import { by, SCALE_SETTINGS, scaled, scaleWords } from './scales.ts';
import type { ComputedFigure, ExperimentFigure, Scale } from './types.ts';

/**
 * The quick darkroom is 5 × 5 with H = 10: a prompt of k = 2 support trajectories and the
 * query is then ≈ 810 tokens (27 per step with the lab tokenizer), inside the shipped model's
 * 2,048-token context, where the paper's 10 × 10, H = 100 needs ≈ 8,600. The paper scale keeps
 * the paper's room and so needs a model with a longer context (the spec's "model").
 */
const darkroomParams = (scale: Scale): { size: number; horizon: number } => by(scale, { smoke: { size: 3, horizon: 4 }, quick: { size: 5, horizon: 10 }, paper: { size: 10, horizon: 100 } });
/**
 * Training goals (DESIGN §2.4: 10 oracle + 100 random rollouts each). The quick scale trains on all
 * 20 training goals of the 5 × 5 split (its other 5 are the test goals): with 4 goals, SFT learned
 * "move right" and DPT returned 0 (docs/results-notes.md).
 */
const darkroomGoals = (scale: Scale): number => by(scale, { smoke: 1, quick: 20, paper: 80 });
const darkroomTests = (scale: Scale): { testTasks: number; episodes: number } => by(scale, { smoke: { testTasks: 2, episodes: 1 }, quick: { testTasks: 5, episodes: 5 }, paper: { testTasks: 20, episodes: 5 } });

export const darkroom: ExperimentFigure = {
  kind: 'experiment',
  name: 'darkroom',
  title: 'Darkroom: returns of the oracle and the policies',
  paper: 'Oracle ≈ 92, SFT ≈ 87, random ≈ 0 (10 × 10 room, H = 100).',
  chart: { x: 'policy', xTitle: 'policy', y: 'return' },
  plan: (scale) => {
    const p = darkroomParams(scale);
    return {
      experiments: [
        {
          spec: {
            name: 'darkroom', env: 'darkroom', params: { size: p.size }, distribution: { goals: 'test' }, sweep: { param: 'horizon', values: [p.horizon] },
            policies: ['random', 'oracle', 'support-copy', 'ce-planning', 'icl', 'sft', 'dpt'], ...scaled(scale, { trainTasks: darkroomGoals(scale) }), ...darkroomTests(scale),
          },
        },
      ],
      scaleNote: `${scale}: darkroom ${p.size} × ${p.size}, H = ${p.horizon}, ${darkroomTests(scale).testTasks} test goals × ${darkroomTests(scale).episodes} episodes, k = 2 oracle support trajectories, ${darkroomGoals(scale)} training goals (10 oracle + 100 random rollouts each), SFT ${SCALE_SETTINGS[scale].sftEpochs} epoch(s), DPT ${SCALE_SETTINGS[scale].dptEpochs}.${scale === 'paper' ? ' The paper\'s room needs prompts of ≈ 8,600 tokens: run it with a model whose context holds them.' : ' The room is smaller than the paper\'s (10 × 10, H = 100) so that prompts (≈ 810 tokens) fit the shipped model\'s 2,048-token context.'}`,
    };
  },
};

/** The model folder of the random-initialisation arm; the runner writes it (random-init.ts) and puts its path in place of this token. */
export const RANDOM_INIT_MODEL = '@random-init';

const pretrainHorizons = (scale: Scale): number[] => by(scale, { smoke: [3], quick: [5], paper: [5, 10, 20] });

export const pretrainingContribution: ExperimentFigure = {
  kind: 'experiment',
  name: 'pretraining-contribution',
  title: 'Beyond the paper: what pretraining contributes to SFT',
  paper: 'Not in the paper: its reviewers asked how much of SFT\'s advantage comes from pretraining. SFT from the pretrained model against the same architecture from random initialisation, at equal steps.',
  chart: { x: 'base', xTitle: 'base model', facet: 'horizon' },
  plan: (scale) => {
    const values = pretrainHorizons(scale);
    const common = { env: 'energy-mdp' as const, params: { levels: 10, cost: 0.1 }, sweep: { param: 'horizon' as const, values }, ...scaled(scale) };
    return {
      experiments: [
        { spec: { name: 'pretraining-shipped', ...common, policies: ['random', 'icl', 'sft'] }, labels: { base: 'pretrained' } },
        { spec: { name: 'pretraining-random-init', ...common, model: RANDOM_INIT_MODEL, policies: ['icl', 'sft'] }, labels: { base: 'random init' } },
      ],
      scaleNote: scaleWords(scale, `energy-mdp as in mdp-horizon, H ∈ {${values.join(', ')}}; the random-initialisation arm is the shipped model's config.json and tokenizer with weights drawn by the pretraining script's own initialiser (src/models/pretrain/params.ts, seed 1) and no training; both arms train the same LoRA adapter (same data, settings and steps) on their frozen NF4 base`),
    };
  },
};

export const theory: ComputedFigure = {
  kind: 'theory',
  name: 'theory',
  title: 'Theory: the LSA estimator\'s regret against the bound (linear MDP)',
  paper: 'For linear MDPs a trained single linear-self-attention layer estimates Q-values with Γ⁻¹ (1/n) Σ φ_i y_i; the greedy policy\'s gap is bounded by a term shrinking in n plus a term shrinking in N.',
  chart: { x: 'n', xTitle: 'support pairs n', logX: true, facet: 'kappa' },
  scaleNote: (scale) => `${scale}: linear MDP d = 8, A = 4, H = 10, γ = 0.9; n ∈ {5, 20, 100, 500}, N ∈ {10, 50, 1000}, κ ∈ {1, 10, 100}; ${THEORY_TASKS[scale]} simulated tasks per point; the trained LSA layer: ${THEORY_STEPS[scale]} SGD steps of 16 prompts of length N from M = 0 at a quarter of LsaTrainer's stable step, M averaged over the second half (src/core/theory LsaTrainer); the bound holds for the closed form, the trained layer is shown beside it.`,
};

export const THEORY_TASKS: Record<Scale, number> = { smoke: 20, quick: 400, paper: 3000 };
export const THEORY_STEPS: Record<Scale, number> = { smoke: 20, quick: 2000, paper: 20000 };

export const fit: ComputedFigure = {
  kind: 'fit',
  name: 'fit',
  title: 'The lost parameter values: a fit to the paper\'s random-policy gaps',
  paper: 'Random policy 57.6 / 49.6 / 46.4 % over three horizons (the paper\'s energy MDP, parameters lost from our copy).',
  chart: { x: 'horizon', xTitle: 'the candidate\'s horizon' },
  scaleNote: (scale) =>
    `${scale}: a seeded search over levels, cost, the p range, the three horizons, γ and the initial level (src/experiments/reproduce/fit.ts): stage 1 ${FIT_SIZES[scale].candidates} random candidates and stage 2 every one-parameter change of the 4 best, both at ${FIT_SIZES[scale].screen.testTasks} test tasks × ${FIT_SIZES[scale].screen.episodes} episodes; stage 3 the best ${FIT_SIZES[scale].finalists} and DESIGN §2's defaults re-measured at ${FIT_SIZES[scale].final.testTasks} × ${FIT_SIZES[scale].final.episodes} on fresh test tasks (seed 1); the random policy's gap through the pipeline, no support trajectories (random reads none).`,
};

export const FIT_SIZES: Record<Scale, { candidates: number; finalists: number; screen: { testTasks: number; episodes: number }; final: { testTasks: number; episodes: number } }> = {
  smoke: { candidates: 4, finalists: 2, screen: { testTasks: 2, episodes: 2 }, final: { testTasks: 3, episodes: 2 } },
  quick: { candidates: 400, finalists: 12, screen: { testTasks: 30, episodes: 10 }, final: { testTasks: 100, episodes: 30 } },
  paper: { candidates: 2000, finalists: 30, screen: { testTasks: 50, episodes: 20 }, final: { testTasks: 200, episodes: 30 } },
};
