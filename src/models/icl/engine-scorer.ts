/**
 * Action scoring on the project's own engine (DESIGN §4): the ICL and SFT policies' path for any
 * Llama model folder, on the CPU or WebGPU backend. The same plan as the ONNX scorer (tokens.ts:
 * condition on the prompt's tokens, score each action's tokens after them), computed through one
 * KV cache per model: a decision feeds only the tokens that are new since the last one (the
 * episode's last step), a new episode rewinds to the support trajectories it shares with the
 * previous one, and a multi-token action is teacher-forced from the shared context and rewound.
 */
import { KvCache } from '../../nn/kv-cache.ts';
import type { LlamaModel } from '../../nn/llama.ts';
import type { ActionScores } from './scorer.ts';
import { planScoring, type TokenizerLike } from './tokens.ts';

export interface EngineScorerOptions {
  /** The context length (config.json max_position_embeddings); a longer prompt is refused by name. */
  maxPositions: number;
  /** false recomputes the whole prompt at every decision (the benchmark's reference). Default true. */
  cache?: boolean;
}

export class EngineScorer {
  private readonly kv: KvCache;
  private readonly useCache: boolean;

  constructor(
    readonly model: LlamaModel,
    readonly tokenizer: TokenizerLike,
    readonly o: EngineScorerOptions,
  ) {
    if (!Number.isSafeInteger(o.maxPositions) || o.maxPositions < 2) throw new Error(`EngineScorer: maxPositions must be an integer ≥ 2, got ${o.maxPositions}`);
    this.kv = new KvCache(model, o.maxPositions);
    this.useCache = o.cache ?? true;
  }

  /** Tokens run through the model since construction (what the cache saves shows here). */
  get fedTokens(): number {
    return this.kv.fedTokens;
  }

  async score(prompt: string, actions: readonly string[]): Promise<ActionScores> {
    const { context, continuations } = planScoring(this.tokenizer, prompt, actions);
    const longest = context.length + Math.max(...continuations.map((c) => c.length)) - 1;
    if (longest > this.o.maxPositions) {
      throw new Error(
        `the prompt is ${longest} tokens long but the model reads at most ${this.o.maxPositions} (its max_position_embeddings): use a shorter horizon, fewer support trajectories, or a model with a longer context`,
      );
    }
    if (!this.useCache) this.kv.truncate(0);
    let forwards = 0;
    const next = (prefix: number[], ids: number[]): Promise<Float64Array> => {
      forwards++;
      return this.kv.scoreNextTokens(prefix, ids);
    };
    const first = await next(context, continuations.map((c) => c[0]!));
    const logProbs: number[] = [];
    for (const [a, c] of continuations.entries()) {
      let lp = first[a]!;
      for (let j = 1; j < c.length; j++) lp += (await next([...context, ...c.slice(0, j)], [c[j]!]))[0]!;
      logProbs.push(lp);
    }
    return { logProbs, context, continuations, forwards };
  }

  /** Frees the cache's buffers (WebGPU memory is not reclaimed by garbage collection soon enough). */
  dispose(): void {
    this.kv.dispose();
  }
}
