/**
 * Zod building blocks whose errors name the allowed range, and one formatter that turns a
 * ZodError into messages of the form `params.p: must be a number in [0, 1], got 1.5`.
 * Used by the task spec, the experiment spec, the CLI and the UI forms alike.
 */
import { z } from 'zod';

export class SpecError extends Error {
  /** one entry per bad field, each `path: message`. */
  readonly problems: string[];
  constructor(problems: string[]) {
    super(problems.join('; '));
    this.name = 'SpecError';
    this.problems = problems;
  }
}

/**
 * The offending value as an error message shows it: strings quoted and cut at 60 characters (a
 * 1 MB field is not echoed), numbers as they are (Infinity stays Infinity, where JSON.stringify
 * would print null), anything else as JSON cut at 80 characters.
 */
export function shown(v: unknown): string {
  if (typeof v === 'string') return v.length > 60 ? `${JSON.stringify(v.slice(0, 60))}… (${v.length} characters)` : JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean' || v === undefined) return String(v);
  const json = JSON.stringify(v) ?? String(v);
  return json.length > 80 ? `${json.slice(0, 80)}…` : json;
}
const show = shown;

/** The message of an enum field: the allowed values and what was given. */
export const enumError = (allowed: readonly string[]) => (iss: { input?: unknown }): string => {
  const json = typeof iss.input === 'string' ? show(iss.input) : String(JSON.stringify(iss.input));
  return `must be one of ${allowed.join(', ')}, got ${json.length > 80 ? `${json.slice(0, 80)}…` : json}`;
};

/** A real number in [lo, hi] (or (lo, hi] with `openLow`). */
export function realIn(lo: number, hi: number, openLow = false) {
  const range = `${openLow ? '(' : '['}${lo}, ${hi}]`;
  const msg = (iss: { input?: unknown }) => `must be a number in ${range}, got ${show(iss.input)}`;
  const base = z.number({ error: msg }).max(hi, { error: msg });
  return openLow ? base.gt(lo, { error: msg }) : base.min(lo, { error: msg });
}

/** An integer in [lo, hi]. */
export function intIn(lo: number, hi: number) {
  const msg = (iss: { input?: unknown }) => `must be an integer in [${lo}, ${hi}], got ${show(iss.input)}`;
  return z.number({ error: msg }).int({ error: msg }).min(lo, { error: msg }).max(hi, { error: msg });
}

export function formatIssues(error: z.ZodError, prefix = ''): string[] {
  return error.issues.map((iss) => {
    const keys = iss.code === 'unrecognized_keys' ? iss.keys : [];
    const path = [prefix, ...iss.path.map(String)].filter((s) => s !== '').join('.');
    if (keys.length > 0) {
      const where = path === '' ? '' : `${path}.`;
      return keys.map((k) => `${where}${k}: unknown field`).join('; ');
    }
    return `${path === '' ? '(spec)' : path}: ${iss.message}`;
  });
}

/** Parses with `schema` or throws a SpecError naming every bad field. */
export function parseOrThrow<S extends z.ZodType>(schema: S, input: unknown, prefix = ''): z.output<S> {
  const r = schema.safeParse(input);
  if (!r.success) throw new SpecError(formatIssues(r.error, prefix));
  return r.data;
}
