/**
 * Action scoring with any ONNX causal LM loaded by @huggingface/transformers (DESIGN §4): per
 * action, log p(action's tokens | context), the context and tokens chosen by `planScoring`
 * (tokens.ts explains the treatment of tokenizers that merge the prompt's trailing space).
 *
 * Two paths, by what the ONNX graph offers:
 * - **with KV-cache inputs** (`past_key_values.*`, every Optimum/transformers.js decoder and the
 *   lab's export): the context is fed in chunks, each chunk attending to the cache of the ones
 *   before, so logits exist for at most `chunk` positions at a time (a 1,500-token prompt times a
 *   150k vocabulary would otherwise be ~900 MB of logits). The last position gives every
 *   action's first token at once, so when all actions are one token the whole decision is one
 *   pass over the prompt. A longer action is teacher-forced from the shared context cache: only
 *   its own tokens are run, candidate by candidate (the cache is an input, never modified, so
 *   each candidate starts from the same one; batching candidates would need the cache copied per
 *   row, on WebGPU a GPU-side copy transformers.js does not offer).
 * - **without cache inputs**: one forward of the context for single-token actions; otherwise every
 *   candidate's full sequence (context + its tokens), right-padded and batched. Right padding
 *   keeps every real token at its true position whatever the model does with `position_ids`.
 *
 * Log-softmax is taken in float64 over the full vocabulary row.
 */
import { Tensor } from '@huggingface/transformers';
import { planScoring, type TokenizerLike } from './tokens.ts';

/** The part of a transformers.js causal LM (`PreTrainedModel`) the scorer uses. */
export interface CausalLmLike {
  // transformers.js types both as `any`; the scorer checks what it reads at run time.
  sessions: Record<string, unknown>;
  forward(inputs: Record<string, unknown>): Promise<unknown>;
}

export interface ScorerOptions {
  /** tokens per forward when filling the cache (bounds the logits held at once); default 256. */
  chunk?: number;
  /** rows per forward on the batched path (no cache); default 8. */
  maxBatch?: number;
  /** false forces the cache-less path even when the graph has cache inputs (tests compare both). */
  useCache?: boolean;
  /**
   * The model's context length (config.json max_position_embeddings / n_positions): a longer
   * sequence is refused with a message, instead of the runtime's index error or silent garbage.
   */
  maxPositions?: number;
}

export interface ActionScores {
  /** log p(action | context) per action, in the order given. */
  logProbs: number[];
  /** the conditioning tokens (shared by every action). */
  context: number[];
  /** the scored token ids per action. */
  continuations: number[][];
  /** session runs this decision took. */
  forwards: number;
}

type Named = Record<string, Tensor>;

function sessionInputs(model: CausalLmLike): string[] {
  const s = (model.sessions.model ?? model.sessions.decoder_model_merged) as { inputNames?: unknown } | undefined;
  if (!s || !Array.isArray(s.inputNames)) throw new Error('ICL scorer: the model has no decoder session (is it a causal LM?)');
  return s.inputNames as string[];
}

const int64 = (rows: readonly (readonly number[])[]): Tensor => new Tensor('int64', BigInt64Array.from(rows.flat().map(BigInt)), [rows.length, rows[0]!.length]);

/** A float32 view of logits (fp16 models return float16). */
function floats(t: Tensor): { data: ArrayLike<number>; dims: number[] } {
  const f = t.type === 'float32' ? t : t.to('float32');
  return { data: f.data as Float32Array, dims: f.dims };
}

/** log-softmax of row `row` (length V, at offset row·V) evaluated at `ids`, in float64. */
export function logSoftmaxAt(data: ArrayLike<number>, row: number, V: number, ids: readonly number[]): number[] {
  const off = row * V;
  let mx = -Infinity;
  for (let i = 0; i < V; i++) mx = Math.max(mx, data[off + i]!);
  let s = 0;
  for (let i = 0; i < V; i++) s += Math.exp(data[off + i]! - mx);
  const lse = mx + Math.log(s);
  return ids.map((id) => {
    if (!Number.isInteger(id) || id < 0 || id >= V) throw new Error(`ICL scorer: token id ${id} is outside the model's vocabulary of ${V}`);
    return data[off + id]! - lse;
  });
}

async function disposeGpu(tensors: Iterable<Tensor>): Promise<void> {
  for (const t of tensors) if (t.location === 'gpu-buffer') t.dispose();
}

export class ActionScorer {
  private readonly inputs: string[];
  readonly usesCache: boolean;
  private readonly keepLogits: boolean;
  private readonly chunk: number;
  private readonly maxBatch: number;
  private readonly maxPositions: number;

  constructor(
    readonly model: CausalLmLike,
    readonly tokenizer: TokenizerLike,
    o: ScorerOptions = {},
  ) {
    this.inputs = sessionInputs(model);
    this.usesCache = (o.useCache ?? true) && this.inputs.some((n) => n.startsWith('past_'));
    this.keepLogits = this.inputs.includes('num_logits_to_keep');
    this.chunk = Math.max(1, Math.floor(o.chunk ?? 256));
    this.maxBatch = Math.max(1, Math.floor(o.maxBatch ?? 8));
    this.maxPositions = o.maxPositions ?? Infinity;
  }

  /** Runs the graph; returns the logits and the cache outputs renamed as the next call's inputs. */
  private async run(ids: number[][], mask: number[][], past: Named | null, keepLast: number | null): Promise<{ logits: Tensor; present: Named }> {
    const inputs: Record<string, unknown> = { input_ids: int64(ids), attention_mask: int64(mask) };
    if (past) inputs.past_key_values = past;
    if (keepLast !== null && this.keepLogits) inputs.num_logits_to_keep = new Tensor('int64', [BigInt(keepLast)], []);
    const out = (await this.model.forward(inputs)) as Record<string, unknown>;
    const logits = out.logits;
    if (!(logits instanceof Tensor)) throw new Error('ICL scorer: the model returned no logits (is it a causal LM?)');
    const present: Named = {};
    for (const [name, t] of Object.entries(out)) {
      if (!name.startsWith('present') || !(t instanceof Tensor)) continue;
      // transformers.js' own renaming (getPastKeyValues): present* outputs feed past* inputs.
      present[name.replace(/^present(?=[._])/, 'past_key_values').replace(/^past_key_values_(ssm|conv|recurrent|compressor|indexer)/, 'past_$1')] = t;
    }
    if (!this.usesCache) await disposeGpu(Object.values(present));
    return { logits, present };
  }

  async score(prompt: string, actions: readonly string[]): Promise<ActionScores> {
    const { context, continuations } = planScoring(this.tokenizer, prompt, actions);
    // The last scored token is never fed, so the longest sequence run is context + longest action − 1.
    const longest = context.length + Math.max(...continuations.map((c) => c.length)) - 1;
    if (longest > this.maxPositions) {
      throw new Error(`the prompt is ${longest} tokens long but the model reads at most ${this.maxPositions} (its max_position_embeddings): use a shorter horizon or a model with a longer context`);
    }
    const r = this.usesCache ? await this.scoreCached(context, continuations) : await this.scoreBatched(context, continuations);
    return { ...r, context, continuations };
  }

  private async scoreCached(context: number[], conts: number[][]): Promise<{ logProbs: number[]; forwards: number }> {
    let past: Named | null = null;
    let forwards = 0;
    const caches: Named[] = [];
    try {
      let first: number[] = [];
      for (let start = 0; start < context.length; start += this.chunk) {
        const ids = context.slice(start, start + this.chunk);
        const end = start + ids.length;
        const { logits, present } = await this.run([ids], [new Array<number>(end).fill(1)], past, 1);
        forwards++;
        caches.push(present);
        past = present;
        if (end === context.length) {
          const { data, dims } = floats(logits);
          first = logSoftmaxAt(data, dims[1]! - 1, dims[2]!, conts.map((c) => c[0]!));
        }
      }
      const logProbs: number[] = [];
      for (const [a, c] of conts.entries()) {
        let lp = first[a]!;
        if (c.length > 1) {
          // Teacher forcing: feed all but the last token; position j predicts token j + 1.
          const fed = c.slice(0, -1);
          const { logits, present } = await this.run([fed], [new Array<number>(context.length + fed.length).fill(1)], past, null);
          forwards++;
          await disposeGpu(Object.values(present));
          const { data, dims } = floats(logits);
          const T = dims[1]!;
          for (let j = 0; j < fed.length; j++) lp += logSoftmaxAt(data, T - fed.length + j, dims[2]!, [c[j + 1]!])[0]!;
        }
        logProbs.push(lp);
      }
      return { logProbs, forwards };
    } finally {
      // Each chunk's cache outputs are the next chunk's inputs; on WebGPU they are GPU buffers.
      for (const c of caches) await disposeGpu(Object.values(c));
    }
  }

  private async scoreBatched(context: number[], conts: number[][]): Promise<{ logProbs: number[]; forwards: number }> {
    const L = context.length;
    if (conts.every((c) => c.length === 1)) {
      const { logits } = await this.run([context], [new Array<number>(L).fill(1)], null, 1);
      const { data, dims } = floats(logits);
      return { logProbs: logSoftmaxAt(data, dims[1]! - 1, dims[2]!, conts.map((c) => c[0]!)), forwards: 1 };
    }
    const logProbs: number[] = [];
    let forwards = 0;
    for (let b0 = 0; b0 < conts.length; b0 += this.maxBatch) {
      const group = conts.slice(b0, b0 + this.maxBatch);
      const T = L + Math.max(...group.map((c) => c.length));
      // Right padding with token 0 under mask 0: causal attention never looks ahead, so the pads
      // change nothing before them.
      const ids = group.map((c) => [...context, ...c, ...new Array<number>(T - L - c.length).fill(0)]);
      const mask = group.map((c) => [...new Array<number>(L + c.length).fill(1), ...new Array<number>(T - L - c.length).fill(0)]);
      const { logits } = await this.run(ids, mask, null, null);
      forwards++;
      const { data, dims } = floats(logits);
      const [, Tout, V] = dims as [number, number, number];
      for (const [r, c] of group.entries()) {
        let lp = 0;
        for (let j = 0; j < c.length; j++) lp += logSoftmaxAt(data, r * Tout + (L - 1 + j), V, [c[j]!])[0]!;
        logProbs.push(lp);
      }
    }
    return { logProbs, forwards };
  }
}

/** The most probable action; ties go to the lowest index (DESIGN §4). */
export function argmaxLowest(xs: readonly number[]): number {
  let best = 0;
  for (let i = 1; i < xs.length; i++) if (xs[i]! > xs[best]!) best = i;
  return best;
}
