/**
 * Incremental inference: a KV cache per layer and scoring of candidate next tokens.
 *
 * The ICL/SFT policies pick an action by scoring only the action tokens after a growing prompt
 * (DESIGN §4). With the cache, a prompt that extends the previous one costs only its new tokens;
 * all candidates are scored from one forward (they share the position, so one log-softmax row),
 * and the final norm and lm_head run on the last position only.
 *
 * Layout: per layer k and v are [maxSeq, Hkv·D] (batch 1), exactly the [B, S, Hkv, D] layout the
 * attention kernel reads with kvSeq = maxSeq and posOffset = cached length, so no kernel is new.
 * Appending rows uses the embedding backward (a scatter-add of rows into a table) into rows that
 * are still zero, which writes them exactly (0 + x = x), so no offset-copy kernel has to be added
 * to every backend. Rows must therefore be zero before they are written: going back to a shorter
 * prefix (`truncate`) writes zeros over the dropped rows. A policy uses that at every new
 * episode — the support trajectories stay cached and only the new query is computed — and to
 * score multi-token actions from one shared context.
 */
import type { Buf } from './backend.ts';
import type { LlamaModel } from './llama.ts';
import { embedding } from './ops.ts';
import { Tape } from './tape.ts';
import type { Tensor } from './tensor.ts';

export class KvCache {
  private readonly k: Buf[];
  private readonly v: Buf[];
  private readonly tape: Tape;
  private cached: number[] = [];
  private lastLogProbs: Float64Array | null = null;
  /** Tokens run through the model so far (a counter for benchmarks and tests of reuse). */
  fedTokens = 0;

  constructor(
    readonly model: LlamaModel,
    readonly maxSeq: number,
  ) {
    if (!Number.isSafeInteger(maxSeq) || maxSeq <= 0) throw new Error(`KvCache: maxSeq must be a positive integer, got ${maxSeq}`);
    const c = model.config;
    const be = model.backend;
    this.k = Array.from({ length: c.numLayers }, () => be.alloc(maxSeq * c.numKvHeads * c.headDim));
    this.v = Array.from({ length: c.numLayers }, () => be.alloc(maxSeq * c.numKvHeads * c.headDim));
    this.tape = new Tape(be);
    this.tape.gradEnabled = false;
  }

  /** The tokens whose keys and values are cached. */
  get tokens(): readonly number[] {
    return this.cached;
  }

  reset(): void {
    for (const b of [...this.k, ...this.v]) this.model.backend.fill(b, 0);
    this.cached = [];
    this.lastLogProbs = null;
  }

  /**
   * Gives the cache's buffers and its tape's pooled scratch back to the backend. GPU memory is
   * not reclaimed by garbage collection soon enough for a cache made per request (the Model
   * tab's "Try the model"); the cache must not be used afterwards.
   */
  dispose(): void {
    const be = this.model.backend;
    this.tape.reset();
    this.tape.pool.clear();
    for (const b of [...this.k, ...this.v]) be.free(b);
    this.k.length = 0;
    this.v.length = 0;
    this.cached = [];
    this.lastLogProbs = null;
  }

  /** Keeps the first `n` cached tokens and zeroes the rows after them (attention never reads past the cached length). */
  truncate(n: number): void {
    if (!Number.isInteger(n) || n < 0) throw new Error(`KvCache.truncate: n must be a non-negative integer, got ${n}`);
    if (n >= this.cached.length) return;
    const c = this.model.config;
    const kvDim = c.numKvHeads * c.headDim;
    const zeros = new Float32Array((this.cached.length - n) * kvDim);
    for (const b of [...this.k, ...this.v]) this.model.backend.write(b, zeros, n * kvDim);
    this.cached = this.cached.slice(0, n);
    this.lastLogProbs = null;
  }

  /** Feed `ids` after the cached tokens; afterwards the next-token log-probabilities are at hand. */
  async append(ids: readonly number[]): Promise<void> {
    const { model, tape } = this;
    const be = model.backend;
    const c = model.config;
    const n = ids.length;
    const pos = this.cached.length;
    if (n === 0) return;
    if (pos + n > this.maxSeq) throw new Error(`KvCache: ${pos} cached + ${n} new tokens exceed maxSeq ${this.maxSeq}`);
    for (const id of ids) if (!Number.isInteger(id) || id < 0 || id >= c.vocabSize) throw new Error(`KvCache: token id ${id} is outside [0, ${c.vocabSize - 1}]`);
    const rows = be.uploadIndices(Array.from({ length: n }, (_, t) => pos + t));
    const attend = (tp: Tape, l: number, q: Tensor, k: Tensor, v: Tensor): Tensor => {
      const kvDim = c.numKvHeads * c.headDim;
      be.embeddingBackward(rows, k.buf, this.k[l]!, kvDim);
      be.embeddingBackward(rows, v.buf, this.v[l]!, kvDim);
      const out = tp.output(q.shape, [q]);
      const lse = tp.temp(c.numHeads * n);
      be.attentionForward(q.buf, this.k[l]!, this.v[l]!, out.buf, lse, {
        batch: 1, seq: n, kvSeq: this.maxSeq, numHeads: c.numHeads, numKvHeads: c.numKvHeads, headDim: c.headDim, posOffset: pos,
      });
      return out;
    };
    const idBuf = be.uploadIndices(ids);
    const last = be.uploadIndices([n - 1]);
    try {
      const hidden = model.hidden(tape, idBuf, 1, n, { posOffset: pos, attend, dropout: false });
      const logits = await be.read(model.head(tape, embedding(tape, last, hidden)).buf);
      this.lastLogProbs = logSoftmax(logits);
      this.cached = [...this.cached, ...ids];
      this.fedTokens += n;
    } catch (e) {
      this.reset(); // some layers may already hold the new rows: they must be zero again
      throw e;
    } finally {
      tape.reset();
      for (const b of [rows, idBuf, last]) be.free(b);
    }
  }

  /**
   * Log-probabilities of `candidateIds` as the token after `prefixIds`. Keeps the longest cached
   * prefix `prefixIds` shares (at least its last token is recomputed, for its logits) and feeds
   * only the rest.
   */
  async scoreNextTokens(prefixIds: readonly number[], candidateIds: readonly number[]): Promise<Float64Array> {
    if (prefixIds.length === 0) throw new Error('scoreNextTokens: the prefix must hold at least one token');
    let shared = 0;
    while (shared < this.cached.length && shared < prefixIds.length && this.cached[shared] === prefixIds[shared]) shared++;
    const reuse = shared === this.cached.length && shared === prefixIds.length && this.lastLogProbs !== null ? shared : Math.min(shared, prefixIds.length - 1);
    this.truncate(reuse);
    await this.append(prefixIds.slice(this.cached.length));
    const logp = this.lastLogProbs!;
    return Float64Array.from(candidateIds, (id) => {
      if (!Number.isInteger(id) || id < 0 || id >= logp.length) throw new Error(`scoreNextTokens: candidate ${id} is outside [0, ${logp.length - 1}]`);
      return logp[id]!;
    });
  }
}

/** log-softmax of one logits row, in float64 (shared with generate.ts's recompute path). */
export function logSoftmax(x: Float32Array): Float64Array {
  let mx = -Infinity;
  for (const v of x) mx = Math.max(mx, v);
  let s = 0;
  for (const v of x) s += Math.exp(v - mx);
  const lse = mx + Math.log(s);
  return Float64Array.from(x, (v) => v - lse);
}

/** One-shot scoring with a fresh cache sized for the prefix. */
export async function scoreNextTokens(model: LlamaModel, prefixIds: readonly number[], candidateIds: readonly number[]): Promise<Float64Array> {
  return new KvCache(model, Math.max(1, prefixIds.length)).scoreNextTokens(prefixIds, candidateIds);
}
