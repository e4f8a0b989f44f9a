/**
 * The model card (README.md of a model folder): measured abilities and how the model was made.
 * Every figure comes from a measurement (cli/commands/model-card.ts) or from the run's own
 * record (pretrain.json); nothing here is typed in by hand.
 */
import type { PerplexityResult, Abilities } from './evaluate.ts';
import type { PretrainRecord } from './run.ts';

/** The lab's own pretrained model, shipped in public/models/<name>/. */
export const SHIPPED_MODEL_NAME = 'lab-lm-156k';
/** The ability the lab relies on (ICL reads support trajectories in context): below this the model is not shipped. */
export const MIN_COPY_ACCURACY = 0.9;

export interface CardMeasurements {
  name: string;
  parameters: number;
  perplexity: PerplexityResult;
  abilities: Abilities;
  seeds: { copy: number; kv: number; corpus: number };
  sizes: { copyExamples: number; kvExamples: number; corpusDocuments: number };
  /** When and where the measurement ran. */
  measuredAt: string;
  machine: string;
}

const pct = (x: number): string => `${(100 * x).toFixed(1)} %`;

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
        `- Tokens seen: ${record.tokens.toLocaleString('en-US')} (${record.steps} steps of ${record.options.batch} × ${record.options.seq} tokens)`,
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
| language modelling | perplexity on ${m.sizes.corpusDocuments} held-out corpus documents (seed ${m.seeds.corpus}, default mix), ${m.perplexity.tokens.toLocaleString('en-US')} tokens | **${m.perplexity.perplexity.toFixed(3)}** (loss ${m.perplexity.loss.toFixed(4)} nats/token) |

Parameters: **${m.parameters.toLocaleString('en-US')}**.

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
