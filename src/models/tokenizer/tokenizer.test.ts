/**
 * The lab tokenizer as @huggingface/transformers loads it (offline, from a folder and from JSON):
 * exact round trips, compact corpus text, and DESIGN §4's MUST that every action is one token at
 * the open action slot of real serialized prompts of every env.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AutoTokenizer, env } from '@huggingface/transformers';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../core/rng.ts';
import { serializePrompt, serializeTrainingExample } from '../../core/serialize.ts';
import { simulateEpisodeSync } from '../../core/simulate.ts';
import { parseTaskSpec } from '../../core/spec/task-spec.ts';
import { createTask } from '../../core/tasks.ts';
import type { Task, Trajectory } from '../../core/types.ts';
import { generateCorpus } from '../corpus/corpus.ts';
import {
  alphabet, BPE_VOCAB_SIZE, buildTokenizerConfig, buildTokenizerJson, preTokenize, SPECIAL_TOKENS, STEP_MARKER_MAX, stepMarkers, VOCAB_SIZE, type TokenizerJson,
} from './build.ts';
import { TOKEN_DOC_VOCAB } from '../corpus/token-repeats.ts';
import { actionTokenIds, labTokenizerFromJson, loadLabTokenizer, type LabTokenizer } from './load.ts';

env.allowRemoteModels = false;

let json: TokenizerJson;
let tok: LabTokenizer;
let dir: string;

beforeAll(async () => {
  json = buildTokenizerJson();
  dir = mkdtempSync(join(tmpdir(), 'lab-tokenizer-'));
  writeFileSync(join(dir, 'tokenizer.json'), JSON.stringify(json));
  writeFileSync(join(dir, 'tokenizer_config.json'), JSON.stringify(buildTokenizerConfig()));
  tok = await loadLabTokenizer(dir);
});

const TASKS: [string, Record<string, unknown>][] = [
  ['energy-mdp', { p: 0.6, horizon: 12 }],
  ['energy-pomdp', { p: 0.5, q: 0.7, horizon: 11, cost: 0.25 }],
  ['energy-apomdp', { p: 0.7, q: 0.8, horizon: 10, K: 2 }],
  ['darkroom', { goal: [7, 3], horizon: 15 }],
  ['darkroom', { goal: [11, 12], size: 14, horizon: 30 }],
];

function randomRollouts(task: Task, n: number, seed: number): Trajectory[] {
  return Array.from({ length: n }, (_, e) => {
    const rng = new Rng(seed, 'tok-test', e);
    return simulateEpisodeSync(task, { act: () => rng.int(task.nActions) }, { seed, taskIndex: 0, episode: e }).steps;
  });
}

describe('building the tokenizer', () => {
  it('is deterministic and has a few hundred tokens: specials, the alphabet, learned merges', () => {
    expect(buildTokenizerJson()).toEqual(json);
    const vocab = json.model.vocab;
    expect(Object.keys(vocab)).toHaveLength(VOCAB_SIZE);
    expect(TOKEN_DOC_VOCAB).toBe(VOCAB_SIZE);
    expect(new Set(Object.values(vocab)).size).toBe(VOCAB_SIZE);
    expect([vocab[SPECIAL_TOKENS.pad], vocab[SPECIAL_TOKENS.bos], vocab[SPECIAL_TOKENS.eos], vocab[SPECIAL_TOKENS.unk]]).toEqual([0, 1, 2, 3]);
    for (const ch of alphabet()) expect(vocab[ch]).toBeDefined();
    for (const [a, b] of json.model.merges) expect(vocab[a + b]).toBeDefined();
    // Common word pieces were learned from the corpus.
    for (const piece of [' the', ' is', '> ', ', ', 'name']) expect(vocab[piece]).toBeDefined();
  });

  it('pre-tokenizes digits one by one and keeps marker letters apart', () => {
    expect(preTokenize('<O_12> 3 4, <A_12> ')).toEqual(['<', 'O', '_', '1', '2', '> ', '3', ' ', '4', ', ', '<', 'A', '_', '1', '2', '> ']);
    expect(preTokenize('The cat, -0.10\n')).toEqual(['The', ' cat', ', ', '-', '0', '.', '1', '0', '\n']);
  });
});

describe('loading through @huggingface/transformers', () => {
  it('loads from a local folder and from JSON objects with the same encoding, BOS first', async () => {
    const auto = await AutoTokenizer.from_pretrained(dir, { local_files_only: true });
    const fromJson = labTokenizerFromJson(json, buildTokenizerConfig());
    const text = '<O_1> 7, <A_1> 2, <R_1> 0.78\nThe red ball is under the table.';
    const ids = auto.encode(text);
    expect(ids[0]).toBe(tok.bos);
    expect(ids.slice(1)).toEqual(tok.encode(text));
    expect(fromJson.encode(text)).toEqual(tok.encode(text));
    expect(tok.vocabSize).toBe(VOCAB_SIZE);
    expect(auto.decode(ids, { skip_special_tokens: true })).toBe(text);
  });

  it('tokenizes step markers up to STEP_MARKER_MAX as one token each, later ones as <, letter, _, digits, "> "', () => {
    const pieces = tok.encode('<O_12> 3, <A_12> ').map((id) => tok.tokenText(id));
    expect(pieces).toEqual(['<O_12> ', '3', ', ', '<A_12> ']);
    const last = `<R_${STEP_MARKER_MAX}> 0.5, <O_${STEP_MARKER_MAX + 1}> 4`;
    const digits = String(STEP_MARKER_MAX + 1).split('');
    expect(tok.encode(last).map((id) => tok.tokenText(id))).toEqual([`<R_${STEP_MARKER_MAX}> `, '0', '.', '5', ', ', '<', 'O', '_', ...digits, '> ', '4']);
    // Ordinary tokens, not specials: they survive decoding with skip_special_tokens.
    expect(tok.hf.decode(tok.encode('<A_7> 2'), { skip_special_tokens: true })).toBe('<A_7> 2');
    expect(stepMarkers()).toHaveLength(VOCAB_SIZE - BPE_VOCAB_SIZE);
    for (const m of stepMarkers()) expect(tok.encode(m)).toHaveLength(1);
    expect(tok.encode('-0.25').map((id) => tok.tokenText(id))).toEqual(['-', '0', '.', '2', '5']);
  });

  it('round-trips corpus text and serialized trajectories exactly, with no unknown tokens', () => {
    const docs = generateCorpus({ seed: 99, documents: 300 }).map((d) => d.text);
    const trajectories = TASKS.flatMap(([envName, params], i) => {
      const task = createTask(parseTaskSpec({ env: envName, params, seed: i }));
      const [a, b, c] = randomRollouts(task, 3, i);
      return [serializeTrainingExample([a!, b!], c!)];
    });
    for (const text of [...docs, ...trajectories]) {
      const ids = tok.encode(text);
      expect(ids).not.toContain(tok.unk);
      expect(tok.decode(ids)).toBe(text);
      expect(ids.map((id) => tok.tokenText(id)).join('')).toBe(text);
    }
    // Text is compact: merges make corpus text well under one token per character.
    const chars = docs.reduce((s, d) => s + d.length, 0);
    const tokens = docs.reduce((s, d) => s + tok.encode(d).length, 0);
    expect(chars / tokens).toBeGreaterThan(1.6);
  });

  it('maps characters outside the alphabet to <|unk|> rather than failing', () => {
    expect(tok.encode('café')).toContain(tok.unk);
  });
});

describe('DESIGN §4: every action is one token at the open action slot', () => {
  it('encode(prompt + a) = encode(prompt) + [one token] for every action of every env, on real prompts', () => {
    let checked = 0;
    TASKS.forEach(([envName, params], i) => {
      const task = createTask(parseTaskSpec({ env: envName, params, seed: 10 + i }));
      const ids = actionTokenIds(tok, task.nActions);
      expect(new Set(ids).size).toBe(task.nActions);
      const [s1, s2, episode] = randomRollouts(task, 3, 20 + i);
      for (const support of [[], [s1!], [s1!, s2!]]) {
        for (let t = 0; t < episode!.length; t++) {
          const prompt = serializePrompt(support, episode!.slice(0, t), episode![t]!.obs);
          expect(prompt.endsWith('> ')).toBe(true);
          const base = tok.hf.encode(prompt); // with BOS, as a policy would encode it
          for (let a = 0; a < task.nActions; a++) {
            expect(tok.hf.encode(prompt + String(a))).toEqual([...base, ids[a]]);
            checked++;
          }
        }
      }
    });
    expect(checked).toBeGreaterThan(500);
  });

  it('control: a GPT-style tokenizer that attaches spaces to digits would break it', () => {
    const bad = structuredClone(json);
    bad.pre_tokenizer.pattern.Regex = ' ?[A-Za-z]+| ?[0-9]|[^A-Za-z0-9\\s]|\\s';
    let next = Object.keys(bad.model.vocab).length;
    for (const d of '01234') {
      bad.model.vocab[` ${d}`] = next++;
      bad.model.merges.push([' ', d]);
    }
    const badTok = labTokenizerFromJson(bad, buildTokenizerConfig());
    // A step past the one-token markers, so the prompt ends with a plain `> `.
    const prompt = `<O_${STEP_MARKER_MAX + 1}> 3 4, <A_${STEP_MARKER_MAX + 1}> `;
    // The prompt's trailing space now pairs with the action: the prompt's encoding is no prefix.
    expect(badTok.encode(`${prompt}2`).slice(0, -1)).not.toEqual(badTok.encode(prompt));
    expect(tok.encode(`${prompt}2`).slice(0, -1)).toEqual(tok.encode(prompt));
  });
});
