import { describe, expect, it } from 'vitest';
import { duplicateKey, JsonInputError, parseJsonStrict } from './json.ts';
import { shown } from './fields.ts';
import { parseExperimentSpec } from '../../experiments/spec.ts';
import { parseLlamaConfig } from '../../nn/llama-config.ts';

describe('parseJsonStrict', () => {
  it('parses what JSON.parse parses when no object repeats a key', () => {
    const text = '{"a": 1, "b": {"a": 2, "c": [{"a": 3}, {"a": 4}]}, "d": "a"}';
    expect(parseJsonStrict(text, 'x')).toEqual(JSON.parse(text));
    expect(duplicateKey(text)).toBeNull();
  });

  it('refuses a key given twice in one object, naming the key and the object', () => {
    expect(() => parseJsonStrict('{"horizon": 5, "horizon": 50}', 'spec.json')).toThrow('spec.json: key "horizon" appears twice in the top level; each key may be given once');
    expect(() => parseJsonStrict('{"params": {"q": 0.9, "levels": 5, "q": 0.5}}', 'spec.json')).toThrow('key "q" appears twice in params');
    expect(duplicateKey('{"sweep": {"values": [{"x": 1, "x": 2}]}}')).toEqual({ key: 'x', path: 'sweep.values.0' });
  });

  it('refuses invalid JSON with JSON.parse\'s reason', () => {
    expect(() => parseJsonStrict('{"a": 1,}', 'f')).toThrow(JsonInputError);
    expect(() => parseJsonStrict("{'a': 1}", 'f')).toThrow(/^f is not valid JSON/);
    expect(() => parseJsonStrict('{"a": NaN}', 'f')).toThrow(/not valid JSON/);
  });
});

describe('values in error messages', () => {
  it('show Infinity as Infinity (JSON.stringify would say null), cut long strings and JSON', () => {
    // 1e999 is valid JSON and parses to Infinity.
    const spec = parseJsonStrict('{"name": "x", "env": "energy-mdp", "testTasks": 1e999}', 'f');
    expect(() => parseExperimentSpec(spec)).toThrow('testTasks: must be an integer in [1, 1000], got Infinity');
    expect(() => parseLlamaConfig({ model_type: 'llama', vocab_size: 8, hidden_size: 8, intermediate_size: 8, num_hidden_layers: 1, num_attention_heads: 2, rope_theta: Infinity }))
      .toThrow('rope_theta: must be a number in (1, 1000000000000], got Infinity');
    expect(shown('x'.repeat(1_000_000))).toBe(`"${'x'.repeat(60)}"… (1000000 characters)`);
    expect(shown({ a: 'y'.repeat(200) })).toHaveLength(81);
    expect(shown(null)).toBe('null');
  });
});
