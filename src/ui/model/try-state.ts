/**
 * The shape of "Try the model"'s live state (the store's `tryRun` slice; not persisted: the
 * worker that holds the model goes with a reload; the prompt and token count are settings), and
 * the display helpers, kept pure so they are tested without a browser.
 */
import { type GenerateResult, MAX_NEW_TOKENS, type TokenProb } from '../../models/generate.ts';
import type { GenerateReply } from '../../../workers/api.ts';
import type { LiveProgress } from '../state/live.ts';

export interface TryState {
  status: 'idle' | 'running' | 'done' | 'failed';
  startedAt: number;
  progress: LiveProgress | null;
  /** tokens received while running (shown as they come). */
  live: TokenProb[];
  /** the last finished run, kept when a later run fails. */
  result: GenerateResult | null;
  /** the prompt and model of `result` (the text area may have changed since). */
  prompt: string;
  model: string;
  error: { kind: Extract<GenerateReply, { ok: false }>['kind']; message: string } | null;
}

export const idleTry: TryState = { status: 'idle', startedAt: 0, progress: null, live: [], result: null, prompt: '', model: '', error: null };

/** The field's value, or a message that names the field and the range. */
export function parseTokenCount(raw: string): { ok: true; n: number } | { ok: false; message: string } {
  const t = raw.trim();
  const n = Number(t);
  if (t === '' || !Number.isInteger(n) || n < 1 || n > MAX_NEW_TOKENS) {
    return { ok: false, message: `Tokens to generate: must be a whole number from 1 to ${MAX_NEW_TOKENS}, got ${t === '' ? 'nothing' : `“${t}”`}.` };
  }
  return { ok: true, n };
}

const SHOWN: Record<string, string> = { ' ': '␣', '\n': '⏎', '\t': '⇥', '\r': '␍' };

/** A token's text with its whitespace drawn (␣ ⏎ ⇥), so " a" and "a" look different. */
export function visibleWhitespace(text: string): string {
  return text === '' ? '∅' : text.replace(/[ \n\t\r]/g, (c) => SHOWN[c]!);
}

/** A probability as a plain number in [0, 1], 3 decimals (tiny ones in exponent form). */
export function probText(p: number): string {
  if (!Number.isFinite(p)) return '—';
  return p === 0 || p >= 0.001 ? p.toFixed(3) : p.toExponential(1);
}

export function stopText(r: GenerateResult): string {
  switch (r.stop) {
    case 'length':
      return `generated the ${r.tokens.length} tokens asked for`;
    case 'eos':
      return `the model ended the text (end-of-text token) after ${r.tokens.length} tokens`;
    case 'context':
      return `stopped after ${r.tokens.length} tokens: the model's context of ${r.contextLength} tokens is full`;
    case 'cancelled':
      return `cancelled after ${r.tokens.length} tokens`;
  }
}
