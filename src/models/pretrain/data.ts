/**
 * The pretraining token stream: documents of the generic corpus (DESIGN §5) in index order,
 * each opened by BOS, concatenated and cut into rows of `seq` tokens (the packing of
 * corpus/pack.ts's tokenStream/packStream, done incrementally so a run never materialises the
 * whole corpus).
 *
 * The position in the stream is two numbers' worth of state — the next document index and the
 * tokens already drawn but not yet used — so a checkpoint stores it and a resumed run reads
 * exactly the rows an uninterrupted run would have read.
 */
import { shown } from '../../core/spec/fields.ts';
import { assertNoTrajectoryStep, corpusDocument, DEFAULT_KIND_WEIGHTS, DOC_KINDS, type DocKind, type TokenCodec } from '../corpus/index.ts';

export interface DataState {
  /** Index of the next corpus document to tokenize. */
  nextDoc: number;
  /** Tokens of already tokenized documents that no row has used yet. */
  carry: number[];
}

export class TokenRows {
  state: DataState;

  constructor(
    private readonly codec: TokenCodec,
    readonly corpusSeed: number,
    readonly weights: Record<DocKind, number>,
    state: DataState = { nextDoc: 0, carry: [] },
    /** the model's vocabulary, which random-token documents draw from (default: the lab tokenizer's). */
    readonly vocab?: number,
  ) {
    this.state = { nextDoc: state.nextDoc, carry: [...state.carry] };
  }

  /** The next `rows` rows of `seq` tokens, row-major; new documents are drawn with `weights` (default: the constructor's). */
  next(rows: number, seq: number, weights: Record<DocKind, number> = this.weights): Uint32Array {
    const need = rows * seq;
    const buf = this.state.carry;
    while (buf.length < need) {
      const index = this.state.nextDoc++;
      const doc = corpusDocument(this.corpusSeed, index, weights, this.vocab);
      if (doc.ids) assertNoTrajectoryStep(doc.ids.map((id) => this.codec.tokenText(id)).join(''), `corpus document ${index} (tokens)`);
      const ids = doc.ids ?? this.codec.encode(doc.text);
      buf.push(this.codec.bos, ...ids);
    }
    const out = Uint32Array.from(buf.slice(0, need));
    this.state = { nextDoc: this.state.nextDoc, carry: buf.slice(need) };
    return out;
  }
}

/**
 * Corpus kind weights from `kind=w,kind=w` (kinds not named keep their default weight), so a run
 * can lean toward the abilities it should learn first without changing the corpus generators.
 */
export function parseMix(spec: string | undefined): Record<DocKind, number> {
  const weights = { ...DEFAULT_KIND_WEIGHTS };
  if (spec === undefined || spec.trim() === '') return weights;
  for (const part of spec.split(',')) {
    const [k, v] = part.split('=').map((s) => s.trim());
    if (!DOC_KINDS.includes(k as DocKind)) throw new Error(`mix: unknown document kind ${JSON.stringify(k)} (kinds: ${DOC_KINDS.join(', ')})`);
    const w = Number(v);
    if (v === undefined || v === '' || !Number.isFinite(w) || w < 0) throw new Error(`mix: weight of ${k} must be a number ≥ 0, got ${shown(v)}`);
    weights[k as DocKind] = w;
  }
  if (DOC_KINDS.every((k) => weights[k] === 0)) throw new Error('mix: at least one kind needs a positive weight');
  return weights;
}

export function formatMix(weights: Record<DocKind, number>): string {
  return DOC_KINDS.map((k) => `${k}=${weights[k]}`).join(',');
}
