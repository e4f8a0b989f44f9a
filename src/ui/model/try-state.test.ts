import { describe, expect, it } from 'vitest';
import { parseTokenCount, probText, visibleWhitespace } from './try-state.ts';

describe('try-the-model helpers', () => {
  it('accepts 1 … 256 and names the field and range otherwise', () => {
    expect(parseTokenCount(' 16 ')).toEqual({ ok: true, n: 16 });
    expect(parseTokenCount('256')).toEqual({ ok: true, n: 256 });
    for (const bad of ['0', '257', '2.5', 'ten', '']) {
      const r = parseTokenCount(bad);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.message).toMatch(/^Tokens to generate: must be a whole number from 1 to 256, got /);
    }
  });

  it('draws whitespace', () => {
    expect(visibleWhitespace(' a\n')).toBe('␣a⏎');
    expect(visibleWhitespace('\t')).toBe('⇥');
    expect(visibleWhitespace('')).toBe('∅');
  });

  it('prints probabilities as numbers in [0, 1]', () => {
    for (const p of [1, 0.5, 0.0012, 3e-7, 0]) {
      const v = Number(probText(p));
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThanOrEqual(1);
      expect(Math.abs(v - p)).toBeLessThan(5e-4);
    }
  });
});
