/**
 * The model card (README.md of a model folder): measured abilities and how the model was made.
 * Every figure comes from a measurement (cli/commands/model-card.ts) or from the run's own
 * record (pretrain.json); nothing here is typed in by hand.
 */
import type { ResultRow } from '../../experiments/types.ts';
import type { PerplexityResult, Abilities, TokenCopyProbe } from './evaluate.ts';
import type { PretrainRecord } from './run.ts';

/** The lab's own pretrained model, shipped in public/models/<name>/. */
export const SHIPPED_MODEL_NAME = 'lab-lm-160k-v2';
/** The ability the lab relies on (ICL reads support trajectories in context): below this the model is not shipped. */
export const MIN_COPY_ACCURACY = 0.9;

export interface CardMeasurements {
  name: string;
  parameters: number;
  perplexity: PerplexityResult;
  abilities: Abilities;
  seeds: { copy: number; kv: number; corpus: number; tokens: number };
  sizes: { copyExamples: number; kvExamples: number; corpusDocuments: number; tokenExamples: number };
  /** random-token second-occurrence accuracy at several lengths and positions (seed: seeds.tokens). */
  tokenCopy: TokenCopyProbe[];
  /** The ICL experiment's rows (random, support-copy, icl on energy-mdp by horizon) and the spec file they came from. */
  icl: { spec: string; rows: ResultRow[]; seconds: number } | null;
  /** When and where the measurement ran. */
  measuredAt: string;
  machine: string;
}

const pct = (x: number): string => `${(100 * x).toFixed(1)} %`;

function tokenCopyTable(m: CardMeasurements): string {
  const rows = m.tokenCopy.map(
    (p) => `| ${p.length} | ${p.offset} | ${p.firstPosition}–${p.lastPosition} | **${pct(p.result.accuracy)}** (${p.result.correct}/${p.result.total}) |`,
  );
  return ['| sequence length | random tokens before it | measured positions | accuracy |', '| --- | --- | --- | --- |', ...rows].join('\n');
}

function iclTable(icl: NonNullable<CardMeasurements['icl']>): string {
  const horizons = [...new Set(icl.rows.map((r) => String(r.point.horizon)))];
  const policies = [...new Set(icl.rows.map((r) => r.policy))];
  const cell = (policy: string, h: string): string => {
    const r = icl.rows.find((x) => x.policy === policy && String(x.point.horizon) === h);
    return r ? `${pct(r.gap)} [${pct(r.ciLow)}, ${pct(r.ciHigh)}]` : '—';
  };
  const tasks = icl.rows[0]?.tasks ?? 0;
  return [
    `Optimality gap (mean over ${tasks} test tasks, 95 % Student-t interval) on \`energy-mdp\`, from \`npm run -s lab -- experiment --spec ${icl.spec}\` (${icl.seconds.toFixed(0)} s):`,
    '',
    `| policy | ${horizons.map((h) => `H = ${h}`).join(' | ')} |`,
    `| --- | ${horizons.map(() => '---').join(' | ')} |`,
    ...policies.map((p) => `| ${p} | ${horizons.map((h) => cell(p, h)).join(' | ')} |`),
  ].join('\n');
}

function configTable(config: Record<string, unknown>): string {
  const keys = ['hidden_size', 'intermediate_size', 'num_hidden_layers', 'num_attention_heads', 'num_key_value_heads', 'head_dim', 'vocab_size', 'rope_theta', 'rms_norm_eps', 'tie_word_embeddings'];
  return keys.map((k) => `| \`${k}\` | ${JSON.stringify(config[k])} |`).join('\n');
}

export function renderModelCard(m: CardMeasurements, config: Record<string, unknown>, record: PretrainRecord | null): string {
  const a = m.abilities;
  const training = record
    ? [
        `- Command (reproduces model.safetensors byte for byte on the same machine type; see docs/models.md):`,
        '',
        '  ```',
        `  ${record.command}`,
        '  ```',
        `- Tokens seen: ${record.tokens.toLocaleString('en-US')} (${record.steps} steps of ${record.options.batch * record.options.seq} tokens: ` +
          `${record.options.warmSteps > 0 ? `the first ${record.options.warmSteps} as rows of ${record.options.warmSeq}, the rest as ` : ''}rows of ${record.options.seq})`,
        `- Optimiser: AdamW (β = ${record.options.beta1}, ${record.options.beta2}; weight decay ${record.options.weightDecay} on matrices), peak lr ${record.options.lr}, ` +
          `${record.options.warmup} warmup steps, cosine to ${record.options.minLrRatio} × peak, clipping at global norm ${record.options.maxGradNorm}`,
        `- Wall time: ${Math.round(record.wallSeconds / 60)} min (${record.wallSeconds} s, evaluation excluded), ${record.threads} thread(s) on ${record.machine}`,
        `- Final training loss (mean of the last logged steps): ${record.finalLoss === null ? 'n/a' : record.finalLoss.toFixed(4)}`,
      ].join('\n')
    : '- No pretrain.json in the folder: how this model was trained is not recorded.';
  return `---
library_name: decision-lab
pipeline_tag: text-generation
tags: [llama, tiny, synthetic-corpus]
---

# ${m.name}

A small Llama-architecture causal LM pretrained by Decision Lab on its own engine (CPU, TypeScript),
on the lab's generated generic corpus, which contains no decision-task trajectories (DESIGN §5).
It is the shipped default model: the ICL baseline reads support trajectories in context, so what
matters most is that it copies and looks up what it has seen earlier in its context.

## Measured abilities

Measured by \`npm run -s lab -- model-card --model DIR\` on data generated at measurement time
with fresh seeds (none of it is training data), ${m.measuredAt}, on ${m.machine}.

| ability | measure | result |
| --- | --- | --- |
| in-context copying | greedy accuracy on every token of the second occurrence of a random 8–16 item sequence (\`copy: …\\nagain: …\`), ${m.sizes.copyExamples} sequences, seed ${m.seeds.copy} | **${pct(a.copy.accuracy)}** (${a.copy.correct}/${a.copy.total} tokens) |
| key-value recall | greedy accuracy on the value tokens of 3 keys asked again after 6 \`key: value\` pairs, ${m.sizes.kvExamples} examples, seed ${m.seeds.kv} | **${pct(a.kv.accuracy)}** (${a.kv.correct}/${a.kv.total} tokens) |
| arbitrary copying | greedy accuracy on the second occurrence (its first token aside: nothing marks where it starts) of random sequences of ordinary tokens drawn uniformly from the whole vocabulary, written twice back to back; ${m.sizes.tokenExamples} sequences per row below, seed ${m.seeds.tokens} | **${pct(Math.min(...m.tokenCopy.map((p) => p.result.accuracy)))}** at worst |
| language modelling | perplexity on ${m.sizes.corpusDocuments} held-out corpus documents (seed ${m.seeds.corpus}, default mix), ${m.perplexity.tokens.toLocaleString('en-US')} tokens | **${m.perplexity.perplexity.toFixed(3)}** (loss ${m.perplexity.loss.toFixed(4)} nats/token) |

Parameters: **${m.parameters.toLocaleString('en-US')}**.

### Copying arbitrary token sequences, by length and position

${tokenCopyTable(m)}

### As the \`icl\` policy

${m.icl ? iclTable(m.icl) : 'Not measured (model-card --no-icl).'}

## Architecture

| config key | value |
| --- | --- |
${configTable(config)}

Tokenizer: the lab tokenizer (character BPE, 384 tokens, digits one token each, every action a
single token; docs/tokenizer.md).

## Training

${training}

## Limits

Trained on rows of ${record ? record.options.seq : '?'} tokens: positions beyond that were never seen in training.
The corpus is synthetic: simple sentences, lists, records, numbers and copy / lookup documents;
the model knows no world facts and writes no fluent prose.
`;
}
