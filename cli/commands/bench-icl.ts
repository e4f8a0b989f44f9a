/**
 * `bench --only icl`: what one ICL decision costs on the engine (CPU backend, the shipped model,
 * energy-mdp H = 20, k = 2 oracle support trajectories), at the first step of an episode and at
 * the last, with the KV cache as the policy runs it and with the whole prompt recomputed (the
 * reference, measured in the same run). Medians over repeated decisions; never gates anything.
 */
import { median } from '../../src/core/metrics.ts';
import { serializePrompt } from '../../src/core/serialize.ts';
import { parseTaskSpec } from '../../src/core/spec/task-spec.ts';
import { createTask } from '../../src/core/tasks.ts';
import { solve } from '../../src/core/solve.ts';
import { Rng } from '../../src/core/rng.ts';
import { simulateEpisodeSync } from '../../src/core/simulate.ts';
import type { Trajectory } from '../../src/core/types.ts';
import { EngineScorer } from '../../src/models/icl/engine-scorer.ts';
import { actionStrings } from '../../src/models/icl/policy.ts';
import { loadLanguageModelFolder } from '../language-model.ts';

export interface IclBenchRow {
  step: number;
  promptTokens: number;
  cachedMs: number;
  /** tokens the cached decision ran through the model. */
  cachedTokensFed: number;
  recomputeMs: number;
  /** recompute ÷ cached. */
  speedup: number;
}

export interface IclBench {
  model: string;
  horizon: number;
  repeats: number;
  rows: IclBenchRow[];
}


export async function benchIcl(o: { quick: boolean; model?: string }): Promise<IclBench> {
  const horizon = 20;
  const repeats = o.quick ? 3 : 15;
  const lm = await loadLanguageModelFolder(o.model, '--model');
  const task = createTask(parseTaskSpec({ env: 'energy-mdp', params: { p: 0.6, horizon }, seed: 1 }));
  const solution = solve(task);
  const episode = (i: number, stream: string): Trajectory => simulateEpisodeSync(task, solution.agent(new Rng(1, stream, i)), { seed: 1, taskIndex: 0, episode: i, stream }).steps;
  const support = [episode(0, 'support'), episode(1, 'support')];
  const actions = actionStrings(task.nActions);
  const prompt = (ep: Trajectory, t: number): string => serializePrompt(support, ep.slice(0, t - 1), ep[t - 1]!.obs);
  const cached = new EngineScorer(lm.model, lm.tokenizer, { maxPositions: lm.maxPositions });
  const recompute = new EngineScorer(lm.model, lm.tokenizer, { maxPositions: lm.maxPositions, cache: false });
  const rows: IclBenchRow[] = [];
  for (const t of [1, horizon]) {
    const c: number[] = [];
    const r: number[] = [];
    let fed = 0;
    let promptTokens = 0;
    for (let i = 0; i < repeats; i++) {
      const query = episode(i, 'query');
      const previous = episode(i + 1000, 'query');
      // The state the policy is in before decision t: the previous decision of this episode is
      // cached (t = 1: the last decision of another episode of the same task).
      await cached.score(t === 1 ? prompt(previous, horizon) : prompt(query, t - 1), actions);
      const before = cached.fedTokens;
      let t0 = performance.now();
      const s = await cached.score(prompt(query, t), actions);
      c.push(performance.now() - t0);
      fed += cached.fedTokens - before;
      promptTokens = s.context.length;
      t0 = performance.now();
      await recompute.score(prompt(query, t), actions);
      r.push(performance.now() - t0);
    }
    const cachedMs = median(c);
    const recomputeMs = median(r);
    rows.push({ step: t, promptTokens, cachedMs, cachedTokensFed: fed / repeats, recomputeMs, speedup: recomputeMs / cachedMs });
  }
  cached.dispose();
  recompute.dispose();
  return { model: lm.label, horizon, repeats, rows };
}

export function printIcl(b: IclBench): void {
  console.log(`\nICL decision on the engine (CPU), ${b.model}, energy-mdp H=${b.horizon}, k=2 oracle support, median of ${b.repeats}`);
  console.log('step  prompt tokens  cached ms  tokens fed  recompute ms  recompute/cached');
  for (const r of b.rows) {
    console.log(`${String(r.step).padStart(4)}  ${String(r.promptTokens).padStart(13)}  ${r.cachedMs.toFixed(2).padStart(9)}  ${r.cachedTokensFed.toFixed(1).padStart(10)}  ${r.recomputeMs.toFixed(2).padStart(12)}  ${r.speedup.toFixed(1).padStart(16)}`);
  }
}
