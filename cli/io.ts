/** Shared CLI plumbing: errors that name the bad option or field, JSON file input, output. */
import { shown } from '../src/core/spec/fields.ts';
import { JsonInputError, parseJsonStrict } from '../src/core/spec/json.ts';
import { readFileSync } from 'node:fs';
import { SpecError } from '../src/core/spec/fields.ts';

/** An error the user can fix; printed without a stack trace, exit code 2. */
export class CliError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CliError';
  }
}

export function readJsonFile(path: string | undefined, option: string): unknown {
  if (path === undefined || path === '') throw new CliError(`${option}: a file path is required`);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new CliError(`${option}: cannot read ${path} (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  try {
    return parseJsonStrict(text, `${option}: ${path}`);
  } catch (e) {
    if (e instanceof JsonInputError) throw new CliError(e.message);
    throw e;
  }
}

/** Reads and validates a spec file; every field problem is reported against `option`. */
export function readSpecFile<T>(path: string | undefined, option: string, parse: (raw: unknown) => T): T {
  const raw = readJsonFile(path, option);
  try {
    return parse(raw);
  } catch (e) {
    return specProblems(e, option);
  }
}

/** Prefixes every field problem of a spec error with the option it came from. */
export function specProblems(e: unknown, option: string): never {
  if (e instanceof SpecError) throw new CliError(e.problems.map((p) => `${option}: ${p}`).join('\n'));
  throw e;
}

/** A refused option value as an error shows it: quoted, and cut at 40 characters. */
function shownValue(value: string): string {
  return shown(value.length > 40 ? `${value.slice(0, 40)}…` : value);
}

/** An integer option written in plain decimal digits (Number() would also take "0x10", " 3 " and "1e1"). */
export function positiveInt(value: string | undefined, option: string, lo: number, hi: number, fallback: number): number {
  if (value === undefined) return fallback;
  const n = /^-?\d{1,16}$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n) || n < lo || n > hi) throw new CliError(`${option}: must be an integer in [${lo}, ${hi}], got ${shownValue(value)}`);
  return n;
}

/**
 * An option that names one of a fixed set (a policy, a format, a scale): the value typed as that
 * set, or the fallback when absent; one wording for every such refusal.
 */
export function oneOf<T extends string>(value: string | undefined, option: string, allowed: readonly T[], fallback?: T): T {
  if (value === undefined && fallback !== undefined) return fallback;
  if (value === undefined) throw new CliError(`${option}: required, one of ${allowed.join(', ')}`);
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new CliError(`${option}: must be one of ${allowed.join(', ')}, got ${shownValue(value)}`);
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}
