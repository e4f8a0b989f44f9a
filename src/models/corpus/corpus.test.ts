/**
 * The generic corpus: deterministic, correct content, no decision trajectories anywhere in a large
 * sample; the held-out eval sets measure what they claim (a copying/lookup rule solves them, a
 * context-free guess does not); packing gives DESIGN §7 token batches.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { parseTrajectory, serializePrompt, serializeTrajectory } from '../../core/serialize.ts';
import { buildTokenizerConfig, buildTokenizerJson } from '../tokenizer/build.ts';
import { labTokenizerFromJson, type LabTokenizer } from '../tokenizer/load.ts';
import {
  assertNoTrajectory, assertNoTrajectoryStep, containsTrajectory, corpusDocument, DEFAULT_KIND_WEIGHTS, generateCorpus, SERIALIZED_STEP, TRAJECTORY_MARKER, TRAJECTORY_STEP,
} from './corpus.ts';
import { copyEvalSet, kvEvalSet } from './eval.ts';
import { DOC_KINDS, type DocKind, TAG_LETTERS } from './generators.ts';
import { argmaxPredictions, maskedAccuracy, packExamples, packStream, tokenStream, type TokenBatch } from './pack.ts';

const SAMPLE = generateCorpus({ seed: 12345, documents: 20_000 });

describe('corpus', () => {
  it('is deterministic, and document i depends only on (seed, i)', () => {
    expect(generateCorpus({ seed: 12345, documents: 50 })).toEqual(SAMPLE.slice(0, 50));
    expect(generateCorpus({ seed: 12345, start: 700, documents: 3 })).toEqual(SAMPLE.slice(700, 703));
    expect(corpusDocument(12346, 0)).not.toEqual(SAMPLE[0]);
  });

  it('mixes every document kind with a default weight, and none without', () => {
    const kinds = new Map<string, number>();
    for (const d of SAMPLE) kinds.set(d.kind, (kinds.get(d.kind) ?? 0) + 1);
    for (const k of DOC_KINDS) {
      if (DEFAULT_KIND_WEIGHTS[k] > 0) expect(kinds.get(k) ?? 0).toBeGreaterThan(SAMPLE.length / 40);
      else expect(kinds.get(k) ?? 0).toBe(0);
    }
    // Upper and lower case, digits, negatives, two decimals, comma lists, multi-line records and tags all occur.
    const all = SAMPLE.map((d) => d.text).join('\n');
    for (const re of [/[A-Z][a-z]+/, /\d/, /-\d/, /-?\d+\.\d{2}\b/, /\w, \w/, /name: \w+, \w+: /, /<[A-Z]_\d+> /]) expect(all).toMatch(re);
  });

  it('states correct facts: sums, balances, repeats and recalled values', () => {
    let checked = 0;
    for (const { kind, text } of SAMPLE.slice(0, 3000)) {
      for (const m of text.matchAll(/^(-?\d+) ([+-]) (\d+) = (-?\d+)$/gm)) {
        const [a, b, c] = [Number(m[1]), Number(m[3]), Number(m[4])];
        expect(m[2] === '+' ? a + b : a - b).toBe(c);
        checked++;
      }
      for (const m of text.matchAll(/^(-?\d+\.\d\d) \+ (-?\d+\.\d\d) = (-?\d+\.\d\d)$/gm)) {
        expect(Math.round(Number(m[1]) * 100) + Math.round(Number(m[2]) * 100)).toBe(Math.round(Number(m[3]) * 100));
        checked++;
      }
      if (kind === 'copy' && text.startsWith('copy: ')) {
        const [first, second] = text.split('\n');
        expect(second).toBe(`again: ${first!.slice('copy: '.length)}`);
        checked++;
      }
      if (kind === 'repeat') {
        const lines = text.split('\n');
        expect(lines.length).toBeGreaterThanOrEqual(2);
        expect(lines.length).toBeLessThanOrEqual(4);
        expect(new Set(lines).size).toBe(1);
        expect(new Set(lines[0]).size).toBe(lines[0]!.length);
        checked++;
      }
      if (kind === 'echo') {
        // The sequence (after an optional label) occurs 2–3 times, its items distinct.
        const body = text.replace(/^(seq|code|key|list) \d+: /, '');
        const seq = body.split(/\n| \| |\. /)[0]!;
        const occurrences = body.split(seq).length - 1;
        expect(occurrences).toBeGreaterThanOrEqual(2);
        expect(occurrences).toBeLessThanOrEqual(3);
        const items = seq.split(/, | /);
        expect(new Set(items).size).toBe(items.length);
        checked++;
      }
      if (kind === 'kv' && !text.startsWith('The ')) {
        const [listed, asked] = text.split('\n');
        const pairs = new Map(listed!.split(', ').map((p) => p.split(': ') as [string, string]));
        for (const q of asked!.split(', ')) {
          const [k, v] = q.split(': ');
          expect(pairs.get(k!)).toBe(v);
        }
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(500);
  });

  it('buried-tokens documents: random filler, then a short sequence twice; matching the current token alone mostly fails there, matching what precedes it does not', () => {
    const only = Object.fromEntries(DOC_KINDS.map((k) => [k, k === 'buried-tokens' ? 1 : 0])) as Record<DocKind, number>;
    let oneToken = 0;
    let suffix = 0;
    let predicted = 0;
    const fillers: number[] = [];
    for (let i = 0; i < 200; i++) {
      const { kind, ids } = corpusDocument(9, i, only);
      expect(kind).toBe('buried-tokens');
      expect(ids!.every((id) => id >= 4 && id < 444)).toBe(true);
      // The repeated sequence: the longest L ≤ 100 whose last 2L tokens are one sequence twice (a random filler can't fake that).
      const L = [...Array(97).keys()].map((j) => 100 - j).find((l) => 2 * l <= ids!.length && ids!.slice(-2 * l, -l).join() === ids!.slice(-l).join());
      expect(L).toBeDefined();
      fillers.push(ids!.length - 2 * L!);
      for (let t = ids!.length - L! + 1; t < ids!.length; t++) {
        // A copier matching the current token only, at an earlier occurrence drawn uniformly: its expected accuracy.
        let occurrences = 0;
        let right = 0;
        for (let j = 0; j + 1 < t; j++) {
          if (ids![j] !== ids![t - 1]) continue;
          occurrences++;
          if (ids![j + 1] === ids![t]) right++;
        }
        oneToken += right / occurrences;
        // Matching the current token and the one before it, else (the first measured token, whose pair is new) the most recent occurrence of the current token.
        let best = -1;
        for (let j = t - 2; j >= 1 && best < 0; j--) if (ids![j] === ids![t - 1] && ids![j - 1] === ids![t - 2]) best = ids![j + 1]!;
        for (let j = t - 2; j >= 0 && best < 0; j--) if (ids![j] === ids![t - 1]) best = ids![j + 1]!;
        if (best === ids![t]) suffix++;
        predicted++;
      }
    }
    expect(Math.min(...fillers)).toBeGreaterThanOrEqual(16);
    expect(Math.max(...fillers)).toBeLessThanOrEqual(1800);
    expect(Math.max(...fillers)).toBeGreaterThan(1500);
    expect(oneToken / predicted).toBeLessThan(0.6);
    expect(suffix / predicted).toBeGreaterThan(0.97);
  });

  it('lookup documents: V is a fixed function of K in each document, the last V is often not the answer, and no line is a trajectory', () => {
    const only = Object.fromEntries(DOC_KINDS.map((k) => [k, k === 'lookup' ? 1 : 0])) as Record<DocKind, number>;
    let steps = 0;
    let notLast = 0;
    let longRange = 0;
    for (let i = 0; i < 300; i++) {
      const { kind, text } = corpusDocument(777, i, only);
      expect(kind).toBe('lookup');
      expect(containsTrajectory(text)).toBe(false);
      const table = new Map<string, string>();
      let previous: string | undefined;
      let offset = 0;
      for (const line of text.split('\n')) {
        expect(() => parseTrajectory(line)).toThrow();
        const pairs = [...line.matchAll(/<([A-Z])_(\d+)> (\d+), <([A-Z])_(\d+)> (\d+)/g)];
        expect(pairs.map((m) => Number(m[2]))).toEqual(pairs.map((_, t) => t + 1));
        for (const m of pairs) {
          expect(m[5]).toBe(m[2]);
          const [k, v] = [m[3]!, m[6]!];
          const seen = table.get(k);
          if (seen !== undefined) {
            expect(v).toBe(seen);
            if (v !== previous) notLast++;
            if (offset + (m.index ?? 0) > 400) longRange++;
          }
          table.set(k, v);
          previous = v;
          steps++;
        }
        offset += line.length + 1;
      }
    }
    expect(steps).toBeGreaterThan(5000);
    expect(notLast / steps).toBeGreaterThan(0.2);
    expect(longRange).toBeGreaterThan(1000);
  });

  // Why this matters: the ICL baseline must be a model that never saw the lab's decision tasks, or
  // the SFT-vs-ICL comparison is biased (see corpus.ts).
  it('contains no decision-task trajectory in a 20,000-document sample', () => {
    const violations: string[] = [];
    let lines = 0;
    let tags = 0;
    for (const { text } of SAMPLE) {
      if (TRAJECTORY_MARKER.test(text) || TRAJECTORY_STEP.test(text) || /<[OAR]_/.test(text)) violations.push(text);
      for (const line of text.split('\n')) {
        lines++;
        try {
          parseTrajectory(line);
          violations.push(line); // a line that reads back as a trajectory
        } catch {
          // expected: no corpus line is a trajectory
        }
        for (const m of line.matchAll(/<([A-Z])_\d+>/g)) {
          tags++;
          if (!TAG_LETTERS.includes(m[1]!)) violations.push(line);
        }
      }
    }
    expect(violations).toEqual([]);
    expect(lines).toBeGreaterThan(40_000);
    expect(tags).toBeGreaterThan(10_000); // the marker format itself is familiar
  });

  it('the guard recognises real trajectories and prompts', () => {
    const steps = [{ obs: [3], action: 2, reward: 0.33 }, { obs: [2], action: 0, reward: -0.1 }];
    expect(containsTrajectory(serializeTrajectory(steps))).toBe(true);
    expect(containsTrajectory(serializePrompt([steps], steps.slice(0, 1), [4]))).toBe(true);
    expect(() => assertNoTrajectory(`notes\n${serializeTrajectory(steps)}`, 'doc')).toThrow(/doc: contains a decision-trajectory marker/);
    expect(containsTrajectory('<X_1> 3, <Y_1> 6, <Z_1> 0.50')).toBe(false);
  });

  it('random-token documents may hold step-marker tokens but the step guard catches any serialized step', () => {
    const energy = [{ obs: [3], action: 2, reward: 0.33 }, { obs: [2], action: 0, reward: -0.1 }];
    const dark = [{ obs: [3, 4], action: 4, reward: 1 }];
    for (const steps of [energy, dark]) {
      expect(SERIALIZED_STEP.test(serializeTrajectory(steps))).toBe(true);
      expect(() => assertNoTrajectoryStep(`x y ${serializePrompt([steps], [], [1])}`, 'ids')).toThrow(/ids: contains a serialized decision step/);
    }
    // Markers out of step order, or of different steps, are not a step.
    expect(SERIALIZED_STEP.test('<O_3> 7, <A_4> 2, <R_3> 0.50')).toBe(false);
    expect(SERIALIZED_STEP.test('<A_3> 2, <O_3> 7, <R_3> 0.50')).toBe(false);
    // Real random-token documents decoded with the lab tokenizer (markers are 60 of its 440 ordinary tokens).
    const tok = labTokenizerFromJson(buildTokenizerJson(), buildTokenizerConfig());
    let markers = 0;
    for (let i = 0; i < 200; i++) {
      const doc = corpusDocument(5, i, Object.fromEntries(DOC_KINDS.map((k) => [k, k === 'tokens' ? 1 : 0])) as Record<DocKind, number>);
      const text = doc.ids!.map((id) => tok.tokenText(id)).join('');
      markers += (text.match(/<[OAR]_\d+> /g) ?? []).length;
      expect(() => assertNoTrajectoryStep(text, 'doc')).not.toThrow();
    }
    expect(markers).toBeGreaterThan(1000);
  });
});

/** Predicts token t from the longest earlier match of the current suffix inside the same document: an idealised induction head. */
function inductionPredictions(batch: TokenBatch, bos: number): number[][] {
  return batch.input_ids.map((row) =>
    row.map((_, t) => {
      if (t === 0) return -1;
      const docStart = row.lastIndexOf(bos, t - 1);
      let best = -1;
      let bestLen = 0;
      for (let j = t - 2; j >= docStart; j--) {
        let len = 0;
        while (j - len >= docStart && row[j - len] === row[t - 1 - len] && len < t - 1 - docStart) len++;
        if (len > bestLen) {
          bestLen = len;
          best = row[j + 1]!;
        }
      }
      return best;
    }),
  );
}

describe('eval sets and packing', () => {
  let tok: LabTokenizer;
  beforeAll(() => {
    tok = labTokenizerFromJson(buildTokenizerJson(), buildTokenizerConfig());
  });

  it('packs the pretraining stream into DESIGN §7 rows with BOS between documents', () => {
    const docs = SAMPLE.slice(0, 40).map((d) => d.text);
    const stream = tokenStream(docs, tok);
    expect(stream.filter((id) => id === tok.bos)).toHaveLength(40);
    const batch = packStream(stream, 64, tok.pad);
    expect(batch.input_ids.every((r) => r.length === 64)).toBe(true);
    expect(batch.input_ids.flat().slice(0, stream.length)).toEqual(stream);
    expect(batch.loss_mask.every((m) => m[0] === 0)).toBe(true);
    const counted = batch.loss_mask.flat().reduce((a, b) => a + b, 0);
    expect(counted).toBe(stream.length - batch.input_ids.length);
    expect(tok.decode(stream.slice(1, stream.indexOf(tok.bos, 1)))).toBe(docs[0]);
  });

  it('copy eval: masks exactly the second occurrence; an induction rule solves it, a context-free guess does not', () => {
    const examples = copyEvalSet({ seed: 5, examples: 40 });
    for (const ex of examples) {
      const [[s, e]] = ex.spans as [[number, number]];
      expect(ex.text.slice(0, s)).toBe(`copy: ${ex.text.slice(s, e)}\nagain: `);
    }
    const batch = packExamples(examples, tok, 256);
    expect(batch.input_ids.length).toBeLessThan(examples.length); // several examples per row
    batch.input_ids.forEach((row, b) => {
      const masked = row.filter((_, t) => batch.loss_mask[b]![t] === 1);
      expect(masked.length).toBeGreaterThan(0);
    });
    const induction = maskedAccuracy(batch, inductionPredictions(batch, tok.bos));
    expect(induction.total).toBe(batch.targets);
    expect(induction.accuracy).toBeGreaterThan(0.95);
    const previous = maskedAccuracy(batch, batch.input_ids.map((row) => row.map((_, t) => row[t - 1] ?? -1)));
    expect(previous.accuracy).toBeLessThan(0.2);
  });

  it('kv eval: masks the values of repeated keys, which lookup recovers', () => {
    const examples = kvEvalSet({ seed: 6, examples: 30 });
    for (const ex of examples) {
      const [listed] = ex.text.split('\n');
      const pairs = new Map(listed!.split(', ').map((p) => p.split(': ') as [string, string]));
      for (const [s, e] of ex.spans) {
        const key = ex.text.slice(0, s).split(/\n|, /).pop()!.replace(/: $/, '');
        expect(pairs.get(key)).toBe(ex.text.slice(s, e));
      }
    }
    const batch = packExamples(examples, tok, 128);
    expect(maskedAccuracy(batch, inductionPredictions(batch, tok.bos)).accuracy).toBeGreaterThan(0.95);
    expect(copyEvalSet({ seed: 5, examples: 3 })).not.toEqual(copyEvalSet({ seed: 7, examples: 3 }));
  });

  it('argmaxPredictions shifts logits so position t is predicted from t − 1', () => {
    const V = 4;
    const logits = new Float32Array(1 * 3 * V);
    logits[0 * V + 2] = 5; // at t=0 the model predicts token 2 for position 1
    logits[1 * V + 3] = 5;
    expect(argmaxPredictions(logits, 1, 3, V)).toEqual([[-1, 2, 3]]);
    const batch = { input_ids: [[1, 2, 0]], loss_mask: [[0, 1, 1]] };
    expect(maskedAccuracy(batch, argmaxPredictions(logits, 1, 3, V))).toEqual({ correct: 1, total: 2, accuracy: 0.5 });
  });

  it('refuses eval examples longer than a row', () => {
    const [ex] = copyEvalSet({ seed: 1, examples: 1 });
    expect(() => packExamples([ex!], tok, 8)).toThrow(/more than seqLen 8/);
  });
});
