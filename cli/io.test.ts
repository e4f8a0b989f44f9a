import { describe, expect, it } from 'vitest';
import { CliError, oneOf } from './io.ts';

describe('oneOf (every CLI option that names one of a fixed set)', () => {
  const SETS = ['text', 'pairs'] as const;
  it('returns the value when allowed, the fallback when absent', () => {
    expect(oneOf('pairs', '--format', SETS, 'text')).toBe('pairs');
    expect(oneOf(undefined, '--format', SETS, 'text')).toBe('text');
  });
  it('refuses by option name, listing what is allowed; an absent value without a fallback is required', () => {
    expect(() => oneOf('csv', '--format', SETS, 'text')).toThrow(new CliError('--format: must be one of text, pairs, got "csv"'));
    expect(() => oneOf('', '--format', SETS)).toThrow(new CliError('--format: must be one of text, pairs, got ""'));
    expect(() => oneOf(undefined, '--policy', SETS)).toThrow(new CliError('--policy: required, one of text, pairs'));
    // Case matters: a near miss is still refused.
    expect(() => oneOf('Text', '--format', SETS)).toThrow(/got "Text"/);
    expect(() => oneOf('x'.repeat(100), '--format', SETS)).toThrow(/got "x{40}…"$/);
  });
});
