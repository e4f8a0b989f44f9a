/**
 * The energy figures of the paper (issue 11, figures 1–6): each a function from a scale to the
 * experiment specs the one pipeline runs. Base params are DESIGN §2's defaults (levels 10,
 * cost 0.1, p ~ U(0.3, 0.9)); the paper's own values were lost (the fit section of
 * results.md says what its random-policy gaps suggest instead).
 */
import { ALL_POLICIES, by, scaled, scaleWords } from './scales.ts';
import type { ExperimentFigure, PlannedExperiment, Scale } from './types.ts';

const MDP = { levels: 10, cost: 0.1 } as const;
const UNTRAINED = ['random', 'support-copy', 'ce-planning', 'icl'];

const horizons = (scale: Scale): number[] => by(scale, { smoke: [3, 5], quick: [5, 10, 20], paper: [5, 10, 20] });
/** The horizon of figures with a language model at many points: short where the shipped model's prompts must fit. */
const shortHorizon = (scale: Scale): number => by(scale, { smoke: 3, quick: 5, paper: 10 });

/**
 * The headline figure's training set at the quick scale: DESIGN §7's defaults (100 tasks,
 * 3 epochs) rather than the quick scale's 32 × 1, because at 32 × 1 SFT and ICL overlap at every
 * horizon while at 100 × 3 SFT is below ICL with separated intervals (H = 10:
 * docs/results-notes.md, "SFT with more training tasks"). ≈ 30 of the quick scale's minutes.
 */
const headline = (scale: Scale): { trainTasks?: number; sftEpochs?: number } => (scale === 'quick' ? { trainTasks: 100, sftEpochs: 3 } : {});

export const mdpHorizon: ExperimentFigure = {
  kind: 'experiment',
  name: 'mdp-horizon',
  title: 'MDP: gap against the horizon',
  paper: 'Llama-2-7B, 3,200 training tasks: random 57.6 / 49.6 / 46.4 %, ICL 15.9 / 31.1 / 43.2 %, SFT 3 / 15 / 15 %, DPT 7 / 26 / 43 % (short → long horizon).',
  chart: { x: 'horizon', xTitle: 'horizon H' },
  plan: (scale) => ({
    experiments: [{ spec: { name: 'mdp-horizon', env: 'energy-mdp', params: { ...MDP }, sweep: { param: 'horizon', values: horizons(scale) }, policies: ALL_POLICIES, ...scaled(scale, headline(scale)) } }],
    scaleNote: scaleWords(scale, `energy-mdp, levels 10, cost 0.1, p ~ U(0.3, 0.9), H ∈ {${horizons(scale).join(', ')}}${scale === 'quick' ? '; the headline figure trains on DESIGN §7\'s default set (100 tasks, 3 epochs), the other quick figures on 32 tasks for one epoch' : ''}`, headline(scale)),
  }),
};

/**
 * A finalist of the fit (docs/results.md, "The lost parameter values": rank 3 of 19 re-measured,
 * RMSE 1.0 points against the paper's random-policy gaps, within one interval half-width of the
 * best's 0.5; DESIGN §2's defaults: 14.8). The best (levels 12, H 10/20/40) cannot be run with
 * the shipped model: its H = 40 prompts reach 2,052 tokens, past the 2,048-token context. DESIGN
 * §2 fixes the environments' defaults (MUST), so the fit does not replace them; this figure
 * measures the headline comparison at the fitted values instead, to show what adopting them changes.
 */
const FITTED = { levels: 15, cost: 0.02, pMin: 0.3, pMax: 0.7, horizons: [10, 20, 30], gamma: 0.99 } as const;
const fittedHorizons = (scale: Scale): number[] => (scale === 'smoke' ? [3, 5] : [...FITTED.horizons]);

export const mdpHorizonFitted: ExperimentFigure = {
  kind: 'experiment',
  name: 'mdp-horizon-fitted',
  title: 'MDP: gap against the horizon, at the fitted parameter values',
  paper: 'As mdp-horizon: random 57.6 / 49.6 / 46.4 %, ICL 15.9 / 31.1 / 43.2 %, SFT 3 / 15 / 15 %, DPT 7 / 26 / 43 %. Here the environment is a finalist of the fit, whose random-policy gaps match the paper\'s (RMSE 1.0 points).',
  chart: { x: 'horizon', xTitle: 'horizon H' },
  plan: (scale) => ({
    experiments: [
      {
        spec: {
          name: 'mdp-horizon-fitted', env: 'energy-mdp', params: { levels: FITTED.levels, cost: FITTED.cost, gamma: FITTED.gamma },
          distribution: { pMin: FITTED.pMin, pMax: FITTED.pMax }, sweep: { param: 'horizon', values: fittedHorizons(scale) }, policies: ALL_POLICIES, ...scaled(scale),
        },
      },
    ],
    scaleNote: scaleWords(scale, `energy-mdp at a finalist of the fit: levels ${FITTED.levels}, cost ${FITTED.cost}, p ~ U(${FITTED.pMin}, ${FITTED.pMax}), γ ${FITTED.gamma}, initial level uniform, H ∈ {${fittedHorizons(scale).join(', ')}}${scale === 'quick' ? '; trained as the other quick figures (not the headline\'s 100 × 3), within the quick budget' : ''}`),
  }),
};

const trainTaskValues = (scale: Scale): number[] => by(scale, { smoke: [1, 2], quick: [8, 32], paper: [100, 200, 400, 800, 1600, 3200] });
const trainTaskHorizons = (scale: Scale): number[] => by(scale, { smoke: [3], quick: [5, 10], paper: [5, 10, 20] });

export const mdpTrainTasks: ExperimentFigure = {
  kind: 'experiment',
  name: 'mdp-train-tasks',
  title: 'MDP: gap against the number of training tasks',
  paper: 'Gaps shrink as the number of training tasks grows from 100 to 3,200; at the mid horizon from about 30 % to 15 %.',
  chart: { x: 'trainTasks', xTitle: 'training tasks', logX: true, facet: 'horizon' },
  plan: (scale) => ({
    // Untrained policies do not depend on the training set: one row per horizon, drawn as a level line.
    experiments: trainTaskHorizons(scale).flatMap((h): PlannedExperiment[] => [
      { spec: { name: `mdp-train-tasks-h${h}-untrained`, env: 'energy-mdp', params: { ...MDP, horizon: h }, policies: UNTRAINED, ...scaled(scale) }, labels: { horizon: h } },
      {
        spec: { name: `mdp-train-tasks-h${h}`, env: 'energy-mdp', params: { ...MDP, horizon: h }, sweep: { param: 'trainTasks', values: trainTaskValues(scale) }, policies: ['sft', 'dpt'], ...scaled(scale) },
        labels: { horizon: h },
      },
    ]),
    scaleNote: scaleWords(scale, `energy-mdp as in mdp-horizon, H ∈ {${trainTaskHorizons(scale).join(', ')}}, training tasks ∈ {${trainTaskValues(scale).join(', ')}}`),
  }),
};

const qValues = (scale: Scale): number[] => by(scale, { smoke: [1, 0.7], quick: [1, 0.9, 0.7, 0.5], paper: [1, 0.9, 0.7, 0.5] });

export const pomdpQ: ExperimentFigure = {
  kind: 'experiment',
  name: 'pomdp-q',
  title: 'POMDP: gap against the observation accuracy q',
  paper: 'Gaps grow as q falls; SFT about 10 % against DPT about 25 % at mid q.',
  chart: { x: 'q', xTitle: 'observation accuracy q' },
  plan: (scale) => ({
    experiments: [
      { spec: { name: 'pomdp-q', env: 'energy-pomdp', params: { ...MDP, horizon: shortHorizon(scale) }, sweep: { param: 'q', values: qValues(scale) }, policies: ALL_POLICIES, ...scaled(scale) } },
    ],
    scaleNote: scaleWords(scale, `energy-pomdp, levels 10, cost 0.1, H = ${shortHorizon(scale)}, q ∈ {${qValues(scale).join(', ')}}`),
  }),
};

/** The APOMDP's size: the quick scale keeps the example's 5 levels and H = 4 so the α-MEU oracle stays fast at K = 5. */
const apomdpParams = (scale: Scale): Record<string, number> =>
  by(scale, { smoke: { levels: 3, horizon: 3, q: 0.9, cost: 0.1 }, quick: { levels: 5, horizon: 4, q: 0.9, cost: 0.1 }, paper: { levels: 10, horizon: 10, q: 0.9, cost: 0.1 } });
/** Quick: the two ends of the paper's K sweep (the claim is the direction of the change), so the 6 SFT runs fit the 90-minute budget. */
const kValues = (scale: Scale): number[] => by(scale, { smoke: [1, 2], quick: [1, 5], paper: [1, 2, 3, 5] });
const alphas = (scale: Scale): number[] => by(scale, { smoke: [0, 1], quick: [0, 0.5, 1], paper: [0, 0.5, 1] });

export const apomdpKAlpha: ExperimentFigure = {
  kind: 'experiment',
  name: 'apomdp-k-alpha',
  title: 'APOMDP: gap against the ambiguity set size K, per attitude α',
  paper: 'A larger K helps the optimistic attitude (α = 0), hurts the pessimistic one (α = 1), leaves the neutral one about flat; SFT leads DPT by about 10 points; under α = 1 DPT goes from 26 % to 37 %, SFT from 15 % to 22 %.',
  chart: { x: 'K', xTitle: 'ambiguity set size K', facet: 'alpha' },
  plan: (scale) => ({
    experiments: alphas(scale).map((alpha) => ({
      spec: { name: `apomdp-alpha-${alpha}`, env: 'energy-apomdp', params: { ...apomdpParams(scale), alpha }, sweep: { param: 'K', values: kValues(scale) }, policies: ALL_POLICIES, ...scaled(scale) },
      labels: { alpha },
    })),
    scaleNote: scaleWords(scale, `energy-apomdp, ${Object.entries(apomdpParams(scale)).map(([k, v]) => `${k} ${v}`).join(', ')}, ρ 0.1, κ 50, K ∈ {${kValues(scale).join(', ')}}, α ∈ {${alphas(scale).join(', ')}}`),
  }),
};

const oodHorizons = (scale: Scale): number[] => by(scale, { smoke: [3], quick: [5], paper: [5, 10, 20] });

export const ood: ExperimentFigure = {
  kind: 'experiment',
  name: 'ood',
  title: 'Out of distribution: trained on one task distribution, tested on another',
  paper: 'MDP trained on p ~ U(0.3, 0.9), tested on U(0.05, 0.3): SFT 0 / 6 / 7 %. POMDP trained at one q and tested at another, APOMDP trained at one K and tested at another.',
  chart: { x: 'test', xTitle: 'test condition', facet: 'setting' },
  plan: (scale) => {
    const s = scaled(scale);
    const pomdp = { ...MDP, horizon: shortHorizon(scale) };
    const apomdp = { ...apomdpParams(scale), alpha: 0.5 };
    return {
      experiments: [
        {
          spec: { name: 'ood-mdp-in', env: 'energy-mdp', params: { ...MDP }, sweep: { param: 'horizon', values: oodHorizons(scale) }, policies: ALL_POLICIES, ...s },
          labels: { setting: 'MDP', test: 'p~U(0.3,0.9) (train)' },
          transfer: [
            {
              spec: { name: 'ood-mdp-out', env: 'energy-mdp', params: { ...MDP }, distribution: { pMin: 0.05, pMax: 0.3 }, sweep: { param: 'horizon', values: oodHorizons(scale) }, policies: ALL_POLICIES, ...s },
              labels: { setting: 'MDP', test: 'p~U(0.05,0.3)' },
            },
          ],
        },
        {
          spec: { name: 'ood-pomdp-in', env: 'energy-pomdp', params: pomdp, sweep: { param: 'q', values: [0.9] }, policies: ALL_POLICIES, ...s },
          labels: { setting: 'POMDP', test: 'q=0.9 (train)' },
          transfer: [0.7, 0.5].map((q) => ({
            spec: { name: `ood-pomdp-q${q}`, env: 'energy-pomdp', params: pomdp, sweep: { param: 'q', values: [q] }, policies: ALL_POLICIES, ...s },
            labels: { setting: 'POMDP', test: `q=${q}` },
          })),
        },
        {
          spec: { name: 'ood-apomdp-in', env: 'energy-apomdp', params: apomdp, sweep: { param: 'K', values: [3] }, policies: ALL_POLICIES, ...s },
          labels: { setting: 'APOMDP', test: 'K=3 (train)' },
          transfer: [1, 5].map((K) => ({
            spec: { name: `ood-apomdp-k${K}`, env: 'energy-apomdp', params: apomdp, sweep: { param: 'K', values: [K] }, policies: ALL_POLICIES, ...s },
            labels: { setting: 'APOMDP', test: `K=${K}` },
          })),
        },
      ],
      scaleNote: scaleWords(scale, `MDP H ∈ {${oodHorizons(scale).join(', ')}} trained on p ~ U(0.3, 0.9), tested on U(0.05, 0.3); POMDP (H = ${shortHorizon(scale)}) trained at q = 0.9, tested at 0.7 and 0.5; APOMDP (as in apomdp-k-alpha, α = 0.5) trained at K = 3, tested at K = 1 and 5; sft's adapter and the DPT trained once, on the training condition`),
    };
  },
};

export const supportQuality: ExperimentFigure = {
  kind: 'experiment',
  name: 'support-quality',
  title: 'Support quality: oracle against random support trajectories at test time',
  paper: 'At the shortest horizon, support trajectories from a random policy instead of the oracle raise the SFT gap from about 3–5 % to about 20 %.',
  chart: { x: 'support', xTitle: 'support trajectories at test time', facet: 'horizon' },
  plan: (scale) => {
    const s = scaled(scale);
    const values = oodHorizons(scale);
    return {
      experiments: [
        {
          spec: { name: 'support-oracle', env: 'energy-mdp', params: { ...MDP }, sweep: { param: 'horizon', values }, policies: ALL_POLICIES, ...s },
          labels: { support: 'oracle' },
          transfer: [{ spec: { name: 'support-random', env: 'energy-mdp', params: { ...MDP }, sweep: { param: 'horizon', values }, supportPolicy: 'random', policies: ALL_POLICIES, ...s }, labels: { support: 'random' } }],
        },
      ],
      scaleNote: scaleWords(scale, `energy-mdp as in mdp-horizon, H ∈ {${values.join(', ')}}; trained with oracle support, tested with oracle and with random support`),
    };
  },
};
