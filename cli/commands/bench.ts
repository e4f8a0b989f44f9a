/**
 * `bench`: solver benchmarks, the CPU engine's (bench-engine.ts) and the ICL decision's
 * (bench-icl.ts) and a QLoRA training step's (bench-sft.ts); `--only solvers|engine|icl|sft`.
 * Solvers: for every environment and H ∈ {5, 10, 20}: the median solve time
 * over repeated runs, the ratio to exact MDP backward induction of the same task measured in the
 * same run (the reference), and for the POMDP/APOMDP the point-based value next to the fully
 * observable upper bound, the exact expectimax value where it is feasible (H ≤ 5), and the
 * simulated return of the point-based policy. Never gates anything on time.
 */
import { parseTaskSpec } from '../../src/core/spec/task-spec.ts';
import { createTask } from '../../src/core/tasks.ts';
import { solve, type SolveOptions } from '../../src/core/solve.ts';
import { simulateEpisodeSync } from '../../src/core/simulate.ts';
import { ameuReturn, median, tInterval95 } from '../../src/core/metrics.ts';
import { Rng } from '../../src/core/rng.ts';
import type { EnvName, OracleSolution, Task } from '../../src/core/types.ts';
import { oneOf, printJson } from '../io.ts';
import { benchEngine, printEngine } from './bench-engine.ts';
import { benchIcl, printIcl } from './bench-icl.ts';
import { benchSft, printSft } from './bench-sft.ts';

export interface BenchRow {
  env: EnvName;
  horizon: number;
  method: string;
  /** median wall time of one solve, over `repeats` runs × tasks. */
  medianMs: number;
  /** median time of exact MDP backward induction on the same tasks (the reference). */
  referenceMs: number;
  ratioToReference: number;
  /** mean over tasks of the solver's value and bound. */
  value: number;
  upperBound: number | null;
  exactValue: number | null;
  /** mean over tasks of the simulated return of the solver's policy (α-MEU criterion for the APOMDP), with a 95 % half width from the episode noise. */
  simulatedReturn: number;
  simulatedHalfWidth: number;
  tasks: number;
}

const HORIZONS = [5, 10, 20];
const DARKROOM_HORIZONS = [5, 10, 20, 100];


function timeSolve(task: Task, options: SolveOptions, repeats: number): { ms: number[]; solution: OracleSolution } {
  const ms: number[] = [];
  let solution: OracleSolution | undefined;
  for (let r = 0; r < repeats; r++) {
    const t0 = performance.now();
    solution = solve(task, options);
    ms.push(performance.now() - t0);
  }
  return { ms, solution: solution! };
}

/**
 * Simulated return of the solution's agent and its standard error over episodes. APOMDP: the
 * α-MEU mix of per-model means; its standard error is approximated by the largest per-model one.
 */
function simulatedReturn(task: Task, solution: OracleSolution, episodes: number, seed: number): { mean: number; se: number } {
  const models = task.kind === 'energy' ? task.models.length : 1;
  const perModel: number[] = [];
  let se = 0;
  for (let m = 0; m < models; m++) {
    const returns: number[] = [];
    for (let e = 0; e < episodes; e++) {
      const agent = solution.agent(new Rng(seed, 'bench-policy', m, e));
      returns.push(simulateEpisodeSync(task, agent, { seed, taskIndex: 0, episode: e, model: m, stream: 'bench-env' }).return);
    }
    const ci = tInterval95(returns);
    perModel.push(ci.mean);
    se = Math.max(se, ci.halfWidth / 1.96);
  }
  const mean = task.kind === 'energy' && task.env === 'energy-apomdp' ? ameuReturn(perModel, task.params.alpha) : perModel[0]!;
  return { mean, se };
}

function specFor(env: EnvName, horizon: number, seed: number) {
  const rng = new Rng(seed, 'bench-task');
  const p = rng.uniform(0.3, 0.9);
  if (env === 'darkroom') return parseTaskSpec({ env, params: { goal: [rng.int(10), rng.int(10)], horizon }, seed });
  if (env === 'energy-mdp') return parseTaskSpec({ env, params: { p, horizon }, seed });
  if (env === 'energy-pomdp') return parseTaskSpec({ env, params: { p, q: 0.7, horizon }, seed });
  return parseTaskSpec({ env, params: { p, q: 0.7, K: 3, alpha: 0.5, horizon }, seed });
}

export function benchSolvers(opts: { tasks: number; repeats: number; episodes: number; envs?: EnvName[] }): BenchRow[] {
  const envs: EnvName[] = opts.envs ?? ['energy-mdp', 'energy-pomdp', 'energy-apomdp', 'darkroom'];
  const rows: BenchRow[] = [];
  for (const env of envs) {
    for (const horizon of env === 'darkroom' ? DARKROOM_HORIZONS : HORIZONS) {
      const ms: number[] = [];
      const ref: number[] = [];
      let value = 0;
      let bound = 0;
      let exact = 0;
      let sim = 0;
      let simVar = 0;
      const partial = env === 'energy-pomdp' || env === 'energy-apomdp';
      const exactFeasible = partial && horizon <= 5;
      let method = '';
      for (let i = 0; i < opts.tasks; i++) {
        const spec = specFor(env, horizon, i);
        const task = createTask(spec);
        const options: SolveOptions = { method: partial ? 'point-based' : 'auto', seed: i };
        const run = timeSolve(task, options, opts.repeats);
        ms.push(...run.ms);
        method = run.solution.method;
        value += run.solution.expectedReturn / opts.tasks;
        bound += (run.solution.upperBound ?? run.solution.expectedReturn) / opts.tasks;
        if (exactFeasible) exact += solve(task, { method: 'expectimax' }).expectedReturn / opts.tasks;
        if (task.kind === 'energy') {
          const mdpTask = createTask({ ...spec, env: 'energy-mdp', params: { ...task.params, q: 1, K: 1 } } as typeof spec);
          ref.push(...timeSolve(mdpTask, {}, opts.repeats).ms);
        }
        const r = simulatedReturn(task, run.solution, opts.episodes, i);
        sim += r.mean / opts.tasks;
        simVar += (r.se * r.se) / (opts.tasks * opts.tasks);
      }
      const medianMs = median(ms);
      const referenceMs = ref.length > 0 ? median(ref) : NaN;
      rows.push({
        env,
        horizon,
        method,
        medianMs,
        referenceMs,
        ratioToReference: medianMs / referenceMs,
        value,
        upperBound: partial ? bound : null,
        exactValue: exactFeasible ? exact : null,
        simulatedReturn: sim,
        simulatedHalfWidth: 1.96 * Math.sqrt(simVar),
        tasks: opts.tasks,
      });
    }
  }
  return rows;
}

export const BENCH_SECTIONS = ['solvers', 'engine', 'icl', 'sft'] as const;
export type BenchSection = (typeof BENCH_SECTIONS)[number];

export function parseOnly(value: string | undefined): BenchSection[] {
  return value === undefined ? [...BENCH_SECTIONS] : [oneOf(value, '--only', BENCH_SECTIONS)];
}

export async function runBench(args: { quick: boolean; json: boolean; only?: string }): Promise<void> {
  const sections = parseOnly(args.only);
  const meta = { machine: `${process.platform} ${process.arch}, node ${process.version}`, single: 'one core (the solver and the CPU engine are single-threaded)' };
  const rows = sections.includes('solvers') ? benchSolvers(args.quick ? { tasks: 2, repeats: 2, episodes: 50 } : { tasks: 5, repeats: 5, episodes: 300 }) : null;
  if (rows && !args.json) printSolvers(rows);
  const engine = sections.includes('engine') ? await benchEngine({ quick: args.quick }) : null;
  if (engine && !args.json) printEngine(engine);
  const icl = sections.includes('icl') ? await benchIcl({ quick: args.quick }) : null;
  if (icl && !args.json) printIcl(icl);
  const sft = sections.includes('sft') ? await benchSft({ quick: args.quick }) : null;
  if (sft && !args.json) printSft(sft);
  if (args.json) printJson({ ...meta, ...(rows ? { solvers: rows } : {}), ...(engine ? { engine } : {}), ...(icl ? { icl } : {}), ...(sft ? { sft } : {}) });
}

function printSolvers(rows: BenchRow[]): void {
  const fmt = (x: number | null, d = 3) => (x === null || Number.isNaN(x) ? '—' : x.toFixed(d));
  console.log('env            H    method              median ms   ×MDP-BI    value    bound    exact    simulated ±95%');
  for (const r of rows) {
    console.log(
      `${r.env.padEnd(14)} ${String(r.horizon).padStart(3)}  ${r.method.padEnd(18)} ${fmt(r.medianMs, 2).padStart(10)} ${fmt(r.ratioToReference, 1).padStart(9)} ${fmt(r.value).padStart(8)} ${fmt(r.upperBound).padStart(8)} ${fmt(r.exactValue).padStart(8)} ${fmt(r.simulatedReturn).padStart(8)} ±${fmt(r.simulatedHalfWidth)}`,
    );
  }
}
