/** `solve --spec FILE`: the oracle of one task (DESIGN §7). */
import { parseTaskSpec } from '../../src/core/spec/task-spec.ts';
import { createTask } from '../../src/core/tasks.ts';
import { CostLimitError, solve } from '../../src/core/solve.ts';
import { CliError, oneOf, printJson, readSpecFile } from '../io.ts';
import { taskJson } from '../task-json.ts';

export interface SolveArgs {
  spec?: string;
  method?: string;
  json: boolean;
}

const METHODS = ['auto', 'expectimax', 'point-based'] as const;

export function runSolve(args: SolveArgs): void {
  const spec = readSpecFile(args.spec, '--spec', parseTaskSpec);
  const method = oneOf(args.method, '--method', METHODS, 'auto');
  const task = createTask(spec);
  const started = performance.now();
  let solution;
  try {
    solution = solve(task, { method, seed: spec.seed });
  } catch (e) {
    if (e instanceof CostLimitError) throw new CliError(`--${e.message}`);
    throw e;
  }
  const seconds = (performance.now() - started) / 1000;
  const out = {
    env: spec.env,
    seed: spec.seed,
    method: solution.method,
    expectedReturn: solution.expectedReturn,
    upperBound: solution.upperBound,
    ...(solution.values ? { values: solution.values } : {}),
    solveSeconds: seconds,
    task: taskJson(task),
  };
  if (args.json) {
    printJson(out);
    return;
  }
  console.log(`${spec.env} (seed ${spec.seed}) solved by ${solution.method} in ${(seconds * 1000).toFixed(1)} ms`);
  console.log(`expected return ${solution.expectedReturn.toFixed(4)}${solution.upperBound !== undefined ? `, fully observable bound ${solution.upperBound.toFixed(4)}` : ''}`);
}
