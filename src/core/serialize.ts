/**
 * Text serialization of trajectories and prompts (DESIGN §4, MUST).
 *
 * Step t (from 1): `<O_t> {obs}, <A_t> {action}, <R_t> {reward}`; steps joined by `, `.
 * - obs: energy = the integer level (`<O_1> 3`); darkroom = `x y` separated by one space (`<O_3> 2 0`).
 *   A space rather than a comma keeps `, ` an unambiguous step/field separator.
 * - reward: two decimals (`toFixed(2)`), with `-0.00` printed as `0.00`.
 * A prompt is the support trajectories, one per line (`\n`), then the query so far ending with
 * `<O_t> {obs}, <A_t> ` (trailing space) for the model to fill. Training strings use the same
 * layout: the support lines, then the whole episode as the last line.
 */
import type { Step, Trajectory } from './types.ts';

export const LINE_SEPARATOR = '\n';
export const STEP_SEPARATOR = ', ';

export function formatReward(r: number): string {
  if (!Number.isFinite(r)) throw new Error(`cannot serialize reward ${r}`);
  const s = r.toFixed(2);
  return s === '-0.00' ? '0.00' : s;
}

function formatObs(obs: readonly number[]): string {
  if (obs.length === 0) throw new Error('cannot serialize an empty observation');
  for (const v of obs) if (!Number.isInteger(v)) throw new Error(`observations must be integers, got ${v}`);
  return obs.join(' ');
}

function obsPart(t: number, obs: readonly number[]): string {
  return `<O_${t}> ${formatObs(obs)}`;
}

export function serializeStep(step: Step, t: number): string {
  return `${obsPart(t, step.obs)}, <A_${t}> ${step.action}, <R_${t}> ${formatReward(step.reward)}`;
}

export function serializeTrajectory(steps: readonly Step[]): string {
  return steps.map((s, i) => serializeStep(s, i + 1)).join(STEP_SEPARATOR);
}

/** The open end of a query: `<O_t> {obs}, <A_t> ` with t = query.length + 1. */
export function serializeQuery(query: readonly Step[], obs: readonly number[]): string {
  const t = query.length + 1;
  const open = `${obsPart(t, obs)}, <A_${t}> `;
  return query.length === 0 ? open : `${serializeTrajectory(query)}${STEP_SEPARATOR}${open}`;
}

export function serializePrompt(support: readonly Trajectory[], query: readonly Step[], obs: readonly number[]): string {
  return [...support.map(serializeTrajectory), serializeQuery(query, obs)].join(LINE_SEPARATOR);
}

/** A full training string: the support lines, then the whole episode (DESIGN §4: same layout as prompts). */
export function serializeTrainingExample(support: readonly Trajectory[], episode: readonly Step[]): string {
  return [...support.map(serializeTrajectory), serializeTrajectory(episode)].join(LINE_SEPARATOR);
}

/** Prompt/completion pairs for every step of an episode (JSONL export, SFT loss masks): completion = the action. */
export function trainingPairs(support: readonly Trajectory[], episode: readonly Step[]): { prompt: string; completion: string }[] {
  return episode.map((step, t) => ({
    prompt: serializePrompt(support, episode.slice(0, t), step.obs),
    completion: String(step.action),
  }));
}

// ---------------------------------------------------------------- parsing

export class SerializationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SerializationError';
  }
}

const OBS = '(-?\\d+(?: -?\\d+)*)';
const STEP_RE = new RegExp(`^<O_(\\d+)> ${OBS}, <A_(\\d+)> (\\d+), <R_(\\d+)> (-?\\d+\\.\\d{2})$`);
const OPEN_RE = new RegExp(`^<O_(\\d+)> ${OBS}, <A_(\\d+)> $`);

function describe(text: string): string {
  return JSON.stringify(text.length > 60 ? `${text.slice(0, 57)}...` : text);
}

function parseObs(text: string): number[] {
  return text.split(' ').map(Number);
}

/** Splits a line into step chunks: every step starts at `<O_`. */
function chunks(line: string): string[] {
  const parts = line.split(/, (?=<O_)/);
  return parts;
}

function parseStepChunk(chunk: string, t: number, where: string): Step {
  const m = STEP_RE.exec(chunk);
  if (!m) throw new SerializationError(`${where}, step ${t}: expected "<O_${t}> obs, <A_${t}> action, <R_${t}> reward" (reward with 2 decimals), got ${describe(chunk)}`);
  const indices = [m[1], m[3], m[5]].map(Number);
  if (indices.some((i) => i !== t)) throw new SerializationError(`${where}, step ${t}: step indices ${indices.join('/')} should all be ${t}`);
  return { obs: parseObs(m[2]!), action: Number(m[4]), reward: Number(m[6]) };
}

function parseLine(line: string, where: string): Trajectory {
  if (line === '') throw new SerializationError(`${where}: empty trajectory`);
  return chunks(line).map((c, i) => parseStepChunk(c, i + 1, where));
}

/** Reads back `serializeTrajectory`. Rewards come back rounded to 2 decimals. */
export function parseTrajectory(text: string): Trajectory {
  if (text.includes(LINE_SEPARATOR)) throw new SerializationError('trajectory: expected one line, found a line break');
  return parseLine(text, 'trajectory');
}

export interface ParsedPrompt {
  support: Trajectory[];
  query: Step[];
  obs: number[];
}

/** Reads back `serializePrompt`: support lines, then a query line ending with `<A_t> `. */
export function parsePrompt(text: string): ParsedPrompt {
  const lines = text.split(LINE_SEPARATOR);
  const last = lines.pop()!;
  const support = lines.map((l, i) => parseLine(l, `support line ${i + 1}`));
  const parts = chunks(last);
  const open = parts.pop()!;
  const query = parts.map((c, i) => parseStepChunk(c, i + 1, 'query'));
  const t = query.length + 1;
  const m = OPEN_RE.exec(open);
  if (!m) throw new SerializationError(`query: expected it to end with "<O_${t}> obs, <A_${t}> " (trailing space), got ${describe(open)}`);
  if (Number(m[1]) !== t || Number(m[3]) !== t) throw new SerializationError(`query: open step indices ${m[1]}/${m[3]} should be ${t}`);
  return { support, query, obs: parseObs(m[2]!) };
}
