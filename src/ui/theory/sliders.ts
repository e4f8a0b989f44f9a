/**
 * The values each Theory slider steps through. Support length, training length and conditioning
 * matter on a log scale (doubling n halves the estimation term's square), so their sliders step
 * through roughly geometric values; the rest are linear.
 */
export type SliderKey = 'n' | 'N' | 'd' | 'kappa' | 'actions' | 'horizon' | 'gamma';

const range = (lo: number, hi: number, step = 1) => Array.from({ length: Math.round((hi - lo) / step) + 1 }, (_, i) => +(lo + i * step).toFixed(6));

export const SLIDERS: { key: SliderKey; label: string; values: number[]; help: string }[] = [
  {
    key: 'n',
    label: 'Support pairs n',
    values: [1, 2, 3, 5, 7, 10, 15, 20, 30, 50, 70, 100, 150, 200, 300, 500, 700, 1000],
    help: 'How many (feature, Q-value) examples of the new task the model reads in its prompt. More examples, less in-context estimation error.',
  },
  {
    key: 'N',
    label: 'Training prompt length N',
    values: [1, 2, 3, 5, 10, 20, 50, 100, 200, 500, 1000, 10000, 100000],
    help: 'How many examples each prompt had while the attention layer was trained. Short training prompts make the layer shrink its estimate (a bias), which can help when n is small.',
  },
  { key: 'd', label: 'Feature dimension d', values: range(1, 32), help: 'Length of each action’s feature vector; the unknown task weights w have the same length.' },
  {
    key: 'kappa',
    label: 'Covariance conditioning κ',
    values: [1, 1.5, 2, 3, 5, 10, 20, 50, 100, 200, 500, 1000],
    help: 'Ratio of the largest to the smallest variance of the features. κ = 1: every direction equally informative; large κ: some directions are rarely seen, so they are estimated badly.',
  },
  { key: 'actions', label: 'Actions per step A', values: range(2, 16), help: 'Candidate actions the agent chooses between each step, each with its own random feature vector.' },
  { key: 'horizon', label: 'Horizon H', values: range(1, 50), help: 'Steps per episode; regrets of the steps add up (discounted).' },
  { key: 'gamma', label: 'Discount γ', values: range(0, 1, 0.05), help: 'Weight of the next step’s reward relative to this one’s.' },
];

/** The slider position of a value: the nearest listed value (a link may carry any valid one). */
export function sliderIndex(values: number[], v: number): number {
  let best = 0;
  values.forEach((x, i) => {
    if (Math.abs(Math.log1p(x) - Math.log1p(v)) < Math.abs(Math.log1p(values[best]!) - Math.log1p(v))) best = i;
  });
  return best;
}
