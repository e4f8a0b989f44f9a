/**
 * `npx tsx tests/fuzz/run.ts [--cases N] [--seed S]`: the full fuzz run, a markdown table of
 * outcomes per input class (docs/reliability.md holds the last one) and the first failures.
 * Exit 1 when any case crashed, hung or produced a non-finite number.
 */
import { parseArgs } from 'node:util';
import { fuzzTarget, HANG_MS, TARGETS } from './fuzz.ts';

const { values } = parseArgs({ options: { cases: { type: 'string', default: '3000' }, seed: { type: 'string', default: '1' } } });
const cases = Number(values.cases);
const seed = Number(values.seed);
const t0 = performance.now();
console.log(`| input class | cases | accepted | clean errors | crashes | hangs > ${HANG_MS / 1000} s | non-finite | slowest case |`);
console.log('| --- | --- | --- | --- | --- | --- | --- | --- |');
let bad = 0;
const failures: string[] = [];
for (const t of TARGETS) {
  const s = fuzzTarget(t, { seed, cases });
  bad += s.crash + s.hang + s.nonFinite;
  console.log(`| ${s.target} | ${s.cases} | ${s.ok} | ${s.error} | ${s.crash} | ${s.hang} | ${s.nonFinite} | ${s.slowestMs.toFixed(0)} ms |`);
  for (const f of s.failures) failures.push(`${s.target} case ${f.case} (seed ${seed}): ${f.outcome}: ${f.message}`);
}
console.log(`\nseed ${seed}, ${((performance.now() - t0) / 1000).toFixed(1)} s`);
for (const f of failures) console.log(f);
process.exitCode = bad > 0 ? 1 : 0;
